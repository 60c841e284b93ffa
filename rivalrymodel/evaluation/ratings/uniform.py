"""The uniform baseline: every runner equally likely."""

from __future__ import annotations

import numpy as np

from .protocol import Baseline, PlackettLucePoint, Ratings

__all__ = ["Uniform"]


class _Equal(Ratings):
    def law(self, athlete_ids, start_list) -> PlackettLucePoint:
        return PlackettLucePoint(np.zeros(len(athlete_ids)))


class Uniform(Baseline):
    """Every runner equally likely."""

    name = "uniform"

    def rate(self, data) -> Ratings:
        return _Equal()
