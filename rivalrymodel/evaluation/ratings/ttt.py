"""TrueSkill Through Time (``trueskillthroughtime``; Dangauthier et al. 2007, Landfried &
Mocskos): Gaussian skills drifting by ``gamma`` per sqrt(day), one History of all races."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ...data.racedata import RaceData
from .protocol import GaussianLaw, Ratings, cutoff_of, day_number, rankings
from .tuning import TunedBaseline

__all__ = ["TrueSkillThroughTime", "TTTRatings", "p_ahead"]


def p_ahead(mu_a, sigma_a, mu_b, sigma_b, beta: float):
    """Exact P(a's performance beats b's): the difference is Normal with both variances."""
    diff_sd = np.sqrt(np.square(sigma_a) + np.square(sigma_b) + 2 * beta**2)
    return ndtr((np.asarray(mu_a) - np.asarray(mu_b)) / diff_sd)


@dataclass(frozen=True)
class TTTRatings(Ratings):
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
    sims : int
        Simulated races of a forecast (places and pairs; the win probabilities are exact).
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
    sims: int = 4000
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

    def law(self, athlete_ids, start_list) -> GaussianLaw:
        """The skills on the race day; an unseen runner has the package's prior skill."""
        mu, sigma = self.skills(athlete_ids, start_list.date)
        known = np.isfinite(mu)
        mu = np.where(known, mu, self.prior_mu)
        sigma = np.where(known, sigma, self.prior_sigma)
        return GaussianLaw(mu, sigma, self.beta, known, self.sims)


@dataclass(kw_only=True, eq=False)
class TrueSkillThroughTime(TunedBaseline):
    """TrueSkill Through Time over the races of ``data`` (or of its last ``window_days``).

    Each race with two or more OK finishers is one event whose teams are the single finishers,
    ranked by place (equal places are a draw); the time is the race's day, so ``gamma`` is a
    drift per sqrt(day). The package smooths forward and backward until the largest change is
    below ``epsilon`` or after ``iterations`` sweeps. Win probabilities are exact
    (quadrature); places and pairs are simulated from ``sims`` races.

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
    sims
        Simulated races per forecast.
    tune, grid, cache_dir
        Past-only tuning of gamma and beta (:mod:`.tuning`); default grid gamma 0.1..0.4 per
        sqrt(day) and beta 0.7..2 (the prior sigma stays at 6). Larger gamma / beta ratios (0.4
        and up) can make the package fail numerically here.

    The defaults (gamma 0.3, beta 1.4, 730 days, 3 sweeps) are the tuning's choice on the
    bundled data as of 2025-09-13 over gamma 0.05-0.55, beta 0.7-2 and 730 or 1095 days: winner
    log loss 1.641 on the 242 races of 2024-09-13..2025-09-12 (gamma 0.2, beta 1: 1.645, on all
    history: 1.658; uniform: 1.762). Forecasts depend only on gamma / beta and sigma / beta
    (scaling all three scales every skill alike), so tuning gamma and beta at a fixed sigma
    covers the whole model.
    """

    name = "ttt"
    GRID: ClassVar[dict] = {"gamma": [0.1, 0.2, 0.3, 0.4], "beta": [0.7, 1.0, 1.4, 2.0]}

    mu: float = 0.0
    sigma: float = 6.0
    beta: float = 1.4
    gamma: float = 0.3
    p_draw: float = 0.01
    iterations: int = 3
    epsilon: float = 1e-3
    window_days: int | None = 730
    sims: int = 4000

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
            mu=float(self.mu),
            sigma=float(self.sigma),
            beta=self.beta,
            gamma=self.gamma,
            p_draw=self.p_draw,
        )

    def rate(self, data: RaceData) -> TTTRatings:
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
            prior_mu=float(self.mu),
            prior_sigma=float(self.sigma),
            sims=self.sims,
            history=h,
        )
