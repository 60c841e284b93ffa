"""Fit times of the TTT and choix peers on the bundled data as of 2025-09-13 (~5,700 races).

The backtest refits both at ~50 origins, so one fit must take well under ~30 s. Prints one line
per setting (TTT: window_days x iterations; choix: window_days x alpha) with the best of
``--repeat`` wall times; ``--tune`` also runs both ``tuned`` classmethods on that data and prints
their grids of winner log loss (the scored year is 2024-09-13..2025-09-12).

    .venv/bin/python benchmarks/peers_timing.py [--repeat 1] [--tune]
"""

from __future__ import annotations

import argparse
import time

import rivalrymodel as rm
from rivalrymodel.peers import ChoixPlackettLuce, TrueSkillThroughTime, rankings

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
    args = ap.parse_args(argv)

    data = rm.load_dataset().as_of(ORIGIN)
    print(f"{data}; {len(rankings(data))} races with >= 2 OK finishers")
    for window in (None, 1460, 730):
        for iterations in (0, 1, 3, 5):
            engine = TrueSkillThroughTime(window_days=window, iterations=iterations)
            s = best_time(lambda e=engine: e.fit(data), args.repeat)
            print(f"TTT    window_days={window!s:>5} iterations={iterations}: {s:6.2f} s")
    for window in (None, 1460, 730, 365):
        for alpha in (0.001, 0.01):
            engine = ChoixPlackettLuce(window_days=window, alpha=alpha)
            s = best_time(lambda e=engine: e.fit(data), args.repeat)
            print(f"choix  window_days={window!s:>5} alpha={alpha:<6}: {s:6.2f} s")
    if args.tune:
        for cls in (TrueSkillThroughTime, ChoixPlackettLuce):
            t0 = time.perf_counter()
            engine = cls.tuned(data)
            print(f"\n{cls.__name__}.tuned: {engine!r} in {time.perf_counter() - t0:.0f} s")
            print(engine.tuning.round(4).to_string())


if __name__ == "__main__":
    main()
