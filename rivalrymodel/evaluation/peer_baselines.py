"""The strongest published peers as baselines: TrueSkill Through Time and Plackett-Luce MLE.

Both use their packages (``trueskillthroughtime``, ``choix``; the engines are in
:mod:`.peers_ttt` and :mod:`.peers_choix`) and are tuned only on the past: the hyperparameters
of an origin in season s are chosen on ``data.as_of(1 January of s)`` (each engine's ``tuned``:
the winners of that data's last year, forecast from a fit before it), so one tuning serves a
season's origins and never sees a target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.racedata import RaceData
from .baselines import Baseline
from .peers import performance_draws, win_probabilities
from .peers_choix import ChoixPlackettLuce
from .peers_ttt import TrueSkillThroughTime

__all__ = ["TTTBaseline", "ChoixBaseline"]

_TUNED: dict = {}  # per process: (engine, data of the season start, fixed options) -> engine


def _season_tuned(engine_cls, data: RaceData, fixed: dict):
    cutoff = data.cutoff if data.cutoff is not None else data.races["date"].max()
    start = pd.Timestamp(f"{pd.Timestamp(cutoff).year}-01-01")
    past = data.as_of(min(start, pd.Timestamp(cutoff)))
    key = (engine_cls.__name__, past.fingerprint(), tuple(sorted(fixed.items())))
    if key not in _TUNED:
        _TUNED[key] = engine_cls.tuned(past, **fixed)
    return _TUNED[key]


def _engine(engine_cls, data: RaceData, tune: bool, options: dict):
    """The engine with its season's tuned hyperparameters, or with ``options`` as given."""
    fixed = dict(options)
    return _season_tuned(engine_cls, data, fixed) if tune else engine_cls(**fixed)


class TTTBaseline(Baseline):
    """TrueSkill Through Time: Gaussian skills with drift, Gaussian performances.

    Win probabilities are exact (quadrature); places and pairs are simulated from ``sims``
    races. An athlete it has not seen has the package's prior skill.
    """

    name = "ttt"

    def __init__(self, *, tune: bool = True, sims: int = 4000, **engine):
        self.tune, self.sims, self.engine = tune, sims, engine

    def rate(self, data):
        engine = _engine(TrueSkillThroughTime, data, self.tune, self.engine)
        return _TTTForecasts(engine.fit(data), self.sims)


class _TTTForecasts:
    def __init__(self, ratings, sims):
        self.ratings, self.sims = ratings, sims

    def forecast(self, ids, start_list, rng):
        r = self.ratings
        mu, sigma = r.skills(ids, start_list.date)
        known = np.isfinite(mu)
        mu, sigma = np.where(known, mu, r.prior_mu), np.where(known, sigma, r.prior_sigma)
        scores = performance_draws(mu, sigma, r.beta, rng, self.sims)[None]
        p_win = win_probabilities(mu, sigma, r.beta)[None]
        return scores, mu[None] / r.beta, p_win, known


class ChoixBaseline(Baseline):
    """Plackett-Luce maximum likelihood (``choix.ilsr_rankings``) over a recent window."""

    name = "choix"

    def __init__(self, *, tune: bool = True, **engine):
        self.tune, self.engine = tune, engine

    def rate(self, data):
        return _ChoixStrengths(_engine(ChoixPlackettLuce, data, self.tune, self.engine).fit(data))


class _ChoixStrengths:
    def __init__(self, ratings):
        self.ratings = ratings

    def strengths(self, ids, start_list):
        return self.ratings.strengths(ids)
