"""The athlete terms both likelihood families share: ability, distance, pacing, injury, noise.

Every athlete-level term is non-centred (standard-normal raw variables times a learned scale)
and zero-sum over athletes (a ``ZeroSumNormal`` with the athlete axis last): a shift common to
all athletes cancels inside a race, so only differences are identified.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from ..spec import ModelSpec
from .design import NOISE_COLUMNS, Design

__all__ = ["coords", "athlete_utility", "race_noise_scale"]


def coords(design: Design) -> dict[str, np.ndarray]:
    """Model coordinates with real names (athlete ids; cells as ``id:season``)."""
    return {
        "athlete": design.athlete_ids,
        "cell": design.cell_labels,
        "race": design.race_ids,
        "noise_term": np.array(NOISE_COLUMNS),
        "injured_athlete": design.athlete_ids[design.injured_athletes],
    }


def _ability(design: Design, spec: ModelSpec) -> pt.TensorVariable:
    """theta per cell: a base ability per athlete plus a Gaussian random walk over its seasons."""
    sd = spec.ability_sd.create("ability_sd")
    z0 = pm.ZeroSumNormal("ability_z", sigma=1.0, dims="athlete")
    theta = (sd * z0)[design.cell_athlete]
    n_steps = len(design.cell_athlete) - design.n_athletes
    if spec.dynamic and n_steps > 0:
        step_sd = spec.step_sd.create("step_sd")
        steps = pm.Normal("step_z", 0.0, 1.0, shape=n_steps)
        is_step = np.ones(len(design.cell_athlete), dtype=bool)
        is_step[design.first_cell] = False
        full = pt.zeros(len(design.cell_athlete))[np.flatnonzero(is_step)].set(steps)
        walk = pt.cumsum(full)
        # Each athlete's walk starts at 0 in its first cell: subtract the running total there.
        theta = theta + step_sd * (walk - walk[design.first_cell[design.cell_athlete]])
    return pm.Deterministic("ability", theta, dims="cell")


def _athlete_effect(name: str, prior, design: Design) -> pt.TensorVariable:
    sd = prior.create(f"{name}_sd")
    z = pm.ZeroSumNormal(f"{name}_z", sigma=1.0, dims="athlete")
    return pm.Deterministic(name, sd * z, dims="athlete")


def athlete_utility(design: Design, spec: ModelSpec) -> pt.TensorVariable:
    """u per observation (higher = better), in the model's context."""
    a = design.obs_athlete
    u = _ability(design, spec)[design.obs_cell]
    if spec.distance:
        u = u + _athlete_effect("distance", spec.distance_sd, design)[a] * design.obs_x
    if spec.pacing:
        u = u + _athlete_effect("unpaced", spec.pacing_sd, design)[a] * design.obs_unpaced
    if spec.injury:
        mean = spec.injury_mean.create("injury_mean")
        per_len = spec.injury_length.create("injury_length")
        hurt = design.injured_athletes
        if len(hurt):
            sd = spec.injury_sd.create("injury_sd")
            z = pm.Normal("injury_z", 0.0, 1.0, dims="injured_athlete")
            beta = pm.Deterministic("injury", mean + sd * z, dims="injured_athlete")
            # Athletes never seen after an absence get the population mean (their decay is 0).
            lookup = np.full(design.n_athletes, len(hurt))
            lookup[hurt] = np.arange(len(hurt))
            beta_obs = pt.concatenate([beta, pt.stack([mean])])[lookup[a]]
        else:
            beta_obs = mean
        u = u + beta_obs * design.obs_inj_decay + per_len * design.obs_inj_loglen
    return u


def race_noise_scale(design: Design, spec: ModelSpec) -> pt.TensorVariable:
    """tau per race; 1 for a paced outdoor final, which pins the utility scale."""
    if not spec.race_noise:
        return pt.ones(design.n_races)
    gamma = spec.noise.create("noise", dims="noise_term")
    return pt.exp(pt.dot(design.race_noise_x, gamma))
