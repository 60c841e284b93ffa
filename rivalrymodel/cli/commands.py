"""The ``rivalrymodel`` command."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

from ..data.coverage import absence_counts, athlete_races, championship_rounds, coverage
from ..data.files import write_table
from ..data.racedata import bundled_data_dir, load_dataset
from ..data.schema import DataValidationError, Event, Round
from ..errors import RivalryModelError
from ..forecasting.horizon import STALE_DAYS, check_ahead, describe_age
from ..inference import DEFAULT, QUICK
from ..models.intervals import LABEL
from .checks import UsageError as _UsageError
from .checks import check_options, dask_executor, load_data, start_list_names
from .checks import say as _say


def _summary(args: argparse.Namespace) -> int:
    data = load_dataset(args.data)
    table = coverage(data)
    if not args.all_rows:
        table = table[table["event"].eq("all") | table["season"].eq("all")]
    print(f"{data}\n")
    print("Coverage per season x event (races_2plus: races with two or more known runners;")
    print("complete: every starter known; results exclude DNS)\n")
    print(table.to_string(index=False))
    print("\nRaces per season (DNS excluded)\n")
    print(athlete_races(data).to_string())
    print("\nAbsences (injury, illness, other) with announcement dates\n")
    print(absence_counts(data).to_string())
    champs = Path(args.data or bundled_data_dir()) / "sources" / "championships.csv"
    if champs.is_file():
        rounds = championship_rounds(data, pd.read_csv(champs))
        done = int((rounds["final"] == "complete").sum())
        print(f"\nChampionship finals: {done} of {len(rounds)} complete")
        print("(semis, heats: complete races / races known)\n")
        print(rounds.to_string(index=False))
    return 0


def _get_fit(args: argparse.Namespace, day: pd.Timestamp | None):
    """A saved fit (--fit), or one sampled (and cached) on the data before --as-of / the date."""
    from ..inference import cached_fit, load_fit
    from ..spec import variants

    if getattr(args, "fit", None):
        _say(f"loading {args.fit}")
        fit = load_fit(args.fit)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit.check()
        for w in caught:
            _say(f"warning: {w.message}")
        return fit
    as_of = pd.Timestamp(args.as_of) if args.as_of else day
    if as_of is None:
        raise _UsageError("give --as-of DATE (fit on the data strictly before it) or --fit FILE")
    table = variants()
    if args.variant not in table:
        raise _UsageError(f"unknown --variant {args.variant!r}; choose from {', '.join(table)}")
    data = load_data(args).as_of(as_of)
    if day is not None:
        check_ahead(data.data_end, day)  # before minutes of sampling, not after
    settings = args.settings
    _say(
        f"fitting {args.variant} on {settings.data(data)}: {settings.describe()} "
        "(minutes for the full data; a cached fit is reused)"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cached_fit(table[args.variant], data, settings, random_seed=args.seed)
    for w in caught:
        _say(f"warning: {w.message}")
    _say(f"fit ready: {fit}")
    return fit


def _fit(args: argparse.Namespace) -> int:
    fit = _get_fit(args, None)
    path = fit.save(args.out)
    print(f"saved {fit} to {path}")
    return 0


def _start_list(args: argparse.Namespace):
    from ..forecasting import StartList

    if bool(args.athletes) == bool(args.start_list):
        raise _UsageError("give either --athletes 'name;name;...' or --start-list FILE")
    if args.athletes:
        names = [a.strip() for a in args.athletes.split(";") if a.strip()]
    else:
        names = start_list_names(args.start_list)
    return StartList(
        tuple(names),
        event=args.event,
        date=args.date,
        round=args.round,
        paced=args.paced,
        indoor=args.indoor,
        global_championship=args.global_championship,
    )


def _forecast(args: argparse.Namespace) -> int:
    sl = _start_list(args)
    from ..forecasting import forecast

    fit = _get_fit(args, sl.date)
    fc = forecast(fit, sl, top_k=args.top_k, injury=not args.no_injury, random_seed=args.seed)
    print(repr(fc))
    _note_unknown(fc.table)
    _note_age(fc.data_end, sl.date)
    if args.out:
        _say(f"wrote {fc.to_file(args.out)}")
    return 0


def _note_age(data_end: pd.Timestamp | None, day: pd.Timestamp) -> None:
    """One line on stderr when the data end more than STALE_DAYS before the race."""
    if data_end is not None and (day - data_end).days > STALE_DAYS:
        _say(
            f"notice: the data end on {data_end:%Y-%m-%d}, {(day - data_end).days} days before "
            f"the race (more than {STALE_DAYS}): races since then are not in this forecast; "
            "add them with --add-results SHEET"
        )


def _note_unknown(table: pd.DataFrame) -> None:
    new = table.loc[~table["known"].astype(bool), "athlete"]
    if len(new):
        _say(
            f"note: no results before the fit's cutoff for {', '.join(new)}: their numbers are "
            "the population's (marked * in the table, known = false in --out)"
        )


def _h2h(args: argparse.Namespace) -> int:
    from ..forecasting import head_to_head

    day = pd.Timestamp(args.date)
    fit = _get_fit(args, day)
    df = head_to_head(
        fit, args.a, args.b, date=day, event=args.event, paced=args.paced, random_seed=args.seed
    )
    r = df.iloc[0]
    kind = "paced" if args.paced else "unpaced"
    print(
        f"P({r['athlete_a']} ahead of {r['athlete_b']}) in a {kind} {args.event} race on "
        f"{day:%Y-%m-%d}: {100 * r['p_a_ahead']:.1f}% "
        f"({LABEL} interval {100 * r['p_a_ahead_lo']:.1f}-{100 * r['p_a_ahead_hi']:.1f}%)"
        + (f"; {describe_age(fit.data_end, day)}" if fit.data_end is not None else "")
    )
    _note_age(fit.data_end, day)
    return 0


def _backtest(args: argparse.Namespace) -> int:
    import concurrent.futures as cf

    from ..evaluation import BASELINES, backtest, default_targets, yardstick_targets
    from ..spec import variants

    table = variants()
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    if not names and not args.baselines:
        raise _UsageError("nothing to backtest: give --variants and/or --baselines")
    unknown = [v for v in names if v not in table]
    if unknown:
        raise _UsageError(f"unknown variant(s) {unknown}; choose from {', '.join(table)}")
    base = (
        list(BASELINES)
        if args.baselines == "all"
        else [b.strip() for b in args.baselines.split(",") if b.strip()]
    )
    # The scheduler first: an address that does not answer is told before the data load.
    if args.scheduler:
        executor = dask_executor(args.scheduler)
    else:
        executor = cf.ProcessPoolExecutor(max_workers=args.workers)
    data = load_data(args)
    targets = yardstick_targets(data) if args.targets == "yardstick" else default_targets(data)
    if args.quick:
        # A smoke run: the last season's championship finals, quick fits (args.settings).
        targets = targets[targets["set"].eq("championship_final")].tail(3)
    if args.refit:
        targets = targets.drop(columns="origin", errors="ignore")
    when = args.refit or ("at each target's origin" if "origin" in targets else "season")
    _say(f"backtest: {len(targets)} target races, models {names + base}, refit {when}")
    result = backtest(
        [table[v] for v in names] + base,
        data,
        targets,
        refit=args.refit,
        executor=executor,
        settings=args.settings,
        random_seed=args.seed,
    )
    executor.shutdown()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)  # only now: a failed run leaves no empty folder
    result.save(out)
    summary = result.summary()
    write_table(out / "summary.csv", summary)
    ref = names[0] if names else base[0]
    diffs = result.differences(ref)
    write_table(out / f"differences_vs_{ref}.csv", diffs)
    import matplotlib

    from ..plotting import plot_calibration

    matplotlib.use("Agg")
    ax = plot_calibration(result, [*names, *base])
    ax.figure.savefig(out / "calibration.png", dpi=120)
    cols = ["model", "set", "races", "log_loss", "brier", "rps", "pair_accuracy", "ece_win"]
    print(summary[cols].round(3).to_string(index=False))
    print(f"\nlog loss minus {ref}'s, per race (negative: better than {ref}):")
    print(diffs.round(3).to_string(index=False))
    for note in result.notes:
        _say(f"convergence: {note}")
    _say(f"wrote {out}/races.csv, probabilities.csv, summary.csv, calibration.png")
    return 0


def _fit_options(p: argparse.ArgumentParser, *, saved: bool) -> None:
    if saved:
        p.add_argument("--fit", metavar="FILE", help="a fit saved by `rivalrymodel fit`")
    p.add_argument(
        "--as-of",
        metavar="DATE",
        help="fit on the data strictly before DATE"
        + (" (default: the race date)" if saved else ""),
    )
    p.add_argument("--variant", help="model variant (default: default)")
    _sampler_options(p, f"{QUICK.describe()}; will not converge")


def _sampler_options(p: argparse.ArgumentParser, quick: str) -> None:
    """Sampler settings, --quick (a smoke run: ``quick`` says what it does), data and seed."""
    p.add_argument(
        "--draws", type=int,
        help=f"draws per chain (default {DEFAULT.draws}, doubled while a check fails)",
    )  # fmt: skip
    p.add_argument(
        "--max-draws", type=int,
        help=f"double the draws up to this while a check fails (default {DEFAULT.max_draws} "
        "with the default draws, else no doubling)",
    )  # fmt: skip
    p.add_argument("--tune", type=int, help=f"warm-up draws (default {DEFAULT.tune})")
    p.add_argument("--chains", type=int, help=f"chains (default {DEFAULT.chains})")
    p.add_argument("--quick", action="store_true", help=f"smoke run: {quick}")
    p.add_argument("--data", metavar="DIR", help="dataset folder (default: the bundled data/)")
    p.add_argument(
        "--add-results", metavar="SHEET", help="your own results sheet (README: own results)"
    )
    p.add_argument("--add-absences", metavar="SHEET", help="your own absences sheet")
    p.add_argument("--replace-results", action="store_true", help="sheet races replace data's")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")


def _race_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date", required=True, metavar="DATE", help="race date, YYYY-MM-DD")
    p.add_argument("--event", default="1500m", choices=[e.value for e in Event])
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--paced", dest="paced", action="store_true", help="a paced race")
    pace.add_argument(
        "--unpaced", dest="paced", action="store_false", help="a championship race (default)"
    )
    p.set_defaults(paced=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rivalrymodel",
        description="Bayesian forecasts of men's 1500m / mile / 3000m / 2 miles / 5000m races.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "summary",
        help="print the coverage of the dataset",
        description="Races, complete fields, results and athletes per season and "
        "event, and races per season of Ingebrigtsen and Kerr.",
    )
    p.add_argument("--data", metavar="DIR", help="dataset folder (default: the bundled data/)")
    p.add_argument(
        "--by-event",
        dest="all_rows",
        action="store_true",
        help="one row per season x event instead of per season",
    )
    p.set_defaults(func=_summary)

    p = sub.add_parser(
        "fit",
        help="fit a model variant and save it",
        description="Sample a model variant on the bundled data strictly before --as-of and "
        "save the fit (netCDF, or zarr for a .zarr path). Fits are cached, so a second run "
        "with the same options is instant.",
    )
    _fit_options(p, saved=False)
    p.add_argument("--out", required=True, metavar="FILE", help="where to save (.nc or .zarr)")
    p.set_defaults(func=_fit)

    p = sub.add_parser(
        "forecast",
        help="win and podium probabilities for a race",
        description=f"Forecast a race: P(win), P(podium), P(top k) with {LABEL} intervals and the "
        "expected place of each runner. Uses --fit FILE, or fits on the data before --as-of "
        "(default: the race date).",
    )
    _race_options(p)
    p.add_argument("--round", default="final", choices=[r.value for r in Round])
    p.add_argument("--indoor", action="store_true", help="an indoor race")
    p.add_argument(
        "--global-championship",
        action="store_true",
        help="an Olympic or World Championship race (its own noise in global_noise)",
    )
    p.add_argument("--athletes", metavar="'A;B;...'", help="runners by name or id, ';'-separated")
    p.add_argument("--start-list", metavar="FILE", help="CSV with a column 'athlete'")
    p.add_argument("--top-k", type=int, help="k of P(top k) (default 8)")
    p.add_argument("--no-injury", action="store_true", help="ignore recent absences")
    p.add_argument("--out", metavar="FILE", help="also write the table to .csv or .json")
    _fit_options(p, saved=True)
    p.set_defaults(func=_forecast)

    p = sub.add_parser(
        "h2h",
        help="P(A finishes ahead of B)",
        description=f"Head to head: P(A ahead of B) in a race on --date, with its {LABEL} "
        "interval.",
    )
    p.add_argument("a", help="athlete A (name or id)")
    p.add_argument("b", help="athlete B (name or id)")
    _race_options(p)
    _fit_options(p, saved=True)
    p.set_defaults(func=_h2h)

    p = sub.add_parser(
        "backtest",
        help="score the model and baselines on past races",
        description="Rolling-origin backtest: fit every variant and baseline on the data "
        "before each target's origin (--targets yardstick: a championship race from its "
        "event's first round, another race from the 1st of its month; or per --refit), "
        "forecast the real start list and score it. Writes races.csv, probabilities.csv, "
        "summary.csv and "
        "calibration.png to --out.",
    )
    p.add_argument("--variants", default="default", help="comma-separated model variants")
    p.add_argument(
        "--baselines", default="all", help="comma-separated baselines, 'all' or '' for none"
    )
    p.add_argument(
        "--targets", default="yardstick", choices=["yardstick", "classic"],
        help="target races: the yardstick's four sets (default) or the classic finals + DL",
    )  # fmt: skip
    p.add_argument(
        "--refit", choices=["season", "monthly", "per_race"],
        help="override the targets' origins (default: the yardstick's; classic: season)",
    )  # fmt: skip
    p.add_argument("--out", default="results/backtest", metavar="DIR")
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, tcp://host:port")
    _sampler_options(p, f"3 championship finals, {QUICK.describe()}")
    p.set_defaults(func=_backtest)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; the user's errors (the project's :class:`RivalryModelError` and a
    missing file) end in one line on stderr and status 2, Ctrl-C in one line and status 130;
    anything else is a bug and shows its traceback."""
    args = build_parser().parse_args(argv)
    try:
        check_options(args)
        return args.func(args)
    except KeyboardInterrupt:
        print(f"rivalrymodel {args.command}: interrupted", file=sys.stderr)
        return 130
    except DataValidationError as err:
        print(f"rivalrymodel: invalid data: {err}", file=sys.stderr)
        return 2
    except (RivalryModelError, FileNotFoundError) as err:
        print(f"rivalrymodel {args.command}: {err}", file=sys.stderr)
        return 2
