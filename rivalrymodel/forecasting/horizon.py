"""When a fit may forecast a race: not before its cutoff (it saw the race), not too far ahead.

A fit records the last race date of the data it saw (``fit.data_end``) and its cutoff, the
first day those data could have been known (``RaceData.earliest_as_of``). Every forecast of a
date (race forecasts, head to head, rivalries, championships) passes :func:`check_date`, and
every report of a forecast says how old its data are (:func:`data_age`).
"""

from __future__ import annotations

import pandas as pd

from ..errors import InputError

__all__ = ["STALE_DAYS", "MAX_YEARS_AHEAD", "ForecastDateError", "check_date", "check_ahead",
           "data_age", "describe_age"]  # fmt: skip

STALE_DAYS = 60
"""Data ending more than this many days before the race: the command line prints a notice
(the season's form since then is not in the forecast; ``--add-results`` adds it)."""

MAX_YEARS_AHEAD = 2
"""The furthest a forecast may lie after the data end, in years. Beyond the next season the
random walk has added two steps or more to every runner, and a forecast is mostly the
population's spread (90% intervals near 0-100%): it is refused rather than printed."""


class ForecastDateError(InputError):
    """A forecast date the fit cannot answer: on or before a race it saw, or too far ahead."""


def check_ahead(data_end: pd.Timestamp | None, date) -> None:
    """Refuse a race more than :data:`MAX_YEARS_AHEAD` years after ``data_end`` (None: no
    limit known)."""
    if data_end is None:
        return
    day = pd.Timestamp(date)
    limit = data_end + pd.DateOffset(years=MAX_YEARS_AHEAD)
    if day > limit:
        years = (day - data_end).days / 365.25
        raise ForecastDateError(
            f"the race on {day:%Y-%m-%d} is {years:.1f} years after the data end "
            f"({data_end:%Y-%m-%d}): beyond {MAX_YEARS_AHEAD} years ({limit:%Y-%m-%d}) the model "
            "has nothing to say; add newer results (--add-results, RaceData.with_results)"
        )


def check_date(fit, date, *, hindcast: bool = False) -> None:
    """The one check of a forecast date: refuse a date before the fit's cutoff (the fit saw
    the race or what came after it) unless ``hindcast``, and one too far ahead
    (:func:`check_ahead`).

    Raises
    ------
    ForecastDateError
        One line naming the date, the fit's data and the way out.
    """
    day = pd.Timestamp(date)
    if not hindcast and fit.cutoff is not None and day < fit.cutoff:
        races = f" (races to {fit.data_end:%Y-%m-%d})" if fit.data_end is not None else ""
        raise ForecastDateError(
            f"the fit saw data up to {fit.cutoff:%Y-%m-%d}{races}, after the race on "
            f"{day:%Y-%m-%d}: fit on data.as_of({day:%Y-%m-%d}) instead, or pass hindcast=True"
        )
    check_ahead(fit.data_end, day)


def data_age(data_end: pd.Timestamp | None, date) -> int | None:
    """Days from the data end to the race (negative: a hindcast); None when unknown."""
    if data_end is None:
        return None
    return int((pd.Timestamp(date).normalize() - data_end.normalize()).days)


def describe_age(data_end: pd.Timestamp | None, date) -> str:
    """``data to 2026-09-13, 94 days before the race`` (empty when the data end is unknown)."""
    days = data_age(data_end, date)
    if days is None:
        return ""
    if days >= 0:
        when = f"{days} day{'s' if days != 1 else ''} before the race"
    else:
        when = f"{-days} day{'s' if days != -1 else ''} after the race (a hindcast)"
    return f"data to {data_end:%Y-%m-%d}, {when}"
