"""The yardstick: every forecaster on the same information, hundreds of targets, paired intervals.

Targets: ``rivalrymodel.evaluation.yardstick_targets`` (championship finals and rounds
2021-2025, invitational and open races 2022-2025), each forecast from its origin; or the sets
of ``--sets`` (also ``global_championship``, ``preseason``, ``in_championship``,
``season_2026``: one origin rule per run, so ``preseason`` and ``in_championship`` each run on
their own). Runs the model variants and the baselines through one backtest, writes the tables
to ``--out`` and the report to ``--report`` (benchmarks/backtest.md by default), with the
command and run time. ``benchmarks/yardstick_sets.py`` reports the sets of several runs.

    .venv/bin/python benchmarks/yardstick.py [--quick] [--variants default] [--baselines all]
        [--draws 500 --tune 300 --chains 2] [--workers 1] [--with DIR,... [--rename OLD=NEW]]
        [--sets preseason]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import shlex
import sys
import time
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")

import rivalrymodel as rm
from rivalrymodel.data.files import write_text_atomically
from rivalrymodel.evaluation import (
    BASELINES,
    SETS,
    Backtest,
    TunedBaseline,
    backtest,
    make_baseline,
    yardstick_targets,
)
from rivalrymodel.evaluation.targets import EXTRA_SETS
from rivalrymodel.inference import QUICK, SamplerSettings
from rivalrymodel.plotting import plot_calibration
from rivalrymodel.report import yardstick_report

ROOT = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="two targets per set, smoke-run fits")
    p.add_argument("--variants", default="default", help="comma-separated model variants")
    p.add_argument("--baselines", default="all", help="comma-separated, 'all' or ''")
    p.add_argument("--draws", type=int, default=500)
    p.add_argument("--tune", type=int, default=300)
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="results/yardstick")
    p.add_argument("--report", default=str(ROOT / "backtest.md"))
    p.add_argument(
        "--sets", "--set", default="",
        help=f"these target sets (comma-separated; default {','.join(SETS)}; "
        f"also {','.join(EXTRA_SETS)})",
    )  # fmt: skip
    p.add_argument("--origins", default="", help="only the targets of these origins (dates)")
    p.add_argument(
        "--with", dest="previous", metavar="DIR",
        help="add the forecasters of earlier runs' --out (comma-separated; same targets)",
    )  # fmt: skip
    p.add_argument("--reference", help="the forecaster the others are paired with (first)")
    p.add_argument(
        "--rename", default="", metavar="OLD=NEW,...",
        help="forecasters of the --with runs made under an earlier name of the same spec",
    )  # fmt: skip
    p.add_argument("--compress", action="store_true", help="write the --out tables gzipped")
    args = p.parse_args(argv)
    try:
        renames = dict(pair.split("=") for pair in args.rename.split(",") if pair)
    except ValueError:
        p.error(f"--rename: give OLD=NEW pairs, not {args.rename!r}")
    start = time.perf_counter()
    data = rm.load_dataset()
    try:
        targets = yardstick_targets(data, sets=args.sets.split(",") if args.sets else SETS)
    except ValueError as e:
        p.error(str(e))
    settings = SamplerSettings(draws=args.draws, tune=args.tune, chains=args.chains)
    if args.origins:
        keep = targets["origin"].dt.strftime("%Y-%m-%d").isin(args.origins.split(","))
        targets = targets[keep]
    if args.quick:
        targets = targets.groupby("set").head(1)
        settings = QUICK
    variants = [rm.variants()[v] for v in args.variants.split(",") if v]
    names = (
        list(BASELINES) if args.baselines == "all" else [b for b in args.baselines.split(",") if b]
    )
    run_names = [v.name for v in variants] + names
    if args.reference and not args.previous and args.reference not in run_names:
        p.error(f"--reference {args.reference!r} is none of the forecasters run: {run_names}")
    # The peers' tuning grids take minutes; a smoke run skips them.
    untuned = {"tune": False} if args.quick else {}
    baselines = [
        make_baseline(n, **(untuned if issubclass(BASELINES[n], TunedBaseline) else {}))
        for n in names
    ]
    if not run_names and not args.previous:
        p.error("nothing to run: give --variants, --baselines or --with")
    if run_names:
        with cf.ProcessPoolExecutor(args.workers) as ex:
            bt = backtest(
                [*variants, *baselines], data, targets, executor=ex, settings=settings,
                random_seed=args.seed,
            )  # fmt: skip
    else:  # only re-render an earlier run (--with)
        bt = Backtest(pd.DataFrame(columns=["model", "race_id"]),
                      pd.DataFrame(columns=["model", "race_id"]))  # fmt: skip
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for folder in args.previous.split(",") if args.previous else []:
        bt = _with_previous(bt, Path(folder), targets, renames)
    bt.save(out, compress=args.compress)
    models = [v.name for v in variants] + names
    models += [m for m in bt.races["model"].unique() if m not in models]
    stem = "yardstick" if Path(args.report).name == "backtest.md" else Path(args.report).stem
    figure = Path(args.report).parent / "figures" / f"{stem}_calibration.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    plot_calibration(bt, models).figure.savefig(figure, dpi=110)
    seconds = time.perf_counter() - start
    command = "python benchmarks/yardstick.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    quick = f" (quick: {settings.data_months} months of data)" if settings.quick else ""
    if variants:
        refits = (
            f"Model refits: {settings.chains} chains x {settings.draws} draws after "
            f"{settings.tune} warm-up{quick}."
        )
    elif args.previous:
        refits = f"The forecasters come from the earlier runs in `{args.previous}`."
    else:
        refits = "Baselines only (no model variant in this run)."
    header = (
        "# The yardstick: forecasters on the same information\n\n"
        f"Generated {dt.date.today():%Y-%m-%d} by `{command.strip()}` in "
        f"{seconds / 60:.1f} minutes ({data}). Every forecaster is fitted at each target's "
        "origin on `data.as_of(origin)`: a championship race from the first day of its "
        "championship's rounds of the event, any other race from the first day of its month"
        f"{_origin_rules(targets)}. {refits} Reliability of P(win): "
        f"`{figure.relative_to(Path(args.report).parent)}`.\n"
    )
    reference = args.reference or models[0]
    if reference not in models:
        p.error(f"--reference {reference!r} is none of the forecasters run: {models}")
    text = yardstick_report(bt, targets, data, reference=reference, header=header)
    write_text_atomically(args.report, text)
    print(text)
    return 0


def _origin_rules(targets) -> str:
    """The origins of the extra sets in ``targets``, as a clause of the report's header."""
    rules = {
        "preseason": "in `preseason` every race from 1 January of its season",
        "in_championship": "in `in_championship` each championship final from its own day (the "
        "rounds before it in the data)",
    }  # fmt: skip
    said = [text for name, text in rules.items() if name in set(targets["set"])]
    return "; " + "; ".join(said) if said else ""


def _with_previous(bt: Backtest, folder: Path, targets, renames=None) -> Backtest:
    """``bt`` with the forecasts of an earlier run on these targets, from their origins, that it
    does not have yet (each (forecaster, race) once), so runs of one forecaster on different
    origins add up; ``renames`` maps an earlier name of a forecaster to its name now."""
    prev = Backtest.load(folder)
    wanted = set(zip(targets["race_id"], pd.to_datetime(targets["origin"]), strict=True))
    pairs = zip(prev.races["race_id"], pd.to_datetime(prev.races["origin"]), strict=True)
    races = prev.races[[pair in wanted for pair in pairs]]
    probs = prev.probabilities[prev.probabilities["race_id"].isin(races["race_id"])]
    if renames:
        races = races.assign(model=races["model"].replace(renames))
        probs = probs.assign(model=probs["model"].replace(renames))
    return bt.combine(Backtest(races, probs))


if __name__ == "__main__":
    raise SystemExit(main())
