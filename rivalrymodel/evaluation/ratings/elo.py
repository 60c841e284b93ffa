"""Multi-runner Elo: every race split into its pairs, replayed in date order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...data.racedata import RaceData
from .protocol import Baseline, PlackettLucePoint, Ratings, rankings

__all__ = ["Elo", "EloRatings"]


@dataclass(frozen=True)
class EloRatings(Ratings):
    """Elo ratings by athlete id (``by_athlete``; a newcomer starts at 1500).

    As Plackett-Luce log-strengths, ``rating * ln(10) / 400``: so P(a ahead of b) is Elo's
    ``1 / (1 + 10 ** ((R_b - R_a) / 400))``; an athlete never seen is NaN.
    """

    by_athlete: dict

    def law(self, athlete_ids, start_list) -> PlackettLucePoint:
        r = np.array([self.by_athlete.get(a, np.nan) for a in athlete_ids], dtype=float)
        return PlackettLucePoint(r * np.log(10.0) / 400.0)


@dataclass(eq=False)
class Elo(Baseline):
    """Elo with each race as all its pairs, ``k`` (32) per race shared over a runner's n - 1
    pairs."""

    name = "elo"
    k: float = 32.0

    def update(self, ratings: dict, order: list[str]) -> None:
        """Update ``ratings`` (id -> rating) in place with one race finished in ``order``."""
        r = np.array([ratings.get(a, 1500.0) for a in order])
        n = len(order)
        expected = 1.0 / (1.0 + 10.0 ** ((r[None, :] - r[:, None]) / 400.0))  # P(row ahead)
        np.fill_diagonal(expected, 0.0)
        actual = np.triu(np.ones((n, n)), 1)  # the row runner finished ahead of the column one
        delta = self.k / (n - 1) * (actual - expected).sum(axis=1)
        for a, new in zip(order, r + delta, strict=True):
            ratings[a] = float(new)

    def rate(self, data: RaceData) -> EloRatings:
        ratings: dict = {}
        for race in rankings(data):
            self.update(ratings, list(race.athletes))
        return EloRatings(ratings)
