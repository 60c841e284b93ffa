"""The two strongest published peers as rating engines, fitted with their own packages (issue 17).

- :class:`TrueSkillThroughTime` (``trueskillthroughtime``; Dangauthier et al. 2007, Landfried &
  Mocskos): Gaussian skills that drift by ``gamma`` per sqrt(day), smoothed over the races of
  the last ``window_days``; a race is one event of single-runner teams in finishing order.
- :class:`ChoixPlackettLuce` (``choix``): the regularised Plackett-Luce maximum-likelihood
  strengths of the rankings of the last ``window_days``.

Both ``fit(data)`` on a :class:`~rivalrymodel.data.RaceData` already cut with ``as_of`` and
return ratings; ``tuned(data)`` chooses their hyperparameters on the past only (see
:func:`tuning_split`). This module holds what they share: the races as rankings, the
performance model of TTT (draws, exact win and pairwise probabilities) and the winner log loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import log_ndtr, ndtr

from ..data.racedata import RaceData
from ..data.schema import Status

if TYPE_CHECKING:  # re-exported lazily by __getattr__ below
    from .peers_choix import ChoixPlackettLuce, ChoixRatings
    from .peers_ttt import TrueSkillThroughTime, TTTRatings

__all__ = [
    "TrueSkillThroughTime",
    "TTTRatings",
    "ChoixPlackettLuce",
    "ChoixRatings",
    "Ranking",
    "rankings",
    "performance_draws",
    "win_probabilities",
    "p_ahead",
    "tuning_split",
    "winner_log_loss",
]

# Days since this epoch are TTT's clock, so its gamma is a drift per day.
EPOCH = pd.Timestamp("1970-01-01")
TUNING_DAYS = 365


def day_number(date) -> int:
    """Whole days from 1970-01-01 to ``date``."""
    return int((pd.Timestamp(date).normalize() - EPOCH).days)


def cutoff_of(data: RaceData) -> pd.Timestamp:
    """``data.cutoff``, or the day after its last race for data never cut with ``as_of``."""
    if data.cutoff is not None:
        return data.cutoff
    return data.races["date"].max() + pd.Timedelta(days=1)


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
    incomplete field). Tied runners keep the data's row order; that order only matters to
    choix, which has no ties.
    """
    res = data.results
    res = res[res["status"].eq(Status.OK.value) & res["place"].notna()]
    df = res.merge(data.races[["race_id", "date"]], on="race_id")
    df = df.sort_values(["date", "race_id", "place"], kind="stable")
    out = []
    for (day, rid), g in df.groupby(["date", "race_id"], sort=False):
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


def p_ahead(mu_a, sigma_a, mu_b, sigma_b, beta: float):
    """Exact P(a's performance beats b's): the difference is Normal with both variances."""
    diff_sd = np.sqrt(np.square(sigma_a) + np.square(sigma_b) + 2 * beta**2)
    return ndtr((np.asarray(mu_a) - np.asarray(mu_b)) / diff_sd)


def tuning_split(data: RaceData, days: int = TUNING_DAYS) -> tuple[RaceData, pd.DataFrame]:
    """The past for a tuning fit and the races it is scored on.

    Returns ``data.as_of(cutoff - days)`` and the races of the last ``days`` before the
    cutoff with a single winner and at least two runners who started (not DNS, not pacers):
    columns ``race_id``, ``date``, ``runners`` (tuple of ids), ``winner``. Every race of the
    scored year is forecast from the one fit before the year: affordable (one fit per grid
    point), and never looks past ``data.cutoff``.
    """
    split = cutoff_of(data) - pd.Timedelta(days=days)
    races = data.races
    scored = races.loc[races["date"] >= split, ["race_id", "date"]]
    res = data.results
    res = res[res["race_id"].isin(scored["race_id"])]
    started = res[~res["status"].isin([Status.DNS.value, Status.PACER.value])]
    rows = []
    for rid, g in started.groupby("race_id", sort=False):
        winners = g.loc[g["place"].eq(1), "athlete_id"]
        if len(g) >= 2 and len(winners) == 1:
            rows.append((rid, tuple(g["athlete_id"]), winners.iloc[0]))
    out = pd.DataFrame(rows, columns=["race_id", "runners", "winner"])
    out = scored.merge(out, on="race_id").sort_values(["date", "race_id"], kind="stable")
    return data.as_of(split), out.reset_index(drop=True)


def winner_log_loss(scored: pd.DataFrame, p_win) -> float:
    """Mean -log P(winner) over ``scored`` races; ``p_win(runners, date)`` gives the P(win)s."""
    losses = []
    for race in scored.itertuples(index=False):
        p = np.asarray(p_win(list(race.runners), race.date), dtype=float)
        losses.append(-np.log(max(p[race.runners.index(race.winner)], 1e-300)))
    return float(np.mean(losses)) if losses else float("nan")


def grid_search(cls, data: RaceData, grid: dict, days: int, fixed: dict, p_win_of):
    """The engine ``cls`` with the grid point of the lowest winner log loss on the past.

    Each grid point is fitted once on the data before the last ``days`` of ``data`` and scored
    on the winners of the races in those days (:func:`tuning_split`); ``p_win_of(ratings)``
    gives the P(win) function to score. A point the package fails on numerically scores NaN
    and is never chosen. The scores are kept in the engine's ``tuning`` (a Series).
    """
    past, scored = tuning_split(data, days)
    keys, scores = list(grid), {}
    for values in product(*grid.values()):
        try:
            ratings = cls(**dict(zip(keys, values, strict=True)), **fixed).fit(past)
        except (ValueError, ZeroDivisionError):  # the packages' math domain errors
            scores[values] = float("nan")
            continue
        scores[values] = winner_log_loss(scored, p_win_of(ratings))
    engine = cls(**dict(zip(keys, best_of(scores), strict=True)), **fixed)
    engine.tuning = pd.Series(scores, name="winner_log_loss").rename_axis(keys)
    return engine


def best_of(scores: dict) -> tuple:
    """The grid point of the lowest score (ties: the first in grid order)."""
    return min(scores, key=lambda k: np.nan_to_num(scores[k], nan=np.inf))


_ENGINES = {
    "TrueSkillThroughTime": "peers_ttt",
    "TTTRatings": "peers_ttt",
    "ChoixPlackettLuce": "peers_choix",
    "ChoixRatings": "peers_choix",
}


def __getattr__(name: str):
    # The engines live in their own modules, which import the helpers above: a lazy re-export
    # imports them in any order without a cycle.
    if name in _ENGINES:
        import importlib

        return getattr(importlib.import_module(f".{_ENGINES[name]}", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
