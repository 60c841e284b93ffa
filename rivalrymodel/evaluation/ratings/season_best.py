"""Season's best: a softmax of minus each runner's best time of the last 365 days."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from ...data.racedata import RaceData
from ...data.schema import Event
from .protocol import Baseline, PlackettLucePoint, Ratings, finishes

__all__ = ["SeasonBest", "SeasonBests"]

RIEGEL = 1.06  # t2 = t1 (d2 / d1) ** 1.06


class SeasonBests(Ratings):
    """Every OK time of the data as a 1500m-equivalent (Riegel), and the temperatures fitted.

    The ordering does not depend on the target distance; a race's strengths are minus the
    runners' bests converted to its distance, over the season's temperature (NaN: no time in
    the 365 days before the race).
    """

    def __init__(self, data: RaceData):
        df = finishes(data).dropna(subset=["time_s"])
        dist = df["event"].map({e.value: e.distance_m for e in Event}).astype(float)
        df = df.assign(equiv=df["time_s"] * (1500.0 / dist) ** RIEGEL)
        df = df[["athlete_id", "date", "equiv", "race_id", "place"]]
        self.times = df.assign(prior=_prior_best(df))
        self._temperature: dict[int, float] = {}

    def best(self, athlete_ids, day: pd.Timestamp) -> np.ndarray:
        """Each athlete's best 1500m-equivalent in [day - 365 days, day); NaN when none."""
        t = self.times
        window = t[(t["date"] < day) & (t["date"] >= day - pd.Timedelta(days=365))]
        best = window.groupby("athlete_id")["equiv"].min()
        return best.reindex(athlete_ids).to_numpy(dtype=float)

    def temperature(self, season: int) -> float:
        """Seconds (1500m-equivalent) per unit of utility, fitted by maximum likelihood on the
        races of the two seasons before ``season`` (each runner's best before the race)."""
        if season not in self._temperature:
            self._temperature[season] = self._fit_temperature(season)
        return self._temperature[season]

    def _fit_temperature(self, season: int) -> float:
        start = pd.Timestamp(f"{season - 2}-01-01")
        end = pd.Timestamp(f"{season}-01-01")
        t = self.times
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

    def law(self, athlete_ids, start_list) -> PlackettLucePoint:
        day = start_list.date
        ratio = (Event(start_list.event).distance_m / 1500.0) ** RIEGEL
        best = self.best(athlete_ids, day) * ratio
        return PlackettLucePoint(-best / (self.temperature(day.year) * ratio))


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


class SeasonBest(Baseline):
    """Softmax of minus the best Riegel-converted time of the last 365 days; the temperature
    is fitted on the two seasons before the race's season."""

    name = "season_best"

    def rate(self, data: RaceData) -> SeasonBests:
        return SeasonBests(data)
