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
    """logp of every race written term by term: what a first PyMC model would do.

    Compiled with the C backend: PyTensor's rewrites grow faster than linearly with the number
    of terms, so a handful of races already takes tens of seconds to compile (NUMBA: longer).
    """
    u = pt.dmatrix("u")
    total = 0.0
    for r in range(n_races):
        for j in range(size - 1):
            total = total + u[r, j] - pt.logsumexp(u[r, j:])
    return pytensor.function([u], [total, pytensor.grad(total, u)], mode="FAST_RUN")


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


def _call_overhead(repeat: int) -> float:
    """Seconds per call of a compiled function that does next to nothing."""
    u = pt.dmatrix("u")
    f = pytensor.function([u], [u.sum(), pt.ones_like(u)], mode="FAST_RUN")
    x = np.zeros((2, 2))
    return min(timeit.repeat(lambda: f(x), number=repeat, repeat=5)) / repeat


def likelihood(sizes, n_ref: int, n_fast: int, repeat: int) -> None:
    """Per-race cost of logp + gradient: the call overhead is measured and subtracted."""
    overhead = _call_overhead(repeat)
    print(
        f"Plackett-Luce logp+gradient per race (microseconds; races per call: kernel and graph "
        f"{n_fast}, reference {n_ref}; call overhead {1e6 * overhead:.2f} us subtracted)"
    )
    print(f"{'size':>5} {'kernel':>8} {'graph':>8} {'reference':>10} {'ref/kernel':>11}")
    rng = np.random.default_rng(0)
    for size in sizes:
        x = rng.normal(size=(n_fast, size))
        fns = {
            "kernel": (_kernel(n_fast, size), x),
            "graph": (_graph(size), x),
            "reference": (_reference(n_ref, size), x[:n_ref]),
        }
        values = [f(xx)[0] for f, xx in fns.values()]
        assert np.allclose(values[0], values[1]) and np.isclose(
            values[2], fns["graph"][0](x[:n_ref])[0]
        )  # the same numbers, three ways
        t = {}
        for k, (f, xx) in fns.items():
            best = min(timeit.repeat(lambda f=f, xx=xx: f(xx), number=repeat, repeat=3)) / repeat
            t[k] = max(best - overhead, 0.0) / len(xx)
        # A time within the call overhead (tiny quick-mode races on an idle machine) is 0 after
        # the subtraction: no ratio can be read from it.
        ratio = f"{t['reference'] / t['kernel']:>10.1f}x" if t["kernel"] > 0 else f"{'n/a':>11}"
        print(
            f"{size:>5} {1e6 * t['kernel']:>8.3f} {1e6 * t['graph']:>8.3f} "
            f"{1e6 * t['reference']:>10.3f} {ratio}"
        )


def model_gradient(since: str | None, repeat: int, until: str | None = None) -> None:
    """logp + gradient of the whole full model on the bundled data (races from ``since``,
    before ``until``), kernel vs graph likelihood."""
    import rivalrymodel as rm
    from rivalrymodel.models import build_model

    data = rm.load_dataset()
    data = data.as_of(until) if until else data
    data = data.since(since) if since else data
    t = {}
    for form in ("kernel", "graph"):
        model, design = build_model(data, rm.variants()["full"], likelihood=form)
        f = model.logp_dlogp_function(mode="NUMBA", ravel_inputs=True)
        f.set_extra_values({})
        point = model.initial_point()
        x = np.concatenate([point[v.name].ravel() for v in model.value_vars])
        x = x + 0.1 * np.random.default_rng(0).normal(size=x.size)
        f(x)
        t[form] = min(timeit.repeat(lambda f=f, x=x: f(x), number=repeat, repeat=5)) / repeat
    print(
        f"whole model ({design.n_races} races, {design.n_obs} runners, {x.size} parameters), "
        f"logp+gradient: kernel {1e3 * t['kernel']:.3f} ms, graph {1e3 * t['graph']:.3f} ms; "
        f"graph/kernel {t['graph'] / t['kernel']:.1f}x"
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
                likelihood(sizes=(4, 8), n_ref=2, n_fast=50, repeat=20)
                model_gradient("2025-11-01", repeat=20, until="2026-01-01")
            else:
                likelihood(sizes=(4, 8, 12, 20), n_ref=10, n_fast=2000, repeat=200)
                model_gradient(None, repeat=300)
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
