"""A variant against the default on the targets both forecast, from stored yardstick runs.

For a variant run on part of the yardstick's origins (``benchmarks/yardstick.py --origins``):
winner log loss per race of the variant, the default and choix on the same (race, origin)
targets, with the paired 90% bootstrap interval of variant minus default, on every race, the
qualifying rounds (heats and semi-finals) and finals, the global championship races, their
rounds and their finals; then, per round, how often each forecaster's favourite won against
the P(win) it was given. ``yardstick_sets.py`` shows only the forecasters that forecast a whole
set; this is for the part.

    .venv/bin/python benchmarks/pair_runs.py --variant age_drift --with DIR[,DIR...]
        [--base benchmarks/yardstick,benchmarks/yardstick_global_2017_2019_default]
        [--peers benchmarks/yardstick,benchmarks/yardstick_global_2017_2019]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import rivalrymodel as rm
from rivalrymodel.data.schema import is_global_championship


def _losses(folders: str, model: str) -> pd.Series:
    """Winner log loss by (race_id, origin) of ``model`` in the runs (the first one wins)."""
    runs = pd.concat([pd.read_csv(f"{f}/races.csv.gz") for f in folders.split(",")])
    runs = runs[runs["model"] == model].drop_duplicates(["race_id", "origin"])
    return runs.set_index(["race_id", "origin"])["log_loss"].rename(model)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", required=True)
    p.add_argument("--with", dest="runs", required=True, metavar="DIR,...")
    p.add_argument(
        "--base", default="benchmarks/yardstick,benchmarks/yardstick_global_2017_2019_default"
    )
    p.add_argument("--peers", default="benchmarks/yardstick,benchmarks/yardstick_global_2017_2019")
    p.add_argument("--reps", type=int, default=2000)
    args = p.parse_args(argv)
    races = rm.load_dataset().races.set_index("race_id")
    parts = [_losses(args.runs, args.variant), _losses(args.base, "default"),
             _losses(args.peers, "choix")]  # fmt: skip
    both = pd.concat(parts, axis=1, join="inner").reset_index()
    at = races.loc[both["race_id"]]
    glob = np.asarray(is_global_championship(at["championship_id"]))
    final = at["round"].to_numpy() == "final"
    rng = np.random.default_rng(0)
    print(f"| races | n | {args.variant} | default | choix | {args.variant} minus default [90%] |")
    print("|---|---|---|---|---|---|")
    rows = (("every race", np.ones(len(both), bool)), ("heats and semi-finals", ~final),
            ("finals", final), ("global championship", glob),
            ("global championship rounds", glob & ~final),
            ("global championship finals", glob & final))  # fmt: skip
    for label, keep in rows:
        part = both[keep]
        if part.empty:
            continue
        diff = (part[args.variant] - part["default"]).to_numpy()
        means = rng.choice(diff, (args.reps, len(diff))).mean(axis=1)
        lo, hi = np.quantile(means, [0.05, 0.95])
        print(f"| {label} | {len(part)} | {part[args.variant].mean():.3f} | "
              f"{part['default'].mean():.3f} | {part['choix'].mean():.3f} | "
              f"{diff.mean():+.3f} [{lo:+.3f}, {hi:+.3f}] |")  # fmt: skip
    print()
    _favourites(args, both, races)
    return 0


def _favourites(args, both: pd.DataFrame, races: pd.DataFrame) -> None:
    """Per round: each forecaster's favourite's mean P(win) and how often he won, on the races
    of ``both`` (the top of the reliability plot, where overconfidence shows)."""
    names = {args.variant: args.runs, "default": args.base, "choix": args.peers}
    print("| round | races | " + " | ".join(f"{m}: P(fav) / won" for m in names) + " |")
    print("|---|---|" + "---|" * len(names))
    fav = {}
    for model, folders in names.items():
        probs = pd.concat(
            [pd.read_csv(f"{f}/probabilities.csv.gz") for f in folders.split(",")],
            ignore_index=True,
        )
        probs = probs[(probs["model"] == model) & probs["race_id"].isin(both["race_id"])]
        probs = probs.drop_duplicates(["race_id", "athlete_id"])
        top = probs.loc[probs.groupby("race_id")["p_win"].idxmax()] if len(probs) else probs
        fav[model] = top.set_index("race_id")[["p_win", "won"]]
    common = sorted(set.intersection(*(set(f.index) for f in fav.values())))
    rnd = races.loc[common, "round"]
    for label in ("heat", "semi", "final"):
        ids = rnd.index[rnd == label]
        if len(ids):
            cells = [f"{fav[m].loc[ids, 'p_win'].mean():.3f} / {fav[m].loc[ids, 'won'].mean():.3f}"
                     for m in names]  # fmt: skip
            print(f"| {label} | {len(ids)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
