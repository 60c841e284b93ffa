"""The age drift of the ability walk (variant ``age_drift``): young athletes improve, older ones
decline, so a forecast months ahead should not carry a 20-year-old's ability forward flat.

The walk's step from an athlete's cell to his next, s seasons later, gets a mean

    s * (drift_mean + drift_age * (age - AGE_CENTRE) / AGE_UNIT)

with the age at the middle of the step (``athletes.birth_date``); an athlete with no birth date
gets no drift. A linear drift in age is a quadratic ability curve in age, peaking where the
drift is zero (``AGE_CENTRE - AGE_UNIT * drift_mean / drift_age``). Since the means are known
numbers times two scalars, the PyMC piece adds ``drift_mean * A + drift_age * B`` to the
cells' abilities (A, B: the per-athlete running sums of the steps' seasons and seasons times
centred age), which is the same model as a walk with those step means whatever the walk's
parametrisation; the numpy piece adds the drift of the steps a forecast projects over.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["AGE_CENTRE", "AGE_UNIT", "decimal_years", "cell_features", "cell_offset", "project"]

AGE_CENTRE = 26.0  # years: near the peak of a middle-distance career, so drift_mean is small
AGE_UNIT = 10.0  # years per unit of drift_age


def decimal_years(dates) -> np.ndarray:
    """Dates as decimal years (NaT -> NaN)."""
    d = pd.DatetimeIndex(pd.to_datetime(pd.Series(np.atleast_1d(dates)), errors="raise"))
    return (d.year + (d.day_of_year - 1) / 365.25).to_numpy(dtype=float, na_value=np.nan)


def _period_middle(period, per: int) -> np.ndarray:
    """The middle of a period (``ability.period_of``) as a decimal year."""
    return (np.asarray(period, dtype=float) + 0.5) / per


def _step_mean_parts(born, start_period, end_period, per: int) -> tuple[np.ndarray, np.ndarray]:
    """Per step from ``start_period`` to ``end_period`` (either order): its seasons (signed) and
    seasons times centred age at its middle, each 0 where the birth date is unknown."""
    seasons = (np.asarray(end_period, float) - np.asarray(start_period, float)) / per
    middle = (_period_middle(start_period, per) + _period_middle(end_period, per)) / 2
    age = (middle - np.asarray(born, float) - AGE_CENTRE) / AGE_UNIT
    known = np.isfinite(age)
    return np.where(known, seasons, 0.0), np.where(known, seasons * age, 0.0)


def cell_features(design) -> tuple[np.ndarray, np.ndarray]:
    """(A, B) per cell: the running sums, from the athlete's first cell, of the steps' seasons
    and of seasons times centred age (0 at each first cell and for unknown birth dates)."""
    per = design.periods_per_season
    prev = np.r_[design.cell_period[0], design.cell_period[:-1]]
    prev[design.first_cell] = design.cell_period[design.first_cell]
    born = design.athlete_born[design.cell_athlete]
    seasons, aged = _step_mean_parts(born, prev, design.cell_period, per)
    # The parts are 0 at first cells, so the running total there is the earlier athletes'.
    start = design.first_cell[design.cell_athlete]
    a, b = np.cumsum(seasons), np.cumsum(aged)
    return a - a[start], b - b[start]


def cell_offset(design, spec):
    """The drift's shift of each cell's ability (PyMC; creates ``drift_mean``, ``drift_age``)."""
    a, b = cell_features(design)
    mean = spec.drift_mean.create("drift_mean")
    age = spec.drift_age.create("drift_age")
    return mean * a + age * b


def project(posterior, born, cell_period, day_period, per: int) -> np.ndarray:
    """(sample, runner) drift from each runner's nearest cell (``cell_period``) to the race
    day's period; zeros for runners of unknown birth date or a fit without the term."""
    shape = (posterior.n_samples, len(born))
    if not posterior.has("drift_age"):
        return np.zeros(shape)
    seasons, aged = _step_mean_parts(born, cell_period, np.full(len(born), day_period), per)
    return (posterior.draws("drift_mean")[:, None] * seasons
            + posterior.draws("drift_age")[:, None] * aged)  # fmt: skip
