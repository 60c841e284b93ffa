"""The athlete terms both likelihood families share: ability, distance, pacing, injury, noise.

Every athlete-level term is non-centred (standard-normal raw variables times a learned scale)
and zero-sum over athletes (a ``ZeroSumNormal`` with the athlete axis last): a shift common to
all athletes cancels inside a race, so only differences are identified.
"""

from __future__ import annotations

from functools import partial

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


def busy_coords(design: Design, spec: ModelSpec) -> dict[str, np.ndarray]:
    busy = busy_athletes(design, spec)
    if not busy.any():
        return {}
    return {"busy_athlete": design.athlete_ids[busy], "other_athlete": design.athlete_ids[~busy]}


def _walk_logp(later, base, step_sd, _shape, *, first_cell, cell_athlete):
    """Centred random walk: each later cell is Normal(previous cell, step_sd)."""
    full = pt.zeros(len(cell_athlete))
    full = full[first_cell].set(base)
    later_idx = np.setdiff1d(np.arange(len(cell_athlete)), first_cell)
    full = full[later_idx].set(later)
    steps = full[later_idx] - full[later_idx - 1]  # cells of an athlete are contiguous
    return pm.logp(pm.Normal.dist(0.0, step_sd), steps).sum()


def _walk_random(base, step_sd, _shape, rng=None, size=None, *, first_cell, cell_athlete):
    n = len(cell_athlete)
    later_idx = np.setdiff1d(np.arange(n), first_cell)
    inc = np.zeros(n)
    inc[later_idx] = step_sd * rng.standard_normal(len(later_idx))
    walk = np.cumsum(inc)
    full = np.asarray(base)[cell_athlete] + walk - walk[first_cell[cell_athlete]]
    return full[later_idx]


def busy_athletes(design: Design, spec: ModelSpec) -> np.ndarray:
    """Mask of the athletes whose ability is centred (see :func:`_ability`)."""
    if "ability" not in spec.centred:
        return np.zeros(design.n_athletes, dtype=bool)
    return np.bincount(design.obs_athlete, minlength=design.n_athletes) >= spec.centre_min_results


def _ability(design: Design, spec: ModelSpec) -> pt.TensorVariable:
    """theta per cell: a base ability per athlete plus a Gaussian random walk over its seasons.

    Most athletes have few results: their base and steps are non-centred (standard normals
    times the scales), or the sampler meets funnels. A busy athlete (``"ability" in
    spec.centred`` and at least ``spec.centre_min_results`` results) is centred instead: the
    base and each later season's level are the parameters, each level Normal around the
    previous one. The data pin every season of a busy athlete, so the levels are nearly
    independent in the posterior, where non-centred steps (a cumulative sum) are strongly
    correlated. Either way the base abilities are centred to mean zero: a shift common to all
    athletes cancels in every race.
    """
    sd = spec.ability_sd.create("ability_sd")
    busy = busy_athletes(design, spec)
    if busy.any():
        b_busy = pm.Normal("ability_base", 0.0, sd, dims="busy_athlete")
        z = pm.Normal("ability_z", 0.0, 1.0, dims="other_athlete")
        b = pt.zeros(design.n_athletes)[np.flatnonzero(busy)].set(b_busy)
        b = b[np.flatnonzero(~busy)].set(sd * z)
        base = b - b.mean()
    else:
        base = sd * pm.ZeroSumNormal("ability_z", sigma=1.0, dims="athlete")
    theta = base[design.cell_athlete]
    n_cells = len(design.cell_athlete)
    later = np.setdiff1d(np.arange(n_cells), design.first_cell)
    if not spec.dynamic or len(later) == 0:
        return pm.Deterministic("ability", theta, dims="cell")
    step_sd = spec.step_sd.create("step_sd")
    quiet_later = later[~busy[design.cell_athlete[later]]]
    if len(quiet_later):
        steps = pm.Normal("step_z", 0.0, 1.0, shape=len(quiet_later))
        walk = pt.cumsum(pt.zeros(n_cells)[quiet_later].set(steps))
        # Each athlete's walk starts at 0 in its first cell: subtract the running total there.
        theta = theta + step_sd * (walk - walk[design.first_cell[design.cell_athlete]])
    busy_later = later[busy[design.cell_athlete[later]]]
    if len(busy_later):
        cells = np.flatnonzero(busy[design.cell_athlete])  # contiguous per athlete, in order
        _, sub_athlete = np.unique(design.cell_athlete[cells], return_inverse=True)
        sub_first = np.flatnonzero(np.r_[True, sub_athlete[1:] != sub_athlete[:-1]])
        kw = {"first_cell": sub_first, "cell_athlete": sub_athlete}
        levels = pm.CustomDist(
            "ability_level",
            base[np.flatnonzero(busy)],
            step_sd,
            np.zeros(len(busy_later)),  # only carries the length k of the walk's support
            logp=partial(_walk_logp, **kw),
            random=partial(_walk_random, **kw),
            signature="(a),(),(k)->(k)",
        )
        theta = theta[busy_later].set(levels)
    return pm.Deterministic("ability", theta, dims="cell")


def _athlete_effect(name: str, prior, design: Design, centred: bool) -> pt.TensorVariable:
    sd = prior.create(f"{name}_sd")
    if centred:
        return pm.ZeroSumNormal(name, sigma=sd, dims="athlete")
    z = pm.ZeroSumNormal(f"{name}_z", sigma=1.0, dims="athlete")
    return pm.Deterministic(name, sd * z, dims="athlete")


def athlete_utility(design: Design, spec: ModelSpec) -> pt.TensorVariable:
    """u per observation (higher = better), in the model's context."""
    a = design.obs_athlete
    u = _ability(design, spec)[design.obs_cell]
    if spec.distance:
        u = (
            u
            + _athlete_effect("distance", spec.distance_sd, design, "distance" in spec.centred)[a]
            * design.obs_x
        )
    if spec.pacing:
        u = (
            u
            + _athlete_effect("unpaced", spec.pacing_sd, design, "unpaced" in spec.centred)[a]
            * design.obs_unpaced
        )
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
