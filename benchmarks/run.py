"""The benchmarks' single entry point: ``python benchmarks/run.py [--quick] [--only SECTION]``.

Every section in one run, so that the ratios compare like with like on this shared machine:

- ``likelihood``: logp + gradient per race size of the library's compiled race kernel, the
  same likelihood as a PyTensor graph (one padded matrix per size), and a straightforward
  reference graph built race by race and position by position (O(K^2) terms per race);
- ``forecast``: ``fit.forecast`` of a 12-runner race from 4,000 draws, simulated races in numpy
  against a pure-Python loop, and a championship (``benchmarks/forecast.py``);
- ``fit``: the acceptance fit, cold and warm (``benchmarks/fit.py``);
- ``samplers``: formulations and samplers side by side (``benchmarks/fit.py --samplers``);
- ``scaling``: fit cost against the number of athletes (``benchmarks/fit.py --scaling``);
- ``grid``: a backtest grid on 1 and 2 workers and Dask (``benchmarks/backtest_grid.py``).

``--quick`` is a smoke run of every section with tiny sizes (the test suite runs it); its
figures say nothing about speed.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

import numpy as np
import pytensor
import pytensor.tensor as pt

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backtest_grid
import fit
import forecast

from rivalrymodel.models.design import SLOT_FINISH
from rivalrymodel.models.pl_kernel import RaceStructure, race_logp
from rivalrymodel.models.plackett_luce import plackett_luce_logp


def _reference(n_races: int, size: int):
    """logp of every race written term by term: what a first PyMC model would do."""
    u = pt.dmatrix("u")
    total = 0.0
    for r in range(n_races):
        for j in range(size - 1):
            total = total + u[r, j] - pt.logsumexp(u[r, j:])
    return pytensor.function([u], [total, pytensor.grad(total, u)], mode="NUMBA")


def _graph(size: int):
    u = pt.dmatrix("u")
    kind = np.full((1, size), SLOT_FINISH)
    total = plackett_luce_logp(pt.as_tensor(kind), u).sum()
    return pytensor.function([u], [total, pytensor.grad(total, u)], mode="NUMBA")


def _kernel(n_races: int, size: int):
    """The library's likelihood: the compiled race kernel, races laid out flat."""
    u = pt.dvector("u")
    layout = RaceStructure(
        np.arange(n_races * size), np.arange(0, n_races * size + 1, size), np.full(n_races, size)
    )
    total = race_logp(u, pt.ones(n_races), layout).sum()
    f = pytensor.function([u], [total, pytensor.grad(total, u)], mode="NUMBA")
    return lambda x: f(x.reshape(-1))


def likelihood(sizes, n_races: int, repeat: int) -> None:
    print(f"Plackett-Luce logp+gradient, {n_races} races of each size (per race, microseconds)")
    print(f"{'size':>5} {'kernel':>8} {'graph':>8} {'reference':>10} {'ref/kernel':>11}")
    rng = np.random.default_rng(0)
    for size in sizes:
        x = rng.normal(size=(n_races, size))
        fns = {"kernel": _kernel(n_races, size), "graph": _graph(size),
               "reference": _reference(n_races, size)}  # fmt: skip
        values = [f(x)[0] for f in fns.values()]
        assert np.allclose(values, values[0])  # the same number, three ways
        t = {
            k: min(timeit.repeat(lambda f=f, x=x: f(x), number=repeat, repeat=3)) / repeat / n_races
            for k, f in fns.items()
        }
        print(
            f"{size:>5} {1e6 * t['kernel']:>8.3f} {1e6 * t['graph']:>8.3f} "
            f"{1e6 * t['reference']:>10.3f} {t['reference'] / t['kernel']:>10.1f}x"
        )


SECTIONS = ["likelihood", "forecast", "fit", "samplers", "scaling", "grid"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    p.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS)
    args = p.parse_args()
    quick = ["--quick"] if args.quick else []
    for section in args.only:
        print(f"\n## {section}\n", flush=True)
        if section == "likelihood":
            if args.quick:
                likelihood(sizes=(4, 8), n_races=5, repeat=20)
            else:
                likelihood(sizes=(4, 8, 12, 20), n_races=40, repeat=200)
        elif section == "forecast":
            forecast.main([])
        elif section == "fit":
            fit.main(["--draws", "20", "--tune", "20", "--chains", "2"] if args.quick else [])
        elif section in ("samplers", "scaling"):
            fit.main([f"--{section}", *quick])
        else:
            backtest_grid.main(quick)


if __name__ == "__main__":
    main()
