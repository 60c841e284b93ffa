"""The yardstick's sets that show where it matters, from the forecasts of earlier runs.

Matches the forecasts of the ``--with`` runs (``benchmarks/yardstick.py --out`` folders, first
given wins) to the targets of the pooled yardstick (``all``) and of ``global_championship``,
``preseason``, ``in_championship`` and ``season_2026`` (a forecast counts for a target only if
made from the target's origin), and writes per set, its holdout season apart, the winner log
loss of every forecaster on the same races with the paired interval to the best peer, the ECE
of P(win) and the reliability plot's top two bins (``rivalrymodel.report.sets_report``).

    .venv/bin/python benchmarks/yardstick_sets.py --with benchmarks/yardstick[,DIR...]
        [--models default,choix,...] [--report benchmarks/yardstick_sets.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from pathlib import Path

import rivalrymodel as rm
from rivalrymodel.data.files import write_text_atomically
from rivalrymodel.evaluation import SETS, Backtest, yardstick_targets
from rivalrymodel.evaluation.targets import EXTRA_SETS
from rivalrymodel.report import sets_report

ROOT = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--with", dest="runs", required=True, metavar="DIR,...")
    p.add_argument("--models", default="default,choix,elo,ttt,openskill,season_best,uniform",
                   help="forecasters to show, the reference first")  # fmt: skip
    p.add_argument("--report", default=str(ROOT / "yardstick_sets.md"))
    p.add_argument("--reps", type=int, default=2000, help="bootstrap replicates")
    args = p.parse_args(argv)
    data = rm.load_dataset()
    targets = yardstick_targets(data, sets=SETS + EXTRA_SETS)
    runs = [Backtest.load(folder) for folder in args.runs.split(",")]
    models = [m for m in args.models.split(",") if m]
    command = "python benchmarks/yardstick_sets.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    header = (
        "# The yardstick's sets: where it matters\n\n"
        f"Generated {dt.date.today():%Y-%m-%d} by `{command.strip()}` ({data}) from the "
        f"forecasts in `{args.runs}`. A target is a race and the origin it is forecast from; "
        "every forecaster saw `data.as_of(origin)` only. `all`: the pooled yardstick "
        "(championship races 2021-2025 from the first day of their event's rounds, "
        "invitational and open races 2022-2025 from the 1st of their month); "
        "`global_championship`: every Olympic and World Championship race from 2017 on, "
        "origins as in `all`; `preseason`: every target of a season from 1 January of that "
        "season; `in_championship`: each championship final from its own day, its rounds in "
        "the data; `season_2026`: every 2026 target by the rules of `all`. The 2026 part of "
        "each set (the holdout) is shown on its own. `targets`: the set's targets; `races`: "
        "those every forecaster shown forecast from their origins in these runs (the others "
        "need runs from their origins: `benchmarks/yardstick.py --set NAME`).\n"
    )
    text = header + "\n" + sets_report(runs, targets, models=models, reps=args.reps)
    write_text_atomically(args.report, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
