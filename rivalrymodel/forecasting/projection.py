"""Each runner's utility per posterior draw on a race day, and the race's law.

The terms' forecast pieces (``models.terms``) composed for one start list: the ability of the
nearest season (one random-walk step per season in between), the distance profile, the unpaced
skill in an unpaced race, and the injury effect of the latest absence announced by the race
day. Divided by the race's noise scale, they give the fit's family's race law
(:func:`race_law`). Forecasts, head-to-heads and championships all start here.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data.schema import DataValidationError
from ..data.sheet_checks import cell_text
from ..data.text import normalise
from ..errors import InputError
from ..models.race_law import RaceLaw
from ..models.terms import injury as injury_term
from ..models.terms import noise, race_day_utility
from .startlist import StartList, roster_rows

__all__ = ["utility_draws", "race_law"]


def _absence_table(fit, absences: pd.DataFrame | None) -> pd.DataFrame:
    """The fit's absences with return dates, or a user's table (RaceData.absences format:
    athlete_id, start, announced, and end or returned), checked cell by cell."""
    if absences is None:
        return fit.absences
    if not isinstance(absences, pd.DataFrame):
        raise InputError(f"absences must be a DataFrame (RaceData.absences format), not "
                         f"{type(absences).__name__}")  # fmt: skip
    table = absences.rename(columns={"end": "returned"})
    missing = [c for c in ("athlete_id", "start", "announced") if c not in table.columns]
    if missing:
        raise DataValidationError(
            "absences", f"missing column(s) {missing} (RaceData.absences format: athlete_id, "
            f"start, end, announced); found {list(absences.columns)}",
        )  # fmt: skip
    table = table.reindex(columns=_ABSENCE_COLUMNS).reset_index(drop=True)
    names = {normalise(n): a for a, n in zip(fit.roster["athlete_id"], fit.roster["name"],
                                              strict=True)}  # fmt: skip
    ids = table["athlete_id"].map(cell_text).str.strip()
    for i, aid in enumerate(ids, start=1):
        if aid == "":
            raise DataValidationError("absences", "required value is empty", row=i,
                                      column="athlete_id", value=aid)  # fmt: skip
        if aid not in names.values() and normalise(aid) in names:
            problem = f"a name, not an id: give the athlete_id ({names[normalise(aid)]})"
            raise DataValidationError("absences", problem, row=i, column="athlete_id", value=aid)
    for col in ("start", "announced", "returned"):
        table[col] = _dates(table[col], col, empty_ok=col == "returned")
    back = table["returned"].notna() & (table["returned"] < table["start"])
    if back.any():
        i = int(np.flatnonzero(back)[0])
        col = "end" if "end" in absences.columns else "returned"
        raise DataValidationError("absences", "before its start", row=i + 1, column=col,
                                  value=absences[col].iloc[i])  # fmt: skip
    return table.assign(athlete_id=ids)


_ABSENCE_COLUMNS = ["athlete_id", "start", "returned", "announced"]
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([ T][0-9:.]*)?")


def _dates(column: pd.Series, name: str, *, empty_ok: bool) -> pd.Series:
    """A column of dates; an empty cell is NaT where allowed; a bad one raises naming it."""
    out = []
    for i, v in enumerate(column, start=1):
        text = cell_text(v).strip()
        try:
            day = pd.Timestamp(text) if _ISO.fullmatch(text) else pd.NaT if not text else None
        except ValueError:
            day = None
        if day is None or (day is pd.NaT and not empty_ok):
            problem = "not a date (YYYY-MM-DD)" if text else "required value is empty"
            raise DataValidationError("absences", problem, row=i, column=name, value=v)
        out.append(day)
    return pd.Series(pd.to_datetime(out), index=column.index)


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
    who = roster_rows(fit, start_list.athletes)
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


def race_law(fit, start_list: StartList, u: np.ndarray, rng=None, repeats: int = 1) -> RaceLaw:
    """The fit's family's law of the race ``start_list`` among runners of utilities ``u``
    (sample * repeats, runner): the utilities divided by the race type's noise scale, with a
    new race temperature drawn with ``rng`` when the fit has one (each draw ``repeats`` times,
    a fresh temperature each)."""
    tau = noise.noise_scale(fit, start_list.noise_x, rng, repeats)
    return fit.family.race_law(fit, fit.spec, u / tau[:, None], start_list.round, repeats)
