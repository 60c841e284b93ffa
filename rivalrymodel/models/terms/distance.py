"""The distance term: each athlete's profile over log distance, ``u += delta_i * x_e``.

x_e = log(distance / 1500 m) / log(5000 / 1500): 0 for the 1500m, 1 for the 5000m (see
:func:`rivalrymodel.data.covariates.distance_x`, the feature's one home).
"""

from __future__ import annotations

import numpy as np

from ...data.covariates import distance_x
from .athlete_effect import forecast_effect, pymc_effect

__all__ = ["NAME", "utility", "forecast"]

NAME = "distance"


def utility(u, design, spec):
    """Add the term to the per-observation utility ``u`` in the PyMC model."""
    effect = pymc_effect(NAME, spec.distance_sd, "distance" in spec.centred)
    return u + effect[design.obs_athlete] * design.obs_x


def forecast(posterior, spec, index: np.ndarray, event: str, rng) -> np.ndarray | None:
    """(sample, runner) contribution in a race of ``event``; None when the term is off."""
    x = distance_x(event)
    if not spec.distance or not posterior.has(NAME) or x == 0:
        return None
    return forecast_effect(posterior, NAME, x, index, rng)
