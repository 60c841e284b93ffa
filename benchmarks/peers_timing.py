"""Fit times of the TTT and choix peers on the bundled data as of 2025-09-13 (~5,700 races).

The backtest refits both at ~50 origins, so one fit must take well under ~30 s. Prints one line
per setting (TTT: window_days x iterations; choix: window_days x alpha) with the best of
``--repeat`` wall times; ``--tune`` also runs both baselines' ``tuned`` on that data and prints
their grids of winner log loss (the scored year is 2024-09-13..2025-09-12); ``--accuracy``
prints that winner log loss per speed setting at the default hyperparameters, to show what a
faster setting costs.

    .venv/bin/python benchmarks/peers_timing.py [--repeat 1] [--tune] [--accuracy]
"""

from __future__ import annotations

import argparse
import time

import rivalrymodel as rm
from rivalrymodel.evaluation import make_baseline
from rivalrymodel.evaluation.ratings.choix_pl import ChoixPlackettLuce
from rivalrymodel.evaluation.ratings.protocol import rankings
from rivalrymodel.evaluation.ratings.ttt import TrueSkillThroughTime
from rivalrymodel.evaluation.ratings.tuning import tuning_split, winner_log_loss

ORIGIN = "2025-09-13"


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--accuracy", action="store_true")
    args = ap.parse_args(argv)

    data = rm.load_dataset().as_of(ORIGIN)
    print(f"{data}; {len(rankings(data))} races with >= 2 OK finishers")
    for window in (None, 1460, 730):
        for iterations in (0, 1, 3, 5):
            engine = TrueSkillThroughTime(window_days=window, iterations=iterations)
            s = best_time(lambda e=engine: e.rate(data), args.repeat)
            print(f"TTT    window_days={window!s:>5} iterations={iterations}: {s:6.2f} s")
    for window in (None, 1460, 730, 365):
        for alpha in (0.001, 0.01):
            engine = ChoixPlackettLuce(window_days=window, alpha=alpha)
            s = best_time(lambda e=engine: e.rate(data), args.repeat)
            print(f"choix  window_days={window!s:>5} alpha={alpha:<6}: {s:6.2f} s")
    if args.accuracy:
        past, scored = tuning_split(data)
        print(f"\nwinner log loss of {len(scored)} races from a fit as of {past.cutoff:%Y-%m-%d}")
        uniform = winner_log_loss(scored, make_baseline("uniform").rate(past))
        print(f"uniform: {uniform:.4f}")
        for window in (None, 1460, 730):
            for iterations in (0, 1, 3, 5, 10):
                r = TrueSkillThroughTime(window_days=window, iterations=iterations).rate(past)
                loss = winner_log_loss(scored, r)
                print(f"TTT    window_days={window!s:>5} iterations={iterations:<2}: {loss:.4f}")
        for window in (None, 1460, 730, 365):
            r = ChoixPlackettLuce(window_days=window).rate(past)
            loss = winner_log_loss(scored, r)
            print(f"choix  window_days={window!s:>5}: {loss:.4f}")
    if args.tune:
        for cls in (TrueSkillThroughTime, ChoixPlackettLuce):
            t0 = time.perf_counter()
            engine = cls().tuned(data)
            print(f"\n{cls.__name__}.tuned: {engine!r} in {time.perf_counter() - t0:.0f} s")
            print(engine.tuning.round(4).to_string())


if __name__ == "__main__":
    main()
