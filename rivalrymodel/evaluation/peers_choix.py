"""Plackett-Luce maximum likelihood with ``choix`` (I-LSR on the races' rankings)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.racedata import RaceData
from .peers import cutoff_of, grid_search, rankings

__all__ = ["ChoixPlackettLuce", "ChoixRatings"]


@dataclass(frozen=True)
class ChoixRatings:
    """Fitted Plackett-Luce log-strengths (centred by choix: mean zero over the athletes seen).

    Attributes
    ----------
    athlete_ids : tuple of str
        The athletes of the fit, in the order of ``params``.
    params : numpy.ndarray
        ``choix.ilsr_rankings``'s estimate; P(i wins) is the softmax over the runners.
    """

    athlete_ids: tuple[str, ...]
    params: np.ndarray
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", {a: i for i, a in enumerate(self.athlete_ids)})

    def strengths(self, athlete_ids) -> np.ndarray:
        """Log-strengths of ``athlete_ids``; NaN for an athlete the fit never saw."""
        idx = np.array([self._index.get(a, -1) for a in athlete_ids], dtype=int)
        out = np.full(idx.size, np.nan)
        out[idx >= 0] = self.params[idx[idx >= 0]]
        return out

    def win_probabilities(self, athlete_ids) -> np.ndarray:
        """Softmax of the strengths; an unseen runner gets the median of the seen ones.

        The median, as :mod:`rivalrymodel.baselines` does; all unseen is uniform.
        """
        v = self.strengths(athlete_ids)
        known = np.isfinite(v)
        v = np.where(known, v, np.median(v[known]) if known.any() else 0.0)
        e = np.exp(v - v.max())
        return e / e.sum()


class ChoixPlackettLuce:
    """Plackett-Luce MLE of the rankings of OK finishers in the last ``window_days``.

    Parameters
    ----------
    alpha
        choix's regularisation: a pseudo-rate ``alpha`` between every pair of athletes, which
        makes the comparison graph connected (one-race athletes and separate circuits get
        finite strengths) and shrinks strengths to equal. Must be > 0 for that reason.
    window_days
        Only races in [cutoff - window_days, cutoff) count (None: all of ``data``).

    The defaults (0.001, 730) are ``tuned``'s choice on the bundled data as of 2025-09-13
    (winner log loss 1.630 on 2024-09-13..2025-09-12; 1.632 at alpha 0.003, 1.640 with one
    year); a backtest should tune at its own origins rather than use them.
    max_iter, tol
        Passed to ``choix.ilsr_rankings``.

    Notes
    -----
    Plackett-Luce has no ties; tied runners (6 races of 5,735 in the bundled data) are ranked
    in the data's row order.
    """

    def __init__(
        self,
        *,
        alpha: float = 0.001,
        window_days: int | None = 730,
        max_iter: int = 1000,
        tol: float = 1e-8,
    ):
        if not alpha > 0:
            raise ValueError("alpha must be > 0: it is what connects the comparison graph")
        self.alpha = float(alpha)
        self.window_days = window_days
        self.max_iter = max_iter
        self.tol = tol

    def __repr__(self) -> str:
        return f"ChoixPlackettLuce(alpha={self.alpha:g}, window_days={self.window_days})"

    def fit(self, data: RaceData) -> ChoixRatings:
        """Fit on the races of ``data`` inside the window before its cutoff."""
        import choix

        races = rankings(data)
        if self.window_days is not None:
            start = cutoff_of(data) - pd.Timedelta(days=self.window_days)
            races = [r for r in races if r.date >= start]
        ids = tuple(sorted({a for r in races for a in r.athletes}))
        if not races:
            return ChoixRatings((), np.zeros(0))
        index = {a: i for i, a in enumerate(ids)}
        data_ = [[index[a] for a in r.athletes] for r in races]
        params = choix.ilsr_rankings(
            len(ids), data_, alpha=self.alpha, max_iter=self.max_iter, tol=self.tol
        )
        return ChoixRatings(ids, np.asarray(params, dtype=float))

    @classmethod
    def tuned(
        cls,
        data: RaceData,
        grid: dict | None = None,
        *,
        days: int = 365,
        **fixed,
    ) -> ChoixPlackettLuce:
        """The engine with the (alpha, window_days) of the lowest winner log loss on the past.

        Each grid point is fitted once on the data before the last ``days`` of ``data`` and
        scored on the winners of the races in those ``days`` (:func:`~rivalrymodel.peers.
        tuning_split`): a simple, affordable split that never looks past ``data.cutoff``. The
        scores are kept in the returned engine's ``tuning`` (a Series by grid point).

        Parameters
        ----------
        grid
            Constructor argument -> values, tried in every combination; default alpha
            3e-4..1e-2 and windows of one, two and four years.
        """
        grid = grid or {"alpha": [0.0003, 0.001, 0.003, 0.01], "window_days": [365, 730, 1460]}
        return grid_search(
            cls, data, grid, days, fixed, lambda r: lambda ids, _day: r.win_probabilities(ids)
        )
