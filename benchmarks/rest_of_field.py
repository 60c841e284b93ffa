"""Would a rest-of-field likelihood pay? A go/no-go check for issue 32, before the model gets it.

Most races in the data are known by part of their field (5,753 of 5,968), and their places say
more than the order of the runners the data know: a runner 9th behind one known 1st place had
seven unseen runners between them. Plackett-Luce on the known runners alone (the model today)
is the exact marginal law of their order whoever else ran, so it is unbiased; a rest-of-field
law also uses the places. Here the unseen runners of race r share one utility
``mu_r = mean(v of its known runners) + c_paced`` (``c`` learned, by paced and unpaced), and a
race's probability is Plackett-Luce over its slots in finish order, up to the last known place:

    log p_r = sum over slots j of [known: v_a | unseen: log n_j + mu_r] - log D_j,
    D_j = sum of exp(v) of the known runners at slot j or later + n_j exp(mu_r)

with ``n_j`` the unseen runners still to finish at slot j. The unseen behind the last known
place count in every ``n_j``: none (``gaps``: only the places between known runners), or, with
``typical``, as many as fill the field to a typical size of the event (the median field of the
complete races: 14-17; the sourced ``starters`` where known, in both modes).

To decide cheaply the law is fitted as a static ridge MLE of one ability per athlete (races of
the three years before the origin, weighted by a one-year half-life; ridge 1 on the abilities
and on ``c``), the same for every mode, at each yardstick origin, and scored by winner log loss
on the known field, as the yardstick does (``plain`` is that MLE without the rest of the field,
a choix-like peer). The measured result is in ``benchmarks/backtest.md``.

    .venv/bin/python benchmarks/rest_of_field.py [--sets all|preseason|...] [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.optimize import minimize

import rivalrymodel as rm
from rivalrymodel.evaluation import SETS, yardstick_targets

MODES = ("plain", "gaps", "typical")
RUNNERS = ("OK", "DNF", "DQ")  # the starters the data know (not DNS, not pacemakers)


def typical_fields(races: pd.DataFrame) -> dict[str, int]:
    """Median field size per event over the complete fields with a sourced ``starters``."""
    known = races[races["field_complete"].astype(bool) & races["starters"].notna()]
    return known.groupby("event")["starters"].median().round().astype(int).to_dict()


def race_slots(races: pd.DataFrame, results: pd.DataFrame, mode: str, typical: dict) -> list:
    """Per race with two or more finishers: (date, paced, slots, trailing unseen), the slots in
    finish order up to the last known place, each an athlete id or -1 for an unseen runner;
    ``typical``: the field size per event for ``mode="typical"``."""
    ran = results[results["status"].isin(RUNNERS)].sort_values(["race_id", "place"])
    by_race = {k: g for k, g in ran.groupby("race_id", sort=False)}
    out = []
    for r in races.itertuples(index=False):
        g = by_race.get(r.race_id)
        ok = g[g["status"] == "OK"] if g is not None else None
        if ok is None or len(ok) < 2:
            continue
        ids, places = ok["athlete_id"].to_numpy(), ok["place"].to_numpy().astype(int)
        if mode == "plain" or len(np.unique(places)) < len(places):  # ties: order only
            out.append((r.date, bool(r.paced), list(ids), 0))
            continue
        slots = [-1] * int(places.max())
        for a, p in zip(ids, places, strict=True):
            slots[p - 1] = a
        others = len(g) - len(ok)  # known DNF and DQ started too
        if bool(r.field_complete):
            trailing = 0
        elif pd.notna(r.starters):
            trailing = max(0, int(r.starters) - len(slots) - others)
        elif mode == "typical":
            trailing = max(0, typical.get(r.event, 0) - len(slots) - others)
        else:
            trailing = 0
        out.append((r.date, bool(r.paced), slots, trailing))
    return out


class RestOfField:
    """The negative log posterior of the ridge MLE over ``slots`` (see the module docstring)
    and its gradient; :meth:`fit` minimises it."""

    def __init__(self, slots: list[tuple], origin, half_life: float = 365.0, ridge: float = 1.0):
        ids = sorted({a for s in slots for a in s[2] if a != -1})
        self.index = {a: i for i, a in enumerate(ids)}
        width = max(len(s[2]) for s in slots)
        self.athlete = np.full((len(slots), width), -1)
        self.valid = np.zeros((len(slots), width))
        for r, s in enumerate(slots):
            self.valid[r, : len(s[2])] = 1
            self.athlete[r, : len(s[2])] = [self.index[a] if a != -1 else -1 for a in s[2]]
        self.known = (self.athlete >= 0).astype(float)
        self.unseen = self.valid * (1 - self.known)
        trailing = np.array([s[3] for s in slots], float)
        # unseen runners still to finish at each slot: those at it or later, and the trailing
        self.left = np.flip(np.cumsum(np.flip(self.unseen, 1), 1), 1) + trailing[:, None]
        self.paced = np.array([0 if s[1] else 1 for s in slots])
        self.has_rest = self.left[:, 0] > 0
        days = (pd.Timestamp(origin) - pd.to_datetime([s[0] for s in slots])).days.to_numpy()
        self.weight = 0.5 ** (days / half_life)
        self.ridge = ridge
        self.n = len(ids)
        self.x = np.zeros(self.n + 2)

    def objective(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        v, c = x[: self.n], x[self.n :]
        vs = np.where(self.known > 0, v[np.maximum(self.athlete, 0)], 0.0)
        mu = (vs * self.known).sum(1) / self.known.sum(1) + c[self.paced]
        e = np.where(self.known > 0, np.exp(vs), 0.0)
        rest = self.left * np.exp(mu)[:, None]
        denom = np.where(self.valid > 0, np.flip(np.cumsum(np.flip(e, 1), 1), 1) + rest, 1.0)
        numer = vs * self.known + self.unseen * (np.log(np.maximum(self.left, 1)) + mu[:, None])
        loglik = ((numer - np.log(denom)) * self.valid).sum(1)
        value = -(self.weight * loglik).sum() + 0.5 * self.ridge * (x**2).sum()
        inverse = self.valid / denom
        d_mu = self.unseen.sum(1) - (rest * inverse).sum(1)
        d_v = self.known * (1.0 + (d_mu / self.known.sum(1))[:, None]) - e * np.cumsum(inverse, 1)
        grad_v = np.zeros(self.n)
        np.add.at(
            grad_v, self.athlete[self.known > 0], (self.weight[:, None] * d_v)[self.known > 0]
        )
        grad_c = np.zeros(2)
        np.add.at(grad_c, self.paced, self.weight * d_mu * self.has_rest)
        return value, np.concatenate([-grad_v, -grad_c]) + self.ridge * x

    def fit(self) -> RestOfField:
        self.x = minimize(self.objective, self.x, jac=True, method="L-BFGS-B").x
        return self

    def p_win(self, athletes) -> np.ndarray:
        """P(win) over a known field (no unseen runner: the yardstick scores the known one)."""
        v = np.array([self.x[self.index[a]] if a in self.index else 0.0 for a in athletes])
        p = np.exp(v - v.max())
        return p / p.sum()


def score(data: rm.RaceData, targets: pd.DataFrame, modes=MODES, years: float = 3.0):
    """Winner log loss per target and mode, each mode fitted at every origin of ``targets``."""
    # the typical field from the races before the first origin, so that no target informs it
    typical = typical_fields(data.as_of(targets["origin"].min()).races)
    every = {m: race_slots(data.races, data.results, m, typical) for m in modes}
    ran = data.results[data.results["status"].isin(RUNNERS)]
    fields = dict(tuple(ran[ran["race_id"].isin(targets["race_id"])].groupby("race_id")))
    rows = []
    for origin, batch in targets.groupby("origin"):
        end = pd.Timestamp(origin)
        start = end - pd.Timedelta(days=round(365 * years))
        for mode in modes:
            seen = [s for s in every[mode] if start <= pd.Timestamp(s[0]) < end]  # no leakage
            model = RestOfField(seen, origin).fit()
            for t in batch.itertuples(index=False):
                field = fields[t.race_id]
                won = (field["status"].eq("OK") & field["place"].eq(1)).to_numpy()
                if won.sum() != 1:
                    continue
                p = model.p_win(field["athlete_id"])
                rows.append((mode, t.race_id, t.set, bool(t.field_complete),
                             -np.log(p[won][0]), p.max(), bool(won[np.argmax(p)])))  # fmt: skip
    return pd.DataFrame(
        rows, columns=["mode", "race_id", "set", "complete", "log_loss", "p_fav", "fav_won"]
    )


def table(scores: pd.DataFrame, modes=MODES, seed: int = 0) -> str:
    """Mean winner log loss per set and mode, each mode minus ``plain`` [paired 90%]."""
    wide = scores.pivot_table(index=["race_id", "set"], columns="mode", values="log_loss")
    wide = wide.reset_index()
    rng = np.random.default_rng(seed)
    head = ["races", "n", *modes, *(f"{m} - plain [90%]" for m in modes[1:])]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, part in [("every target", wide), *wide.groupby("set")]:
        cells = [str(name), str(len(part)), *(f"{part[m].mean():.3f}" for m in modes)]
        for m in modes[1:]:
            d = (part[m] - part["plain"]).to_numpy()
            boot = d[rng.integers(0, len(d), (2000, len(d)))].mean(axis=1)
            lo, hi = np.quantile(boot, [0.05, 0.95])
            cells.append(f"{d.mean():+.3f} [{lo:+.3f}, {hi:+.3f}]")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default="all", help="'all' (the yardstick's four) or set names")
    p.add_argument("--quick", action="store_true", help="the first two origins only")
    p.add_argument("--csv", help="write the per-target scores here")
    args = p.parse_args(argv)
    data = rm.load_dataset()
    sets = list(SETS) if args.sets == "all" else args.sets.split(",")
    targets = yardstick_targets(data, sets=sets)
    if args.quick:
        targets = targets[targets["origin"].isin(sorted(targets["origin"].unique())[:2])]
    scores = score(data, targets)
    if args.csv:
        scores.to_csv(args.csv, index=False)
    print(table(scores))


if __name__ == "__main__":
    main()
