"""The model's terms, one module each: ability, distance, pacing, injury, race noise.

Each term module owns its features, its PyMC piece and its numpy (forecast) piece. This package
composes them: :func:`athlete_utility` in the PyMC model, :func:`race_day_utility` per posterior
draw on a race day. Every athlete-level term is zero-sum over athletes: a shift common to all
athletes cancels inside a race, so only differences are identified.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt

from . import ability, distance, injury, noise, pacing
from .noise import race_noise_scale

__all__ = [
    "coords", "busy_coords", "athlete_utility", "race_noise_scale", "race_day_utility",
    "ability", "distance", "injury", "noise", "pacing",
]  # fmt: skip


def coords(design) -> dict[str, np.ndarray]:
    """Model coordinates with real names (athlete ids; cells as ``id:season``)."""
    return {
        "athlete": design.athlete_ids,
        "cell": design.cell_labels,
        "race": design.race_ids,
        "noise_term": np.array(design.race_noise_terms),
        "injured_athlete": design.athlete_ids[design.injured_athletes],
        "injured_absence": np.unique(design.obs_absence[design.obs_injured]),
    }


def busy_coords(design, spec) -> dict[str, np.ndarray]:
    busy = ability.busy_athletes(design, spec)
    if not busy.any():
        return {}
    return {"busy_athlete": design.athlete_ids[busy], "other_athlete": design.athlete_ids[~busy]}


def athlete_utility(design, spec) -> pt.TensorVariable:
    """u per observation (higher = better), in the model's context."""
    u = ability.theta(design, spec)[design.obs_cell]
    if spec.distance:
        u = distance.utility(u, design, spec)
    if spec.pacing:
        u = pacing.utility(u, design, spec)
    if spec.injury:
        u = injury.utility(u, design, spec)
    return u


def race_day_utility(
    posterior, spec, athlete_ids, index: np.ndarray, *, day, event: str, paced: bool, rng
) -> tuple[np.ndarray, np.ndarray]:
    """(sample, runner) utility per posterior draw in a race on ``day``, before injury and race
    noise, and the seasons of random walk added per runner.

    ``index`` is each runner's posterior athlete index (-1: never seen, who gets the
    population's draws of every term).
    """
    known = index >= 0
    u, gap = ability.project(posterior, spec, athlete_ids, known, day, rng)
    for part in (
        distance.forecast(posterior, spec, index, event, rng),
        pacing.forecast(posterior, spec, index, paced, rng),
    ):
        if part is not None:
            u += part
    if (~known).any():
        u[:, ~known] += ability.population(posterior, int((~known).sum()), rng)
    return u, gap
