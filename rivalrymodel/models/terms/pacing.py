"""The pacing term: each athlete's skill in unpaced (championship-style) races,
``u += kappa_i * unpaced_r``."""

from __future__ import annotations

import numpy as np

from .athlete_effect import forecast_effect, pymc_effect

__all__ = ["NAME", "utility", "forecast"]

NAME = "unpaced"


def utility(u, design, spec):
    """Add the term to the per-observation utility ``u`` in the PyMC model."""
    effect = pymc_effect(NAME, spec.pacing_sd, "unpaced" in spec.centred)
    return u + effect[design.obs_athlete] * design.obs_unpaced


def forecast(posterior, spec, index: np.ndarray, paced: bool, rng) -> np.ndarray | None:
    """(sample, runner) contribution in a race (paced or not); None when it adds nothing."""
    if paced or not posterior.has(NAME):
        return None
    return forecast_effect(posterior, NAME, 1.0, index, rng)
