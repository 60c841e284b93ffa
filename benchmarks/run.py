"""The benchmarks' single entry point: ``python benchmarks/run.py [--quick]``.

Runs, in one process so that the ratios compare like with like on this shared machine:

- likelihood: logp + gradient of the vectorised Plackett-Luce (one padded matrix per race size)
  against a straightforward reference graph built race by race and position by position in
  Python (O(K^2) terms per race), per race size;
- forecast: ``fit.forecast`` of a 12-runner race from 4,000 draws, and Gumbel-max simulation in
  numpy against a pure-Python loop (``benchmarks/forecast.py``).

``--quick`` is a smoke run with small sizes (the test suite runs it). The fit, sampler,
scaling and backtest-grid benchmarks are ``benchmarks/fit.py`` and the open benchmark issue.
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

from forecast import main as forecast_main

from rivalrymodel.models.design import SLOT_FINISH
from rivalrymodel.models.plackett_luce import plackett_luce_logp


def _reference(n_races: int, size: int):
    """logp of every race written term by term: what a first PyMC model would do."""
    u = pt.dmatrix("u")
    total = 0.0
    for r in range(n_races):
        for j in range(size - 1):
            total = total + u[r, j] - pt.logsumexp(u[r, j:])
    return pytensor.function([u], [total, pytensor.grad(total, u)], mode="NUMBA")


def _vectorised(size: int):
    u = pt.dmatrix("u")
    kind = np.full((1, size), SLOT_FINISH)
    total = plackett_luce_logp(pt.as_tensor(kind), u).sum()
    return pytensor.function([u], [total, pytensor.grad(total, u)], mode="NUMBA")


def likelihood(sizes, n_races: int, repeat: int) -> None:
    print(f"Plackett-Luce logp+gradient, {n_races} races of each size (per race, microseconds)")
    print(f"{'size':>5} {'vectorised':>11} {'reference':>10} {'ratio':>7}")
    rng = np.random.default_rng(0)
    for size in sizes:
        x = rng.normal(size=(n_races, size))
        vec, ref = _vectorised(size), _reference(n_races, size)
        assert np.isclose(vec(x)[0], ref(x)[0])  # the same number, two ways
        t_vec = min(timeit.repeat(lambda f=vec, x=x: f(x), number=repeat, repeat=3)) / repeat
        t_ref = min(timeit.repeat(lambda f=ref, x=x: f(x), number=repeat, repeat=3)) / repeat
        print(
            f"{size:>5} {1e6 * t_vec / n_races:>11.3f} {1e6 * t_ref / n_races:>10.3f} "
            f"{t_ref / t_vec:>6.1f}x"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = p.parse_args()
    if args.quick:
        likelihood(sizes=(4, 8), n_races=5, repeat=20)
    else:
        likelihood(sizes=(4, 8, 12, 20), n_races=40, repeat=200)
    print()
    sys.argv = [sys.argv[0]]
    forecast_main()


if __name__ == "__main__":
    main()
