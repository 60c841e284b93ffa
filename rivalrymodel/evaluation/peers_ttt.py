"""TrueSkill Through Time with the ``trueskillthroughtime`` package: one History of all races."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.racedata import RaceData
from .peers import cutoff_of, day_number, grid_search, rankings, win_probabilities

__all__ = ["TrueSkillThroughTime", "TTTRatings"]


@dataclass(frozen=True)
class TTTRatings:
    """Each athlete's TTT posterior at his last race, and the model's noise and drift.

    Attributes
    ----------
    athlete_ids : tuple of str
    mu, sigma : numpy.ndarray
        The package's learning-curve posterior at the athlete's last race (smoothed: it uses
        every race of the fit, which all lie before the cutoff).
    last_day : numpy.ndarray
        That race's day (days since 1970-01-01).
    beta, gamma : float
        Performance noise and skill drift per sqrt(day).
    prior_mu, prior_sigma : float
        An unseen athlete's skill in the package's model.
    history : trueskillthroughtime.History or None
        The converged History, for inspection.
    """

    athlete_ids: tuple[str, ...]
    mu: np.ndarray
    sigma: np.ndarray
    last_day: np.ndarray
    beta: float
    gamma: float
    prior_mu: float
    prior_sigma: float
    history: object = field(default=None, repr=False, compare=False)
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", {a: i for i, a in enumerate(self.athlete_ids)})

    def skills(self, athlete_ids, day) -> tuple[np.ndarray, np.ndarray]:
        """Skill mean and sd of ``athlete_ids`` on ``day``; NaN for an athlete never seen.

        The sd adds gamma^2 per day since the athlete's last race, as the package's forward
        message does (``Gaussian.forget``). A day before that race gives the posterior there.
        """
        idx = np.array([self._index.get(a, -1) for a in athlete_ids], dtype=int)
        seen = idx >= 0
        mu, sigma = np.full(idx.size, np.nan), np.full(idx.size, np.nan)
        elapsed = np.maximum(day_number(day) - self.last_day[idx[seen]], 0)
        mu[seen] = self.mu[idx[seen]]
        sigma[seen] = np.sqrt(self.sigma[idx[seen]] ** 2 + elapsed * self.gamma**2)
        return mu, sigma

    def win_probabilities(self, athlete_ids, day) -> np.ndarray:
        """Exact P(win) on ``day``; an unseen runner has the package's prior skill."""
        mu, sigma = self.skills(athlete_ids, day)
        new = np.isnan(mu)
        mu[new], sigma[new] = self.prior_mu, self.prior_sigma
        return win_probabilities(mu, sigma, self.beta)


class TrueSkillThroughTime:
    """TrueSkill Through Time over every race of ``data`` (or of its last ``window_days``).

    Each race with two or more OK finishers is one event whose teams are the single finishers,
    ranked by place (equal places are a draw); the time is the race's day, so ``gamma`` is a
    drift per sqrt(day). The package smooths forward and backward until the largest change is
    below ``epsilon`` or after ``iterations`` sweeps.

    Parameters
    ----------
    mu, sigma
        Prior skill of a new athlete (the package's defaults, 0 and 6).
    beta
        Performance noise per race, in the units of sigma (the package's default is 1).
    gamma
        Skill drift per sqrt(day): 0.3 is 4.1 beta over a year (form fades fast here).
    p_draw
        The package needs p_draw > 0 for equal places. At 0.01 the draw margin is 0.018 beta,
        negligible for untied pairs; at 1e-3 its tie update failed on the bundled data (math error).
    iterations, epsilon
        The convergence sweeps, each one forward-backward pass (~1-2 s on two years). Past 3,
        more sweeps gained < 0.002 in winner log loss on the bundled data.
    window_days
        Fit only the races in [cutoff - window_days, cutoff) (None: all). Two years fit in
        ~4-7 s instead of ~12-23 s for all ten, and forecast better (below).

    The defaults (gamma 0.3, beta 1.4, 730 days, 3 sweeps) are ``tuned``'s choice on the
    bundled data as of 2025-09-13 over gamma 0.05-0.55, beta 0.7-2 and 730 or 1095 days: winner
    log loss 1.641 on the 242 races of 2024-09-13..2025-09-12 (gamma 0.2, beta 1: 1.645, on all
    history: 1.658; uniform: 1.762). A backtest should tune at its own origins instead.

    Forecasts depend only on gamma / beta and sigma / beta (scaling all three scales every
    skill alike), so tuning gamma and beta at a fixed sigma covers the whole model.
    """

    def __init__(
        self,
        *,
        mu: float = 0.0,
        sigma: float = 6.0,
        beta: float = 1.4,
        gamma: float = 0.3,
        p_draw: float = 0.01,
        iterations: int = 3,
        epsilon: float = 1e-3,
        window_days: int | None = 730,
    ):
        self.mu, self.sigma, self.beta, self.gamma = float(mu), float(sigma), beta, gamma
        self.p_draw = p_draw
        self.iterations = iterations
        self.epsilon = epsilon
        self.window_days = window_days

    def __repr__(self) -> str:
        return (
            f"TrueSkillThroughTime(sigma={self.sigma:g}, beta={self.beta:g}, "
            f"gamma={self.gamma:g}, iterations={self.iterations}, window_days={self.window_days})"
        )

    def history(self, data: RaceData):
        """The package's History of the races of ``data`` (forward pass only, not converged)."""
        import trueskillthroughtime as ttt

        races = rankings(data)
        if self.window_days is not None:
            start = cutoff_of(data) - pd.Timedelta(days=self.window_days)
            races = [r for r in races if r.date >= start]
        return ttt.History(
            composition=[[[a] for a in r.athletes] for r in races],
            # The package ranks teams by result, higher first: minus the place.
            results=[[-float(p) for p in r.places] for r in races],
            times=[day_number(r.date) for r in races],
            mu=self.mu,
            sigma=self.sigma,
            beta=self.beta,
            gamma=self.gamma,
            p_draw=self.p_draw,
        )

    def fit(self, data: RaceData) -> TTTRatings:
        """Build one History of the races of ``data``, run convergence, read the posteriors."""
        h = self.history(data)
        if self.iterations > 0 and len(h):
            h.convergence(epsilon=self.epsilon, iterations=self.iterations, verbose=False)
        curves = h.learning_curves() if len(h) else {}
        ids = tuple(sorted(curves))
        last = [curves[a][-1] for a in ids]  # (day, Gaussian) at the athlete's last race
        return TTTRatings(
            athlete_ids=ids,
            mu=np.array([g.mu for _, g in last], dtype=float),
            sigma=np.array([g.sigma for _, g in last], dtype=float),
            last_day=np.array([t for t, _ in last], dtype=int),
            beta=float(self.beta),
            gamma=float(self.gamma),
            prior_mu=self.mu,
            prior_sigma=self.sigma,
            history=h,
        )

    @classmethod
    def tuned(
        cls,
        data: RaceData,
        grid: dict | None = None,
        *,
        days: int = 365,
        **fixed,
    ) -> TrueSkillThroughTime:
        """The engine with the (gamma, beta) of the lowest winner log loss on the past.

        Each grid point is fitted once on the data before the last ``days`` of ``data`` and
        scored on the winners of the races in those ``days`` (:func:`~rivalrymodel.peers.
        tuning_split`): a simple, affordable split that never looks past ``data.cutoff``. The
        scores are kept in the returned engine's ``tuning`` (a Series by grid point); a grid
        point the package fails on numerically scores NaN and is never chosen.

        Parameters
        ----------
        grid
            Constructor argument -> values, tried in every combination; default gamma
            0.1..0.4 per sqrt(day) and beta 0.7..2 (the prior sigma stays at 6). Larger
            gamma / beta ratios (0.4 and up) can make the package fail numerically here.
        fixed
            Other constructor arguments (iterations, window_days, ...), the same for all.
        """
        grid = grid or {"gamma": [0.1, 0.2, 0.3, 0.4], "beta": [0.7, 1.0, 1.4, 2.0]}
        return grid_search(cls, data, grid, days, fixed, lambda r: r.win_probabilities)
