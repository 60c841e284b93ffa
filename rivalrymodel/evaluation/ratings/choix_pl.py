"""Plackett-Luce maximum likelihood with ``choix`` (I-LSR on the races' rankings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ...data.racedata import RaceData
from .protocol import PlackettLucePoint, Ratings, cutoff_of, rankings
from .tuning import TunedBaseline

__all__ = ["ChoixPlackettLuce", "ChoixRatings"]


@dataclass(frozen=True)
class ChoixRatings(Ratings):
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

    def law(self, athlete_ids, start_list) -> PlackettLucePoint:
        return PlackettLucePoint(self.strengths(athlete_ids))


@dataclass(kw_only=True, eq=False)
class ChoixPlackettLuce(TunedBaseline):
    """Plackett-Luce MLE of the rankings of OK finishers in the last ``window_days``.

    Parameters
    ----------
    alpha
        choix's regularisation: a pseudo-rate ``alpha`` between every pair of athletes, which
        makes the comparison graph connected (one-race athletes and separate circuits get
        finite strengths) and shrinks strengths to equal. Must be > 0 for that reason.
    window_days
        Only races in [cutoff - window_days, cutoff) count (None: all of ``data``).
    max_iter, tol
        Passed to ``choix.ilsr_rankings``.
    tune, grid, cache_dir
        Past-only tuning (:mod:`.tuning`); default grid alpha 3e-4..1e-2 and windows of one,
        two and four years.

    The defaults (0.001, 730) are the tuning's choice on the bundled data as of 2025-09-13
    (winner log loss 1.630 on 2024-09-13..2025-09-12; 1.632 at alpha 0.003, 1.640 with one
    year). Plackett-Luce has no ties; tied runners (6 races of 5,735 in the bundled data) are
    ranked in the data's row order.
    """

    name = "choix"
    GRID: ClassVar[dict] = {"alpha": [0.0003, 0.001, 0.003, 0.01], "window_days": [365, 730, 1460]}

    alpha: float = 0.001
    window_days: int | None = 730
    max_iter: int = 1000
    tol: float = 1e-8

    def __post_init__(self):
        if not self.alpha > 0:
            raise ValueError("alpha must be > 0: it is what connects the comparison graph")

    def rate(self, data: RaceData) -> ChoixRatings:
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
            len(ids), data_, alpha=float(self.alpha), max_iter=self.max_iter, tol=self.tol
        )
        return ChoixRatings(ids, np.asarray(params, dtype=float))
