"""Your own results on top of the bundled data: the Millrose Games 2026, then a later mile.

``examples/own_results.csv`` holds the first five of the Millrose Games mile and the first four
of its two miles (1 February 2026, sourced row by row). The bundled data hold these two races
too since issue 29 (a hand-read supplement, four runners of the mile): the sheet replaces them
(``replace=True``), so the fits differ only where the sheet does (Coscoran's 5th place,
Wolfe's two-mile time left empty).
The model is fitted twice as of 2 February 2026, on the bundled data alone and with the sheet,
and both forecast an indoor mile of those runners two weeks later. Run:
``python examples/own_results.py [--quick]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
from _common import parser, settings_of

import rivalrymodel as rm
from rivalrymodel.inference import QUICK, cached_fit

SHEET = Path(__file__).resolve().parent / "own_results.csv"
DAY = "2026-02-02"
RACE = rm.StartList(
    ("Cameron Myers", "Yared Nuguse", "Hobbs Kessler", "Nico Young", "Cole Hocker", "Josh Kerr",
     "Parker Wolfe", "Andrew Coscoran"),
    event="mile", date="2026-02-14", round="final", paced=True, indoor=True,
    name="an indoor mile on 2026-02-14",
)  # fmt: skip


def _fit(args, data: rm.RaceData, label: str) -> rm.Fit:
    seen, settings = data.as_of(DAY), settings_of(args)
    print(f"{label}: fitting on {settings.data(seen)} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    fit = (
        rm.fit(rm.ModelSpec(), seen, settings, random_seed=args.seed)
        if args.no_cache
        else cached_fit(rm.ModelSpec(), seen, settings, random_seed=args.seed)
    )
    print(f"  ready in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return fit


def pct(m: float, lo: float, hi: float) -> str:
    return f"{100 * m:5.1f} [{100 * lo:4.1f}, {100 * hi:5.1f}]"


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__.splitlines()[0]).parse_args(argv)
    bundled = rm.load_dataset()
    mine = bundled.with_results(SHEET, replace=True)
    print(f"{SHEET.name}: {mine.added}")
    races = mine.races[~mine.races["race_id"].isin(bundled.races["race_id"])]
    for _, race in races.iterrows():
        res = mine.results[mine.results["race_id"].eq(race["race_id"])].sort_values("place")
        names = mine.athletes.set_index("athlete_id").loc[res["athlete_id"], "name"]
        order = ", ".join(f"{int(p)}. {n}" for p, n in zip(res["place"], names, strict=True))
        print(f"  {race['date']:%Y-%m-%d} {race['competition']} {race['event']}: {order}")

    before = rm.forecast(_fit(args, bundled, "bundled data"), RACE, random_seed=args.seed)
    after = rm.forecast(_fit(args, mine, "with the sheet"), RACE, random_seed=args.seed)
    cols = ["athlete", "p_win", "p_win_lo", "p_win_hi"]
    table = before.table[cols].merge(after.table[cols], on="athlete", suffixes=("_0", "_1"))
    out = pd.DataFrame(
        {
            "athlete": table["athlete"],
            "bundled data: win % [90%]": [
                pct(*r) for r in table[["p_win_0", "p_win_lo_0", "p_win_hi_0"]].to_numpy()
            ],
            "with the sheet": [
                pct(*r) for r in table[["p_win_1", "p_win_lo_1", "p_win_hi_1"]].to_numpy()
            ],
            "change (points)": (100 * (table["p_win_1"] - table["p_win_0"])).map("{:+.1f}".format),
        }
    ).sort_values("athlete", key=lambda s: -table.loc[s.index, "p_win_1"])
    print(f"\n== P(win) in {RACE.name}, forecast on {DAY} ==")
    print(out.to_string(index=False))
    if args.quick:
        months = QUICK.data_months
        print(f"\n(--quick: short fits on {months} months of data; the numbers are illustrative)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
