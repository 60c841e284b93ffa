"""Paris 2024 Olympic Games: the men's 1500m round by round and the 5000m final.

Fitted on the bundled data strictly before 2 August 2024, the day of the 1500m heats, and
forecast from each round's start list as the bundled data know them. The repechage round is
not simulated: each round is forecast from its real start list, and the last two rounds are
also simulated together from the semi-finalists. Run: ``python examples/paris_2024.py [--quick]``.
"""

from __future__ import annotations

import dataclasses
import sys

import matplotlib

matplotlib.use("Agg")

from _common import fit_as_of, parser, races, save

import rivalrymodel as rm
from rivalrymodel.forecasting.forecast import format_table
from rivalrymodel.plotting import plot_forecast

DAY = "2024-08-02"
COMPETITION = "2024 Summer Olympics"
# Qualifying rules as the results give them (data/sources/supplement/NOTES_paris_2024.md): heats,
# first 6 to the semis and the rest to the repechage; repechage, first 3 to the semis; semis,
# first 6 to the final.
ADVANCE = {"2024-08-02": 6, "2024-08-03": 3}


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__.splitlines()[0]).parse_args(argv)
    data = rm.load_dataset()
    fit = fit_as_of(args, DAY)

    first = [rm.StartList.from_race(data, r) for r in races(data, COMPETITION, "1500m", "heat")]
    for heat in first:
        heat = dataclasses.replace(heat, advance=ADVANCE.get(f"{heat.date:%Y-%m-%d}"))
        kind = "repechage" if heat.advance == 3 else "heat"
        fc = rm.forecast(fit, heat, random_seed=args.seed)
        print(
            f"\n{heat.name} ({kind}, {heat.date:%Y-%m-%d}; top-k: the first {heat.advance} go on)"
        )
        print(format_table(fc.table, rows=8))

    semis = [
        dataclasses.replace(rm.StartList.from_race(data, r), advance=6)
        for r in races(data, COMPETITION, "1500m", "semi")
    ]
    champ = rm.simulate_championship(fit, semis, [rm.Qualify(6, 0)], random_seed=args.seed)
    print("\n== Men's 1500m from the semi-finals (%: reach the final, medal, win) ==")
    cols = ["p_final", "p_medal", "p_win"]
    shown = champ[["athlete", "heat"]].assign(**{c: (100 * champ[c]).round(1) for c in cols})
    print(shown.head(12).to_string(index=False))

    final_1500 = rm.StartList.from_race(data, races(data, COMPETITION, "1500m", "final")[0])
    fc_1500 = rm.forecast(fit, final_1500, random_seed=args.seed)
    print(f"\n== Men's 1500m final ({len(final_1500.athletes)} finalists), forecast on {DAY} ==")
    print(format_table(fc_1500.table))

    final_5000 = rm.StartList.from_race(data, races(data, COMPETITION, "5000m", "final")[0])
    fc_5000 = rm.forecast(fit, final_5000, random_seed=args.seed)
    print(
        f"\n== Men's 5000m final ({len(final_5000.athletes)} of 22 finalists known), "
        f"forecast on {DAY} =="
    )
    print(format_table(fc_5000.table, rows=12))

    print()
    save(plot_forecast(fc_1500), args.out, "paris_2024_1500m_final.png")
    save(plot_forecast(fc_5000), args.out, "paris_2024_5000m_final.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
