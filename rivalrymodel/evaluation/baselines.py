"""Baselines the model has to beat, forecasting the same start lists as the same Forecast.

Every baseline is a :class:`~rivalrymodel.forecasting.Forecaster`: ``baseline.fit(data)`` rates
the athletes on ``data`` (the caller cuts it with ``data.as_of(origin)``; no baseline filters
dates by itself) and ``fitted.forecast(start_list)`` forecasts a race. None of them uses
absences. Their forecasts are point forecasts: Plackett-Luce strengths without uncertainty, so
the intervals collapse to the point.

A new baseline is one subclass of :class:`Baseline` with a ``name`` and a ``rate(data)`` that
returns an object with ``strengths(athlete_ids, start_list)`` (Plackett-Luce log-strengths, NaN
for an athlete it has not seen), or, for a forecaster that is not Plackett-Luce, with
``forecast(athlete_ids, start_list, rng)`` returning (performance scores (1, sims, runner),
utilities (1, runner), exact P(win) (1, runner) or None, known mask); see
:mod:`.peer_baselines`.

- ``uniform``: every runner equally likely.
- ``season_best``: a softmax of minus each runner's best time of the last 365 days, converted to
  the race's distance with Riegel's formula ``t2 = t1 (d2 / d1) ** 1.06``; the temperature is
  fitted by maximum likelihood on the two seasons before the race's season.
- ``elo``: Elo ratings with every race split into its pairs (K = 32 per race, shared over the
  runner's n - 1 pairs), so P(a ahead of b) = 1 / (1 + 10 ** ((R_b - R_a) / 400)).
- ``openskill``: the ``openskill`` package's Plackett-Luce model updated race by race; its win
  probabilities (``predict_win``) are the strengths' softmax.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from ..data.names import NameResolver
from ..data.racedata import RaceData
from ..data.schema import Event, Status
from ..errors import InputError
from ..forecasting import Fitted, Forecast, Forecaster, StartList, from_scores, from_strengths
from ..forecasting.startlist import check_distinct, match_athletes

__all__ = [
    "BASELINES", "make_baseline", "Baseline", "FittedBaseline", "Uniform", "SeasonBest", "Elo",
    "OpenSkill",
]  # fmt: skip

_RIEGEL = 1.06
_NEW = "a runner the baseline has not seen gets the field's median strength"


def _finishes(data: RaceData) -> pd.DataFrame:
    """OK finishers with place, sorted by date, race and place."""
    res = data.results
    res = res[res["status"].eq(Status.OK.value) & res["place"].notna()]
    df = res.merge(data.races[["race_id", "date", "event"]], on="race_id")
    return df.sort_values(["date", "race_id", "place"], kind="stable").reset_index(drop=True)


def _names(data: RaceData, ids) -> list[str]:
    names = data.athletes.set_index("athlete_id")["name"]
    return [str(names.get(a, a)) for a in ids]


class FittedBaseline(Fitted):
    """A baseline's ratings on its data, forecasting through the shared Plackett-Luce code."""

    def __init__(self, name: str, data: RaceData, ratings):
        self.name = name
        self.data = data
        self.ratings = ratings
        self._resolver = NameResolver(data.athletes)

    def forecast(self, start_list: StartList, *, random_seed=None, top_k=None) -> Forecast:
        ids = match_athletes(start_list.athletes, self._resolver, where="the data")
        check_distinct(start_list.athletes, ids)
        info = pd.DataFrame({"athlete_id": ids, "athlete": _names(self.data, ids)})
        if hasattr(self.ratings, "forecast"):
            rng = np.random.default_rng(0 if random_seed is None else random_seed)
            scores, v, p_win, known = self.ratings.forecast(ids, start_list, rng)
            info["known"] = known
            return from_scores(scores, v, info, start_list, top_k=top_k, p_win=p_win)
        v = np.asarray(self.ratings.strengths(ids, start_list), dtype=float)
        missing = ~np.isfinite(v)
        if missing.all():
            v = np.zeros(len(ids))
        elif missing.any():  # see _NEW
            v[missing] = np.median(v[~missing])
        info["known"] = ~missing
        return from_strengths(v[None, :], info, start_list, top_k=top_k, sims=200, rng=0)


class Baseline(Forecaster):
    """Public base of a point-rating baseline: implement ``rate(data)``."""

    name = "baseline"

    def fit(self, data: RaceData) -> FittedBaseline:
        return FittedBaseline(self.name, data, self.rate(data))

    @abstractmethod
    def rate(self, data: RaceData):
        """Ratings learnt from ``data``: an object with ``strengths(ids, start_list)``."""


class _Constant:
    def strengths(self, ids, start_list):
        return np.zeros(len(ids))


class Uniform(Baseline):
    """Every runner equally likely."""

    name = "uniform"

    def rate(self, data):
        return _Constant()


class SeasonBest(Baseline):
    """Softmax of minus the best Riegel-converted time of the last 365 days."""

    name = "season_best"

    def rate(self, data):
        return _SeasonBests(data)


class _SeasonBests:
    def __init__(self, data: RaceData):
        df = _finishes(data).dropna(subset=["time_s"])
        dist = df["event"].map({e.value: e.distance_m for e in Event}).astype(float)
        # Every time as a 1500m-equivalent: the ordering does not depend on the target distance.
        df = df.assign(equiv=df["time_s"] * (1500.0 / dist) ** _RIEGEL)
        df = df[["athlete_id", "date", "equiv", "race_id", "place"]]
        self._times = df.assign(prior=_prior_best(df))
        self._temperature: dict[int, float] = {}

    def _best(self, ids, day: pd.Timestamp) -> np.ndarray:
        t = self._times
        window = t[(t["date"] < day) & (t["date"] >= day - pd.Timedelta(days=365))]
        best = window.groupby("athlete_id")["equiv"].min()
        return best.reindex(ids).to_numpy(dtype=float)

    def temperature(self, season: int) -> float:
        """Seconds (1500m-equivalent) per unit of utility, fitted on the two previous seasons."""
        if season not in self._temperature:
            self._temperature[season] = self._fit_temperature(season)
        return self._temperature[season]

    def _fit_temperature(self, season: int) -> float:
        start = pd.Timestamp(f"{season - 2}-01-01")
        end = pd.Timestamp(f"{season}-01-01")
        t = self._times
        train = t[(t["date"] >= start) & (t["date"] < end)].dropna(subset=["prior"])
        groups = [g["prior"].to_numpy() for _, g in train.groupby("race_id") if len(g) >= 3]
        if not groups:
            return 2.0
        width = max(len(g) for g in groups)
        pad = np.full((len(groups), width), np.nan)
        for i, g in enumerate(groups):
            pad[i, : len(g)] = g  # finish order: places ascending

        def nll(log_t):
            v = -pad / np.exp(log_t)
            total = 0.0
            for k in range(width - 1):
                rest = v[:, k:]
                ok = np.isfinite(rest[:, 0])
                lse = np.log(np.nansum(np.exp(rest[ok] - np.nanmax(rest[ok], 1)[:, None]), 1))
                total -= (rest[ok, 0] - np.nanmax(rest[ok], 1) - lse).sum()
            return total

        return float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))

    def strengths(self, ids, start_list):
        day = start_list.date
        d = Event(start_list.event).distance_m
        best = self._best(ids, day) * (d / 1500.0) ** _RIEGEL
        scale = self.temperature(day.year) * (d / 1500.0) ** _RIEGEL
        return -best / scale


def _prior_best(t: pd.DataFrame) -> np.ndarray:
    """Per row: the athlete's best ``equiv`` in [date - 365 days, date), NaN when none."""
    out = np.full(len(t), np.nan)
    pos = np.arange(len(t))
    for _, g in t.assign(pos=pos).sort_values("date", kind="stable").groupby("athlete_id"):
        dates = g["date"].to_numpy()
        vals = g["equiv"].to_numpy()
        lo = np.searchsorted(dates, dates - np.timedelta64(365, "D"), side="left")
        hi = np.searchsorted(dates, dates, side="left")  # same-day races excluded
        # Running minima over the window, via a prefix scan per row (athletes have few rows).
        best = [vals[a:b].min() if b > a else np.nan for a, b in zip(lo, hi, strict=True)]
        out[g["pos"].to_numpy()] = best
    return out


class _Rating(Baseline):
    """Replays every race of the data once, in date order."""

    def rate(self, data):
        state = self._start()
        groups = _finishes(data).groupby(["date", "race_id"], sort=False)["athlete_id"]
        for _, order in groups:
            if len(order) >= 2:
                self._update(state, list(order))
        return _Ratings(self, state)


class _Ratings:
    def __init__(self, rating: _Rating, state):
        self.rating, self.state = rating, state

    def strengths(self, ids, start_list):
        return self.rating._strengths(self.state, ids)


class Elo(_Rating):
    """Multi-runner Elo: each race as all its pairs, K = 32 shared over a runner's pairs."""

    name = "elo"
    k = 32.0

    def _start(self):
        return {}

    def _update(self, rating, order):
        r = np.array([rating.get(a, 1500.0) for a in order])
        n = len(order)
        expected = 1.0 / (1.0 + 10.0 ** ((r[None, :] - r[:, None]) / 400.0))  # P(row ahead)
        np.fill_diagonal(expected, 0.0)
        actual = np.triu(np.ones((n, n)), 1)  # the row runner finished ahead of the column one
        delta = self.k / (n - 1) * (actual - expected).sum(axis=1)
        for a, new in zip(order, r + delta, strict=True):
            rating[a] = float(new)

    def _strengths(self, rating, ids):
        r = np.array([rating.get(a, np.nan) for a in ids])
        return r * np.log(10.0) / 400.0


class OpenSkill(_Rating):
    """openskill's Plackett-Luce model, updated race by race."""

    name = "openskill"

    def _start(self):
        from openskill.models import PlackettLuce

        return {"model": PlackettLuce(), "rating": {}}

    def _update(self, state, order):
        model, rating = state["model"], state["rating"]
        teams = [[rating.get(a) or model.rating()] for a in order]
        for a, (new,) in zip(order, model.rate(teams), strict=True):
            rating[a] = new

    def _strengths(self, state, ids):
        model, rating = state["model"], state["rating"]
        seen = [a in rating for a in ids]
        if not any(seen):
            return np.full(len(ids), np.nan)
        teams = [[rating.get(a) or model.rating()] for a in ids]
        v = np.log(np.clip(model.predict_win(teams), 1e-300, None))
        return np.where(seen, v, np.nan)


def _registry() -> dict:
    from .peer_baselines import ChoixBaseline, TTTBaseline

    return {b.name: b for b in (Uniform, SeasonBest, Elo, OpenSkill, TTTBaseline, ChoixBaseline)}


def make_baseline(name: str) -> Baseline:
    """A baseline by name (``uniform``, ``season_best``, ``elo``, ``openskill``, ``ttt``,
    ``choix``)."""
    if name not in BASELINES:
        raise InputError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
    return BASELINES[name]()


BASELINES = _registry()
