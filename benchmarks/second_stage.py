"""Would a second stage learned on earlier seasons pay? Measured on stored yardstick forecasts.

Two second stages of issue 32, each fitted only on the races of earlier seasons than the one
it forecasts (rolling by season; the first seasons, with fewer than ``--min-races`` earlier
races, keep the raw forecast), and scored by winner log loss per race against the raw model:

- ``blend``: a log-linear pool of the model and a peer (Benter's blend with the market),
  P(win) proportional to ``p_model**a * p_peer**b``, by races of every kind;
- ``temper``: the model's P(win) tempered, ``p**a`` renormalised, by round (heats, semis,
  finals apart): in a heat the favourite need not win to qualify.

    .venv/bin/python benchmarks/second_stage.py --with benchmarks/yardstick[,DIR...]
        [--model default] [--peer choix]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.optimize import minimize, minimize_scalar

import rivalrymodel as rm
from rivalrymodel.data.schema import is_global_championship


def _forecasts(folders: list[str], models: list[str]) -> pd.DataFrame:
    """Per race and runner: log P(win) of each model and who won (races with one winner)."""
    probs = pd.concat([pd.read_csv(f"{f}/probabilities.csv.gz") for f in folders])
    probs = probs[probs["model"].isin(models)].drop_duplicates(["model", "race_id", "athlete_id"])
    wide = probs.pivot_table(index=["race_id", "athlete_id"], columns="model",
                             values=["p_win", "won"], aggfunc="first")  # fmt: skip
    out = pd.DataFrame(index=wide.index)
    for m in models:
        out[m] = np.log(wide[("p_win", m)].astype(float).clip(1e-12))
    out["won"] = wide[("won", models[0])].astype(bool)
    out = out.dropna().reset_index()
    return out[out.groupby("race_id")["won"].transform("sum") == 1]


def _loss(scores: pd.Series, frame: pd.DataFrame) -> np.ndarray:
    """Winner log loss per race of the softmax of ``scores`` within each race."""
    top = scores.groupby(frame["race_id"]).transform("max")
    lse = np.log(np.exp(scores - top).groupby(frame["race_id"]).transform("sum")) + top
    return -(scores - lse)[frame["won"]].to_numpy()


def _rolling(frame, model, fit, apply, min_races, keep=None):
    """Per season: (season, the stage's parameters, raw losses, second-stage losses), the
    stage fitted on every race of earlier seasons and scored on the season's races (those in
    ``keep`` only, if given)."""
    rows = []
    for season in sorted(frame["season"].unique()):
        train, test = frame[frame["season"] < season], frame[frame["season"] == season]
        if keep is not None:
            test = test[test["race_id"].isin(keep)]
        if test.empty:
            continue
        params = fit(train) if train["race_id"].nunique() >= min_races else None
        raw = _loss(test[model], test)
        staged = raw if params is None else _loss(apply(params, test), test)
        rows.append((season, params, raw, staged))
    return rows


def _interval(diff: np.ndarray, reps: int = 2000) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    means = rng.choice(diff, (reps, len(diff))).mean(axis=1)
    return float(np.quantile(means, 0.05)), float(np.quantile(means, 0.95))


def _report(name, rows):
    raw = np.concatenate([r[2] for r in rows])
    staged = np.concatenate([r[3] for r in rows])
    lo, hi = _interval(staged - raw)
    params = "; ".join(
        f"{s}: {'raw' if p is None else ', '.join(f'{x:.2f}' for x in np.atleast_1d(p))}"
        for s, p, *_ in rows
    )
    print(f"| {name} | {len(raw)} | {raw.mean():.3f} | {staged.mean():.3f} | "
          f"{(staged - raw).mean():+.3f} [{lo:+.3f}, {hi:+.3f}] | {params} |")  # fmt: skip


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--with", dest="runs", required=True, metavar="DIR,...")
    p.add_argument("--model", default="default")
    p.add_argument("--peer", default="choix")
    p.add_argument("--min-races", type=int, default=30)
    args = p.parse_args(argv)
    data = rm.load_dataset()
    races = data.races.set_index("race_id")
    frame = _forecasts(args.runs.split(","), [args.model, args.peer])
    frame = frame[frame["race_id"].isin(races.index)]
    at = races.loc[frame["race_id"]]
    glob = np.asarray(is_global_championship(at["championship_id"]))
    frame = frame.assign(season=at["season"].to_numpy(), round=at["round"].to_numpy(), glob=glob)
    head = "| races | n | raw | second stage | second minus raw [90%] | fitted, by season |"
    print(f"## blend: log-linear pool of {args.model} and {args.peer}\n\n{head}")
    print("|---|---|---|---|---|---|")

    def pool_fit(train):
        cols = train[[args.model, args.peer]]
        res = minimize(lambda w: _loss(cols @ w, train).mean(), [1.0, 0.0], method="Nelder-Mead")
        return res.x

    def pool(w, test):
        return test[[args.model, args.peer]] @ w

    glob = frame.loc[frame["glob"], "race_id"].unique()
    for label, keep in (("every race", None), ("global championship", glob)):
        _report(label, _rolling(frame, args.model, pool_fit, pool, args.min_races, keep))
    print(f"\n## temper: {args.model}'s P(win) to the power a, by round\n\n{head}")
    print("|---|---|---|---|---|---|")

    def temper_fit(train):
        return minimize_scalar(lambda a: _loss(a * train[args.model], train).mean(),
                               bounds=(0.05, 3.0), method="bounded").x  # fmt: skip

    def temper(a, test):
        return a * test[args.model]

    for rnd in ("heat", "semi", "final"):
        part = frame[frame["round"] == rnd]
        _report(rnd, _rolling(part, args.model, temper_fit, temper, 10))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
