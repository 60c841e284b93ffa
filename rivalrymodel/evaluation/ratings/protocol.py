"""The one protocol of the baselines, and the race tables every rating system reads.

A baseline is a :class:`Baseline` (a :class:`~rivalrymodel.forecasting.Forecaster`) with one
method to write, ``rate(data) -> Ratings``; a :class:`Ratings` has one method,
``law(athlete_ids, start_list) -> RaceLaw``: what it believes about one race. There are two race
laws, and a forecast is the law's own:

- :class:`PlackettLucePoint`: log-strengths (NaN for an athlete never seen, who gets the field's
  median); win, podium and pairwise probabilities in closed form. One point, not draws: the
  model's per-draw laws are ``models.race_law.RaceLaw``.
- :class:`GaussianLaw`: Thurstonian performances, Normal skill plus Normal noise; exact win
  probabilities by quadrature, places and pairs from ``sims`` simulated races.

``Baseline.fit(data)`` returns a :class:`FittedBaseline`, which resolves a start list's names
like the model does and asks its ratings for the race's law. Monte-Carlo draws use
``random_seed`` (None: 0, so a baseline's forecast is reproducible without one).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import log_ndtr

from ...data.names import NameResolver
from ...data.racedata import RaceData
from ...data.schema import Status
from ...forecasting import Fitted, Forecast, Forecaster, StartList, from_scores, from_strengths
from ...forecasting.startlist import check_distinct, match_athletes

__all__ = [
    "Baseline", "FittedBaseline", "Ratings", "PlackettLucePoint", "GaussianLaw", "Ranking",
    "finishes", "rankings", "cutoff_of", "day_number", "performance_draws", "win_probabilities",
]  # fmt: skip

PL_SIMS = 200  # simulated races of a Plackett-Luce law (places beyond the podium, place table)
EPOCH = pd.Timestamp("1970-01-01")  # days since it are TTT's clock


@dataclass(frozen=True)
class PlackettLucePoint:
    """Plackett-Luce log-strengths of a race's runners, in start-list order.

    An athlete the ratings never saw (NaN) gets the median of the others: a newcomer is an
    average runner of the field; all unseen is a uniform race.
    """

    strengths: np.ndarray

    @property
    def known(self) -> np.ndarray:
        return np.isfinite(self.strengths)

    def filled(self) -> np.ndarray:
        """The strengths with the field's median for an unseen runner."""
        v, known = np.asarray(self.strengths, dtype=float), self.known
        return np.where(known, v, np.median(v[known]) if known.any() else 0.0)

    def p_win(self) -> np.ndarray:
        """The softmax of the strengths."""
        v = self.filled()
        e = np.exp(v - v.max())
        return e / e.sum()

    def forecast(self, info: pd.DataFrame, start_list: StartList, rng, top_k) -> Forecast:
        info = info.assign(known=self.known)
        return from_strengths(self.filled()[None, :], info, start_list, top_k=top_k,
                              sims=PL_SIMS, rng=rng)  # fmt: skip


@dataclass(frozen=True)
class GaussianLaw:
    """Skill Normal(``mu``, ``sigma``) plus performance noise Normal(0, ``beta``) per runner,
    the highest performance winning; ``known`` marks the runners the ratings saw (the others
    carry the prior skill already)."""

    mu: np.ndarray
    sigma: np.ndarray
    beta: float
    known: np.ndarray
    sims: int = 4000

    def p_win(self) -> np.ndarray:
        return win_probabilities(self.mu, self.sigma, self.beta)

    def forecast(self, info: pd.DataFrame, start_list: StartList, rng, top_k) -> Forecast:
        scores = performance_draws(self.mu, self.sigma, self.beta, rng, self.sims)[None]
        v = np.asarray(self.mu, dtype=float)[None] / self.beta
        info = info.assign(known=self.known)
        return from_scores(scores, v, info, start_list, top_k=top_k, p_win=self.p_win()[None])


class Ratings(ABC):
    """What a baseline learnt from its data."""

    @abstractmethod
    def law(self, athlete_ids: list[str], start_list: StartList) -> PlackettLucePoint | GaussianLaw:
        """The race law of ``athlete_ids`` (resolved ids, in start-list order) in the race of
        ``start_list`` (its date, event, round)."""


class FittedBaseline(Fitted):
    """A baseline after ``fit``: its :class:`Ratings` of the data it saw.

    Attributes
    ----------
    baseline : Baseline
        The baseline that made the ratings (for a tuned one, with the chosen options).
    ratings : Ratings
        The rating system's own ratings (its public attributes: see each rating system).
    """

    def __init__(self, baseline: Baseline, data: RaceData, ratings: Ratings):
        self.name = baseline.name
        self.baseline = baseline
        self.data = data
        self.ratings = ratings
        self._resolver = NameResolver(data.athletes)

    def athlete_ids(self, start_list: StartList) -> list[str]:
        """The start list's athletes as ids (names resolved as the model resolves them)."""
        ids = match_athletes(start_list.athletes, self._resolver, where="the data")
        check_distinct(start_list.athletes, ids)
        return ids

    def law(self, start_list: StartList) -> PlackettLucePoint | GaussianLaw:
        """The ratings' race law of ``start_list``, runners in start-list order."""
        return self.ratings.law(self.athlete_ids(start_list), start_list)

    def forecast(self, start_list: StartList, *, random_seed=None, top_k=None) -> Forecast:
        ids = self.athlete_ids(start_list)
        names = self.data.athletes.set_index("athlete_id")["name"]
        info = pd.DataFrame({"athlete_id": ids, "athlete": [str(names.get(a, a)) for a in ids]})
        rng = np.random.default_rng(0 if random_seed is None else random_seed)
        return self.ratings.law(ids, start_list).forecast(info, start_list, rng, top_k)


class Baseline(Forecaster):
    """A rating system as a forecaster: implement ``name`` and ``rate(data)``.

    ``data`` is already ``as_of`` the forecast origin (a baseline never filters dates by
    itself). Options are constructor arguments, so ``make_baseline(name, **options)`` builds any
    of them.
    """

    name = "baseline"

    def fit(self, data: RaceData) -> FittedBaseline:
        return FittedBaseline(self, data, self.rate(data))

    @abstractmethod
    def rate(self, data: RaceData) -> Ratings:
        """The ratings learnt from ``data``."""


def day_number(date) -> int:
    """Whole days from 1970-01-01 to ``date``."""
    return int((pd.Timestamp(date).normalize() - EPOCH).days)


def cutoff_of(data: RaceData) -> pd.Timestamp:
    """``data.cutoff``, or the day after its last race for data never cut with ``as_of``."""
    if data.cutoff is not None:
        return data.cutoff
    return data.races["date"].max() + pd.Timedelta(days=1)


def finishes(data: RaceData) -> pd.DataFrame:
    """OK finishers with a place, with the race's date and event, by date, race and place."""
    res = data.results
    res = res[res["status"].eq(Status.OK.value) & res["place"].notna()]
    df = res.merge(data.races[["race_id", "date", "event"]], on="race_id")
    return df.sort_values(["date", "race_id", "place"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Ranking:
    """One race's OK finishers in finishing order (ties share a place)."""

    race_id: str
    date: pd.Timestamp
    athletes: tuple[str, ...]
    places: tuple[int, ...]


def rankings(data: RaceData) -> list[Ranking]:
    """Races with at least two OK finishers, by date then race id, finishers by place.

    A race with one recorded finisher ranks nobody (most results in the data are a winner of an
    incomplete field). Tied runners keep the data's row order; that order only matters to the
    systems without ties (Elo, OpenSkill, choix).
    """
    out = []
    for (day, rid), g in finishes(data).groupby(["date", "race_id"], sort=False):
        if len(g) >= 2:
            places = tuple(int(p) for p in g["place"])
            out.append(Ranking(str(rid), pd.Timestamp(day), tuple(g["athlete_id"]), places))
    return out


def performance_draws(mu, sigma, beta: float, rng, sims: int) -> np.ndarray:
    """Simulated performances, shape (sims, runners): Normal(mu, sigma) skill + Normal(0, beta).

    The higher performance finishes ahead; sorting a row gives one simulated finishing order.
    Skills are drawn independently per runner, as TTT's marginal posteriors are.
    """
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    rng = np.random.default_rng(rng)
    skill = mu + sigma * rng.standard_normal((sims, mu.size))
    return skill + beta * rng.standard_normal((sims, mu.size))


def win_probabilities(mu, sigma, beta: float, *, points: int = 2001) -> np.ndarray:
    """Exact P(each runner has the highest performance), by quadrature over the winning score.

    Performance i is Normal(mu_i, sqrt(sigma_i^2 + beta^2)), independent across runners, so
    P(i wins) = integral of pdf_i(x) prod_{j != i} cdf_j(x) dx; the grid spans 9 sd around
    every runner. Use :func:`performance_draws` for place probabilities.
    """
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    sd = np.sqrt(sigma**2 + beta**2)
    x = np.linspace((mu - 9 * sd).min(), (mu + 9 * sd).max(), points)[:, None]
    z = (x - mu) / sd
    log_cdf = log_ndtr(z)
    log_pdf = -0.5 * z**2 - np.log(sd * np.sqrt(2 * np.pi))
    dens = np.exp(log_pdf + log_cdf.sum(axis=1, keepdims=True) - log_cdf)
    p = np.trapezoid(dens, x[:, 0], axis=0)
    return p / p.sum()  # removes the (tiny) quadrature error
