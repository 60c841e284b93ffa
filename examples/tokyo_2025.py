"""Tokyo 2025 World Championships: the men's 1500m round by round and the 5000m final.

Fitted on the bundled data strictly before 13 September 2025, the first day of the
championships (the 1500m heats ran on the 14th), and forecast from the start lists as the
bundled data know them. Run: ``python examples/tokyo_2025.py [--quick]``.
"""

from __future__ import annotations

import dataclasses
import sys

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from _common import fit_as_of, parser, races, save

import rivalrymodel as rm
from rivalrymodel.forecasting.forecast import format_table
from rivalrymodel.plotting import plot_forecast

DAY = "2025-09-13"
COMPETITION = "2025 World Athletics Championships"
# Qualifying rules as the results give them (data/sources/supplement/NOTES_tokyo_2025.md): the
# first 6 of each of the 4 heats to 2 semis, the first 6 of each semi to the final (the referee
# and the jury of appeal added two more finalists, which no rule can foresee).
RULES_1500 = [rm.Qualify(6, 0, next_sections=2), rm.Qualify(6, 0)]
JAKOB = "Jakob Ingebrigtsen"
IDS = {JAKOB: "14653717", "Isaac Nader": "14756630"}  # data/athletes.csv


def pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def _signed(x: float) -> str:
    return f"{x:+.2f}" if abs(x) >= 0.005 else ""


def championship_table(df: pd.DataFrame, rows: int = 15) -> str:
    cols = [c for c in ("p_semi", "p_final", "p_medal", "p_win") if c in df]
    out = df[["athlete", "heat"]].assign(**{c: df[c].map(pct) for c in cols})
    out = out.assign(injury=df["injury"].map(_signed))
    return out.head(rows).to_string(index=False)


def _cell(table: pd.DataFrame, name: str, col: str) -> str:
    row = table[table["athlete_id"].eq(name)]
    if not len(row):
        return "not in the race"
    r = row.iloc[0]
    return f"{pct(r[col]).strip()} [{pct(r[col + '_lo']).strip()}, {pct(r[col + '_hi']).strip()}]"


def compare(args, data: rm.RaceData, names: list[str]) -> None:
    """How each model variant moves Ingebrigtsen's and Nader's numbers (markdown table).

    The 1500m is simulated round by round from the heats (a point probability: the posterior
    predictive, pooled over draws); the heat and the finals are forecast from their start lists,
    with 90% intervals over the posterior draws.
    """
    ids = IDS
    heats = [
        dataclasses.replace(rm.StartList.from_race(data, r), advance=6)
        for r in races(data, COMPETITION, "1500m", "heat")
    ]
    heat = next(h for h in heats if ids[JAKOB] in h.athletes)
    finals = {e: rm.StartList.from_race(data, races(data, COMPETITION, e, "final")[0])
              for e in ("1500m", "5000m")}  # fmt: skip
    head = ("| variant | Ingebrigtsen: top 6 of his heat | Ingebrigtsen: win 1500m, round by "
            "round | Nader: win 1500m, round by round | Nader: win 1500m final (start list) | "
            "Ingebrigtsen: win 5000m final |")  # fmt: skip
    print(f"\n== P (%) [90%] by model variant, forecast on {DAY} ==\n")
    print(head + "\n|" + "---|" * 6)
    for name in names:
        fit = fit_as_of(args, DAY, rm.variants()[name])
        champ = rm.simulate_championship(fit, heats, RULES_1500, random_seed=args.seed)
        heat_t = rm.forecast(fit, heat, random_seed=args.seed).table
        f15 = rm.forecast(fit, finals["1500m"], random_seed=args.seed).table
        f50 = rm.forecast(fit, finals["5000m"], random_seed=args.seed).table
        jakob, nader = ids[JAKOB], ids["Isaac Nader"]
        rounds = champ.set_index("athlete_id")["p_win"]
        cells = [_cell(heat_t, jakob, "p_top_k"), pct(rounds.get(jakob, 0.0)).strip(),
                 pct(rounds.get(nader, 0.0)).strip(), _cell(f15, nader, "p_win"),
                 _cell(f50, jakob, "p_win")]  # fmt: skip
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument(
        "--compare", metavar="VARIANTS",
        help="only a table of how these model variants (comma-separated, e.g. "
        "full,default,seasonal,layoff) move Ingebrigtsen's and Nader's numbers",
    )  # fmt: skip
    args = p.parse_args(argv)
    data = rm.load_dataset()
    if args.compare:
        compare(args, data, args.compare.split(","))
        return 0
    fit = fit_as_of(args, DAY)

    heats = [
        dataclasses.replace(rm.StartList.from_race(data, r), advance=6)
        for r in races(data, COMPETITION, "1500m", "heat")
    ]
    sizes = ", ".join(str(len(h.athletes)) for h in heats)
    print(f"\n== Men's 1500m, {len(heats)} heats on {heats[0].date:%Y-%m-%d} ==")
    print(f"Runners per heat known to the bundled data: {sizes} (the real heats had more).")
    champ = rm.simulate_championship(fit, heats, RULES_1500, random_seed=args.seed)
    print("Championship simulated round by round (%: reach the semi, the final, medal, win):")
    print(championship_table(champ))

    for heat in heats:
        fc = rm.forecast(fit, heat, random_seed=args.seed)
        print(f"\n{heat.name} (top-k: the first 6 qualify)")
        print(format_table(fc.table, rows=8))

    final_1500 = rm.StartList.from_race(data, races(data, COMPETITION, "1500m", "final")[0])
    fc_1500 = rm.forecast(fit, final_1500, random_seed=args.seed)
    print(f"\n== Men's 1500m final ({len(final_1500.athletes)} finalists known), forecast on {DAY}")
    print(format_table(fc_1500.table))

    final_5000 = rm.StartList.from_race(data, races(data, COMPETITION, "5000m", "final")[0])
    fc_5000 = rm.forecast(fit, final_5000, random_seed=args.seed)
    print(f"\n== Men's 5000m final ({len(final_5000.athletes)} finalists known), forecast on {DAY}")
    print(format_table(fc_5000.table))

    print(f"\n== {JAKOB}: with and without the injury term (same fit) ==")
    plain = rm.simulate_championship(fit, heats, RULES_1500, injury=False, random_seed=args.seed)
    no_inj_5000 = rm.forecast(fit, final_5000, injury=False, random_seed=args.seed)
    row = {
        "1500m P(final)": (champ, plain, "p_final"),
        "1500m P(win)": (champ, plain, "p_win"),
        "5000m final P(win)": (fc_5000.table, no_inj_5000.table, "p_win"),
        "5000m final P(podium)": (fc_5000.table, no_inj_5000.table, "p_podium"),
    }
    for label, (with_, without, col) in row.items():
        a = with_.set_index("athlete").filter(like="INGEBRIGTSEN", axis=0)
        b = without.set_index("athlete").filter(like="INGEBRIGTSEN", axis=0)
        if len(a):
            print(f"  {label:24s} with {pct(a[col].iloc[0])}%   without {pct(b[col].iloc[0])}%")
    effect = fc_5000.table.set_index("athlete").filter(like="INGEBRIGTSEN", axis=0)["injury"]
    if len(effect):
        print(f"  injury term on the race day: {effect.iloc[0]:+.2f} utility units")

    print()
    save(plot_forecast(fc_1500), args.out, "tokyo_2025_1500m_final.png")
    save(plot_forecast(fc_5000), args.out, "tokyo_2025_5000m_final.png")
    ax = plot_forecast(champ, column="p_final", title="Tokyo 2025 1500m: P(reach the final)")
    save(ax, args.out, "tokyo_2025_1500m_p_final.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
