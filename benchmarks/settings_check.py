"""Do the yardstick's scores move when its refits use fewer draws?

Compares the per-race scores of yardstick runs on the same targets (``benchmarks/yardstick.py
--out DIR`` writes ``DIR/races.csv``): two runs at the reduced settings with different seeds
measure the Monte-Carlo error of a reduced run; a run at the default settings is then compared
with each of them. If the default's per-race differences to a reduced run are no larger than the
differences between the two reduced runs, and the mean moves by less than the reduced runs'
own spread, the reduced settings do not change the scores beyond their Monte-Carlo error.

    .venv/bin/python benchmarks/settings_check.py reduced_a=DIR reduced_b=DIR default=DIR
        [--model default] [--report benchmarks/settings_check.md]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from rivalrymodel.data.files import write_text_atomically
from rivalrymodel.evaluation.metrics import bootstrap_mean

METRICS = {"log_loss": "winner log loss", "top3_log_loss": "top-3 log loss",
           "pair_log_loss": "pairwise log loss", "rps": "RPS"}  # fmt: skip


def per_race(runs: dict[str, Path], model: str) -> pd.DataFrame:
    """One row per target race, one column per (run, metric); races every run scored."""
    frames = []
    for label, folder in runs.items():
        races = pd.read_csv(folder / "races.csv")
        races = races[races["model"] == model].set_index("race_id")[list(METRICS)]
        frames.append(races.add_prefix(f"{label}:"))
    return pd.concat(frames, axis=1, join="inner")


def compare(table: pd.DataFrame, a: str, b: str, metric: str, reps: int = 2000) -> dict:
    """Paired per-race difference a - b: mean with a 90% bootstrap interval, and its RMS."""
    d = (table[f"{a}:{metric}"] - table[f"{b}:{metric}"]).to_numpy()
    mean, lo, hi = bootstrap_mean(d, reps=reps, random_seed=0)
    return {"pair": f"{a} - {b}", "metric": METRICS[metric], "races": len(d), "mean": mean,
            "lo": lo, "hi": hi, "rms": float(np.sqrt(np.mean(d**2))),
            "max_abs": float(np.max(np.abs(d)))}  # fmt: skip


def report(table: pd.DataFrame, labels: list[str], command: str) -> str:
    ref_a, ref_b, *others = labels
    lines = [
        "# The yardstick's scores at reduced and default refit settings",
        "",
        f"`{command}`",
        "",
        f"{len(table)} target races scored by every run. Means per run:",
        "",
        "| metric | " + " | ".join(labels) + " |",
        "|---|" + "---|" * len(labels),
    ]
    for m, name in METRICS.items():
        means = [f"{table[f'{lab}:{m}'].mean():.4f}" for lab in labels]
        lines.append(f"| {name} | " + " | ".join(means) + " |")
    lines += [
        "",
        "Paired per-race differences (90% bootstrap interval of the mean; RMS and largest "
        f"absolute per-race difference). `{ref_a} - {ref_b}` is the Monte-Carlo error of a "
        "reduced run:",
        "",
        "| pair | metric | races | mean [90%] | RMS | max abs |",
        "|---|---|---|---|---|---|",
    ]
    pairs = [(ref_a, ref_b)] + [(o, r) for o in others for r in (ref_a, ref_b)]
    for a, b in pairs:
        for m in METRICS:
            c = compare(table, a, b, m)
            lines.append(
                f"| {c['pair']} | {c['metric']} | {c['races']} | {c['mean']:+.4f} "
                f"[{c['lo']:+.4f}, {c['hi']:+.4f}] | {c['rms']:.4f} | {c['max_abs']:.4f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="LABEL=DIR; the first two are the reduced runs")
    p.add_argument("--model", default="default")
    p.add_argument("--report", default=str(Path(__file__).parent / "settings_check.md"))
    args = p.parse_args(argv)
    runs = {}
    for item in args.runs:
        label, sep, folder = item.partition("=")
        if not sep or not (Path(folder) / "races.csv").exists():
            p.error(f"{item!r}: want LABEL=DIR with DIR/races.csv")
        runs[label] = Path(folder)
    if len(runs) < 3:
        p.error("give two reduced runs and at least one more")
    table = per_race(runs, args.model)
    words = sys.argv[1:] if argv is None else argv
    text = report(table, list(runs), "python benchmarks/settings_check.py " + shlex.join(words))
    write_text_atomically(args.report, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
