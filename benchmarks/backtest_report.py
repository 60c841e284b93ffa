"""Markdown tables of a backtest's summary, every metric with its 90% bootstrap interval.

Run: ``.venv/bin/python benchmarks/backtest_report.py results/backtest_variants`` after
``rivalrymodel backtest ... --out results/backtest_variants``; paste the output into
benchmarks/backtest.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

METRICS = [
    ("log_loss", "winner log loss"),
    ("brier", "Brier"),
    ("rps", "RPS"),
    ("top3_log_loss", "top-3 log loss"),
    ("pair_accuracy", "pairwise accuracy"),
    ("pair_log_loss", "pairwise log loss"),
]


def main(folder: str) -> None:
    s = pd.read_csv(Path(folder) / "summary.csv")
    for tset, g in s.groupby("set"):
        g = g.sort_values("log_loss")
        print(f"\n### {tset} ({int(g['races'].iloc[0])} races)\n")
        head = ["model"] + [label for _, label in METRICS] + ["ECE win", "ECE podium"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for _, r in g.iterrows():
            cells = [r["model"]] + [
                f"{r[m]:.3f} [{r[m + '_lo']:.3f}, {r[m + '_hi']:.3f}]" for m, _ in METRICS
            ]
            cells += [f"{r['ece_win']:.3f}", f"{r['ece_podium']:.3f}"]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/backtest_variants")
