"""Leakage-safe covariates, one row per result.

Everything here is computed from a :class:`~rivalrymodel.data.racedata.RaceData` alone. Fit it on
``data.as_of(D)`` and nothing after D can enter: the races are those before D, and the absences
are those announced by D (``as_of`` also blanks an ``end`` that lies on or after D).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .racedata import RaceData
from .schema import Event

__all__ = ["distance_x", "result_covariates", "absence_returns"]

# x_e = log(distance / 1500 m) / log(5000 / 1500): 0 for 1500m, 1 for 5000m. A fixed scale rather
# than one estimated from the data, so that the same spec gives the same meaning to delta on any
# data set and a saved fit needs nothing but its spec to turn draws into abilities.
_LOG_SPAN = np.log(5000.0 / 1500.0)


def distance_x(event: Event | str) -> float:
    """Standardised log distance of an event (1500m -> 0, 5000m -> 1)."""
    return float(np.log(Event(event).distance_m / 1500.0) / _LOG_SPAN)


def absence_returns(data: RaceData) -> pd.DataFrame:
    """Each absence with its return date and length.

    The return is the absence's ``end`` (the first race back) when the data give it, else the
    athlete's first race after ``start`` in ``data`` (strictly after: an injury suffered in a
    race starts on that race's day, and that race is not a return); an absence with neither has
    not ended and gets no return. ``length_days`` is return minus start.
    """
    ab = data.absences[["athlete_id", "start", "end", "kind", "announced"]].copy()
    if ab.empty:
        return ab.assign(returned=pd.Series(dtype="datetime64[ns]"), length_days=[])
    runs = data.results[["race_id", "athlete_id"]].merge(
        data.races[["race_id", "date"]], on="race_id"
    )
    runs = runs.sort_values("date")[["athlete_id", "date"]]
    ab = ab.sort_values("start").reset_index(drop=True)
    nxt = pd.merge_asof(
        ab[["athlete_id", "start"]].reset_index(),
        runs.rename(columns={"date": "first_back"}),
        left_on="start",
        right_on="first_back",
        by="athlete_id",
        direction="forward",
        allow_exact_matches=False,
    ).set_index("index")["first_back"]
    unit = runs["date"].dtype  # every date column in one resolution, as merge_asof requires
    ab["returned"] = ab["end"].astype(unit).fillna(nxt.astype(unit))
    ab["length_days"] = (ab["returned"] - ab["start"]).dt.days.astype(float)
    return ab


def result_covariates(data: RaceData, returns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Results joined to their races, with derived covariates, in date order.

    Columns: those of results.csv and races.csv, plus ``x_distance`` (see :func:`distance_x`),
    ``unpaced`` (1.0 when the race had no pacemakers), and ``days_since_return``,
    ``absence_days`` and ``absence_start`` of the athlete's latest absence that had ended by the
    race (NaN/NaT when there is none). ``returns`` is ``absence_returns(data)`` when the caller
    has it already (a fit keeps it too).
    """
    df = data.results.merge(data.races, on="race_id", suffixes=("", "_race"))
    df = df.drop(columns=["source_race"], errors="ignore")
    df["x_distance"] = df["event"].map({e.value: distance_x(e) for e in Event}).astype(float)
    df["unpaced"] = (~df["paced"].astype(bool)).astype(float)

    df = df.sort_values(["date", "race_id"], kind="stable").reset_index(drop=True)

    returns = absence_returns(data) if returns is None else returns
    ret = returns.dropna(subset=["returned"])
    df["days_since_return"] = np.nan
    df["absence_days"] = np.nan
    df["absence_start"] = pd.NaT
    if not ret.empty:
        ret = ret.sort_values("returned")[["athlete_id", "returned", "length_days", "start"]]
        ret["returned"] = ret["returned"].astype(df["date"].dtype)
        # Races in the same data frame order as df, so results line up after merge_asof.
        hit = pd.merge_asof(
            df[["athlete_id", "date"]].reset_index(),
            ret,
            left_on="date",
            right_on="returned",
            by="athlete_id",
            direction="backward",
        ).set_index("index")
        df["days_since_return"] = (hit["date"] - hit["returned"]).dt.days.astype(float)
        df["absence_days"] = hit["length_days"]
        df["absence_start"] = hit["start"]
    return df
