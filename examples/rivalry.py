"""Ingebrigtsen vs Kerr: P(Kerr finishes ahead) through 2021-2025, in paced and unpaced 1500m races.

Fitted on all the bundled data (to the end of 2025), so this looks back: each season's
probability uses every race of the period, before and after. Alongside, the record of the
races both ran, from the data. Run: ``python examples/rivalry.py [--quick]``.
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from _common import fit_as_of, parser, save

import rivalrymodel as rm
from rivalrymodel.forecasting import roster_rows
from rivalrymodel.plotting import plot_abilities, plot_rivalry

KERR, JAKOB = "Josh Kerr", "Jakob Ingebrigtsen"
# Ability changes by season in the model: one date per season (mid-season) says it all.
DATES = [f"{year}-07-15" for year in range(2021, 2026)]


def meetings(data: rm.RaceData, ia: str, ib: str) -> pd.DataFrame:
    """Races both finished (athlete ids ``ia``, ``ib``), with who was ahead."""
    res = data.results[data.results["status"].eq("OK")]
    pa = res[res["athlete_id"].eq(ia)].set_index("race_id")["place"]
    pb = res[res["athlete_id"].eq(ib)].set_index("race_id")["place"]
    both = pd.concat({"a": pa, "b": pb}, axis=1, join="inner")
    races = data.races.set_index("race_id").loc[both.index]
    return pd.DataFrame(
        {
            "season": races["season"],
            "paced": races["paced"],
            "a_ahead": both["a"] < both["b"],
        }
    )


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__.splitlines()[0]).parse_args(argv)
    data = rm.load_dataset()
    fit = fit_as_of(args, "2026-01-01")
    # Hindcasts: the fit has seen the races around these dates.
    h2h = rm.rivalry(
        fit, KERR, JAKOB, DATES, paced=(True, False), hindcast=True, random_seed=args.seed
    )
    table = h2h.assign(
        race=h2h["paced"].map({True: "paced", False: "unpaced"}),
        date=h2h["date"].dt.strftime("%Y-%m-%d"),
        p=[
            f"{100 * p:4.1f}% [{100 * lo:4.1f}, {100 * hi:4.1f}]"
            for p, lo, hi in h2h[["p_a_ahead", "p_a_ahead_lo", "p_a_ahead_hi"]].to_numpy()
        ],
    )
    wide = table.pivot(index="date", columns="race", values="p")
    print(f"\nP({KERR} ahead of {JAKOB}) in a 1500m race, mean [90% interval]:")
    print(wide.to_string())

    ids = roster_rows(fit, [KERR, JAKOB])["athlete_id"]
    record = meetings(data, ids[0], ids[1])
    summary = record.groupby(["season", "paced"])["a_ahead"].agg(["sum", "count"])
    summary.columns = ["Kerr ahead", "races"]
    print(f"\nRaces both finished in the bundled data (any distance): {len(record)}")
    print(summary.to_string())

    print()
    save(plot_rivalry(h2h), args.out, "rivalry_kerr_ingebrigtsen.png")
    ax = plot_abilities(fit, [JAKOB, KERR], seasons=range(2019, 2026), unpaced=True)
    ax.set_title("Ability in an unpaced 1500m (championship style), 90% bands")
    save(ax, args.out, "rivalry_abilities.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
