"""Each runner's utility per posterior draw on a race day, and the race's noise scale.

The terms' forecast pieces (``models.terms``) composed for one start list: the ability of the
nearest season (one random-walk step per season in between), the distance profile, the unpaced
skill in an unpaced race, and the injury effect of the latest absence announced by the race
day. Forecasts, head-to-heads and championships all start here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models.terms import injury as injury_term
from ..models.terms import noise, race_day_utility
from .startlist import StartList, resolve

__all__ = ["utility_draws", "noise_scale"]


def _absence_table(fit, absences: pd.DataFrame | None) -> pd.DataFrame:
    """The fit's absences with return dates, or a user's table (RaceData.absences format)."""
    if absences is None:
        return fit.absences
    cols = ["athlete_id", "start", "returned", "announced"]
    table = absences.rename(columns={"end": "returned"}).reindex(columns=cols)
    for c in ("start", "returned", "announced"):
        table[c] = pd.to_datetime(table[c])
    return table.assign(athlete_id=table["athlete_id"].astype(str))


def utility_draws(
    fit,
    start_list: StartList,
    *,
    injury: bool = True,
    absences: pd.DataFrame | None = None,
    random_seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Each runner's utility per posterior draw on the race day, before the race's noise scale.

    Returns
    -------
    (numpy.ndarray, pandas.DataFrame)
        Draws (sample, runner), and per runner: athlete_id, athlete, known (has results before
        the fit's cutoff), seasons_away (random-walk steps added), injury (mean utility change
        from a recent absence; 0 when none or ``injury=False``).

    Notes
    -----
    An athlete with no results before the cutoff gets the population's draws: ability
    Normal(0, ability_sd), distance and unpaced terms Normal(0, their sd). ``absences`` (the
    format of ``RaceData.absences``; default: those the fit saw) count only when announced by the
    race day, so a forecast cannot see a later announcement.
    """
    rng = np.random.default_rng(random_seed)
    who = resolve(fit, start_list.athletes)
    ids = who["athlete_id"].to_numpy().astype(str)
    index = who["index"].to_numpy()
    u, gap = race_day_utility(
        fit, fit.spec, ids, index, day=start_list.date, event=start_list.event,
        paced=start_list.paced, rng=rng,
    )  # fmt: skip
    offset = np.zeros_like(u)
    if injury and fit.spec.injury:
        decay, loglen, absence = injury_term.race_day_features(
            _absence_table(fit, absences), ids, start_list.date, fit.spec.injury_decay_days
        )
        offset = injury_term.offsets(
            fit, ids, decay, loglen, absence=absence,
            per_absence=fit.spec.injury_per_absence, rng=rng,
        )  # fmt: skip
    known = index >= 0
    info = pd.DataFrame(
        {
            "athlete_id": who["athlete_id"],
            "athlete": who["name"],
            "known": known,
            "seasons_away": np.where(known, gap, -1),
            "injury": offset.mean(axis=0),
        }
    )
    return u + offset, info


def noise_scale(fit, start_list: StartList, rng=None, repeats: int = 1) -> np.ndarray:
    """tau per draw (each ``repeats`` times) for the race type (1 for a paced outdoor final,
    or without race noise), times a new race temperature drawn with ``rng`` when the fit has
    one (``ModelSpec.race_temperature``)."""
    by_type = np.repeat(noise.noise_scale(fit, start_list.noise_x), repeats)
    return by_type * noise.temperature(fit, rng, repeats)
