"""The ability term: theta per athlete-season cell, a Gaussian random walk over seasons.

The PyMC piece builds theta from a base ability per athlete (zero-sum) plus the walk; the numpy
piece projects the posterior draws to a race day: the nearest season's cell, plus one walk step
of ``step_sd`` per season in between, and the population's draws for athletes the fit never saw.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

__all__ = ["busy_athletes", "theta", "nearest_cells", "project", "population"]


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


def busy_athletes(design, spec) -> np.ndarray:
    """Mask of the athletes whose ability is centred (see :func:`theta`)."""
    if "ability" not in spec.centred:
        return np.zeros(design.n_athletes, dtype=bool)
    return np.bincount(design.obs_athlete, minlength=design.n_athletes) >= spec.centre_min_results


def theta(design, spec) -> pt.TensorVariable:
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
    th = base[design.cell_athlete]
    n_cells = len(design.cell_athlete)
    later = np.setdiff1d(np.arange(n_cells), design.first_cell)
    if not spec.dynamic or len(later) == 0:
        return pm.Deterministic("ability", th, dims="cell")
    step_sd = spec.step_sd.create("step_sd")
    quiet_later = later[~busy[design.cell_athlete[later]]]
    if len(quiet_later):
        steps = pm.Normal("step_z", 0.0, 1.0, shape=len(quiet_later))
        walk = pt.cumsum(pt.zeros(n_cells)[quiet_later].set(steps))
        # Each athlete's walk starts at 0 in its first cell: subtract the running total there.
        th = th + step_sd * (walk - walk[design.first_cell[design.cell_athlete]])
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
        th = th[busy_later].set(levels)
    return pm.Deterministic("ability", th, dims="cell")


def nearest_cells(
    cell_athlete: np.ndarray, cell_season: np.ndarray, athletes, season: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per athlete: the index of its cell nearest to ``season`` (the earlier on a tie) and the
    number of seasons between, i.e. the random-walk steps a projection adds."""
    order = pd.DataFrame({"a": cell_athlete, "gap": np.abs(np.asarray(cell_season) - season)})
    nearest = order.reset_index().sort_values(["gap", "index"]).drop_duplicates("a")
    nearest = nearest.set_index("a").reindex(list(athletes))
    return nearest["index"].to_numpy(), nearest["gap"].to_numpy()


def project(posterior, athlete_ids, known: np.ndarray, season: int, rng) -> tuple:
    """(sample, runner) ability draws in ``season`` and the walk steps added per runner.

    Runners not ``known`` to the fit get zeros here (see :func:`population`); a known runner
    seen last in an earlier season (or first in a later one) gets one step of ``step_sd`` per
    season in between.
    """
    th = posterior.draws("ability")
    u = np.zeros((posterior.n_samples, len(athlete_ids)))
    gap = np.zeros(len(athlete_ids), dtype=int)
    cell, steps = nearest_cells(
        posterior.coord("cell_athlete").astype(str),
        posterior.coord("cell_season"),
        np.asarray(athlete_ids)[known],
        season,
    )
    gap[known] = steps
    u[:, known] = th[:, cell.astype(int)]
    if posterior.has("step_sd") and gap.any():
        u += posterior.draws("step_sd")[:, None] * np.sqrt(gap) * rng.standard_normal(u.shape)
    return u, gap


def population(posterior, n: int, rng) -> np.ndarray:
    """(sample, n) abilities of athletes the fit never saw: Normal(0, ability_sd) per draw."""
    sd = posterior.draws("ability_sd")[:, None]
    return sd * rng.standard_normal((posterior.n_samples, n))
