"""The ``rivalrymodel`` command."""

from __future__ import annotations

import argparse
import sys

from .coverage import absence_counts, athlete_races, coverage
from .data import load_dataset
from .schema import DataValidationError


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
    return 0


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataValidationError as err:
        print(f"rivalrymodel: invalid data: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
