"""The ability term: theta per athlete-period cell, a Gaussian random walk in time.

A period is a season (``spec.periods_per_season == 1``) or an equal part of one (2: half
seasons, 4: quarters, ...); the walk's variance grows by ``step_sd**2`` per season, so the step
from a cell to the athlete's next, g periods later, has sd
``step_sd * sqrt(g / periods_per_season)``. Cells are only the periods with results: the steps
over the empty periods in between are summed into that one. The PyMC
piece builds theta from a base ability per athlete (zero-sum) plus the walk; the numpy piece
projects the posterior draws to a race day: the nearest period's cell plus the walk's steps in
between, and the population's draws for athletes the fit never saw.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from . import drift

__all__ = [
    "period_of", "busy_athletes", "theta", "nearest_cells", "project", "population",
]  # fmt: skip


def period_of(dates, periods_per_season: int) -> np.ndarray:
    """The period index of each date: ``year * periods_per_season + part of the year``."""
    d = pd.DatetimeIndex(np.atleast_1d(np.asarray(dates, dtype="datetime64[ns]")))
    part = (d.month.to_numpy() - 1) // (12 // periods_per_season)
    return d.year.to_numpy() * periods_per_season + part


def _walk_logp(later, base, step_sd, _shape, *, first_cell, cell_athlete, scale):
    """Centred random walk: each later cell is Normal(previous cell, step_sd * scale), with
    ``scale`` per later cell (the square root of the seasons it spans)."""
    full = pt.zeros(len(cell_athlete))
    full = full[first_cell].set(base)
    later_idx = np.setdiff1d(np.arange(len(cell_athlete)), first_cell)
    full = full[later_idx].set(later)
    steps = full[later_idx] - full[later_idx - 1]  # cells of an athlete are contiguous
    return pm.logp(pm.Normal.dist(0.0, step_sd * scale), steps).sum()


def _walk_random(base, step_sd, _shape, rng=None, size=None, *, first_cell, cell_athlete, scale):
    n = len(cell_athlete)
    later_idx = np.setdiff1d(np.arange(n), first_cell)
    inc = np.zeros(n)
    inc[later_idx] = step_sd * scale * rng.standard_normal(len(later_idx))
    walk = np.cumsum(inc)
    full = np.asarray(base)[cell_athlete] + walk - walk[first_cell[cell_athlete]]
    return full[later_idx]


def busy_athletes(design, spec) -> np.ndarray:
    """Mask of the athletes whose ability is centred (see :func:`theta`)."""
    if "ability" not in spec.centred:
        return np.zeros(design.n_athletes, dtype=bool)
    return np.bincount(design.obs_athlete, minlength=design.n_athletes) >= spec.centre_min_results


def theta(design, spec) -> pt.TensorVariable:
    """theta per cell: a base ability per athlete plus a Gaussian random walk over its periods.

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
    # A cell's step spans the periods since the athlete's previous cell: its sd per unit
    # step_sd is the square root of the seasons between.
    scale = np.sqrt(design.cell_gap / spec.periods_per_season)
    quiet_later = later[~busy[design.cell_athlete[later]]]
    if len(quiet_later):
        steps = pm.Normal("step_z", 0.0, 1.0, shape=len(quiet_later)) * scale[quiet_later]
        walk = pt.cumsum(pt.zeros(n_cells)[quiet_later].set(steps))
        # Each athlete's walk starts at 0 in its first cell: subtract the running total there.
        th = th + step_sd * (walk - walk[design.first_cell[design.cell_athlete]])
    busy_later = later[busy[design.cell_athlete[later]]]
    if len(busy_later):
        cells = np.flatnonzero(busy[design.cell_athlete])  # contiguous per athlete, in order
        _, sub_athlete = np.unique(design.cell_athlete[cells], return_inverse=True)
        sub_first = np.flatnonzero(np.r_[True, sub_athlete[1:] != sub_athlete[:-1]])
        kw = {"first_cell": sub_first, "cell_athlete": sub_athlete, "scale": scale[busy_later]}
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
    if spec.age_drift:
        # After the walk either way: shifting the centred levels too keeps one model.
        th = th + drift.cell_offset(design, spec)
    return pm.Deterministic("ability", th, dims="cell")


def nearest_cells(
    cell_athlete: np.ndarray, cell_period: np.ndarray, athletes, period: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per athlete: the index of its cell nearest to ``period`` (the earlier on a tie) and the
    number of periods between, i.e. the random-walk steps a projection adds."""
    order = pd.DataFrame({"a": cell_athlete, "gap": np.abs(np.asarray(cell_period) - period)})
    nearest = order.reset_index().sort_values(["gap", "index"]).drop_duplicates("a")
    nearest = nearest.set_index("a").reindex(list(athletes))
    return nearest["index"].to_numpy(), nearest["gap"].to_numpy()


def cell_periods(posterior) -> np.ndarray:
    """Each cell's period (fits saved before periods existed have seasons only)."""
    if posterior.has_coord("cell_period"):
        return posterior.coord("cell_period")
    return posterior.coord("cell_season")


def project(posterior, spec, athlete_ids, known: np.ndarray, day, rng) -> tuple:
    """(sample, runner) ability draws on ``day`` and the seasons the walk adds per runner.

    Runners not ``known`` to the fit get zeros here (see :func:`population`); a known runner
    seen last in an earlier period (or first in a later one) gets the walk's steps in between:
    variance ``step_sd**2`` per season, and with ``age_drift`` their mean (``drift.project``).
    """
    per = spec.periods_per_season
    th = posterior.draws("ability")
    u = np.zeros((posterior.n_samples, len(athlete_ids)))
    gap = np.zeros(len(athlete_ids))
    day_period = int(period_of([pd.Timestamp(day)], per)[0])
    cell, steps = nearest_cells(
        posterior.coord("cell_athlete").astype(str),
        cell_periods(posterior),
        np.asarray(athlete_ids)[known],
        day_period,
    )
    gap[known] = steps / per
    u[:, known] = th[:, cell.astype(int)]
    if posterior.has("drift_age") and known.any():
        born = posterior.coord("athlete_born")[
            pd.Index(posterior.coord("athlete").astype(str)).get_indexer(
                np.asarray(athlete_ids)[known]
            )
        ]
        u[:, known] += drift.project(posterior, born, cell_periods(posterior)[cell.astype(int)],
                                     day_period, per)  # fmt: skip
    if posterior.has("step_sd") and gap.any():
        u += posterior.draws("step_sd")[:, None] * np.sqrt(gap) * rng.standard_normal(u.shape)
    return u, gap


def population(posterior, n: int, rng) -> np.ndarray:
    """(sample, n) abilities of athletes the fit never saw: Normal(0, ability_sd) per draw."""
    sd = posterior.draws("ability_sd")[:, None]
    return sd * rng.standard_normal((posterior.n_samples, n))
