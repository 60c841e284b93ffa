"""What every reader of a raw source shares: the standard row (:data:`ROW_COLUMNS`,
:func:`finish`), the span of the data, the commits the sources were copied at, event names,
World Athletics position codes and the build's error. The readers import this module; none of
them imports another reader, and ``sources.read_all`` imports them all."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

ROW_COLUMNS = [
    "src",
    "src_race",
    "priority",
    "complete",
    "date",
    "event",
    "indoor",
    "round",
    "heat",
    "venue",
    "competition",
    "person",
    "name",
    "dob",
    "birth_year",
    "nat",
    "wa_id",
    "tp_id",
    "place",
    "time_s",
    "status",
    "url",
]

FIRST_DAY, LAST_DAY = "2016-01-01", "2025-12-31"

COMMITS = {
    "dl": "https://github.com/hpr/diamond-league-results/blob/"
    "42483aaaa1afb89bb35e8fe10138bfa17cdf0b71",
    "as": "https://github.com/kmuchiri/AthleticScraper/blob/"
    "79ba13b82f1f5624d0fa525ccb05e28dfec7bcdc",
    "rio": "https://github.com/openath/athlib/blob/fe60183d75eec30c54c638449b562360f73e2e67",
    "rome": "https://github.com/captainrobbo/trhackathon/blob/"
    "c697d42002ba6c45bf8e63e31c0e88d65dc9c24f",
    "tl": "https://github.com/alexandertuna/trackelo/blob/568761531d9eac909ce48600e64ff4c441d575cd",
}

# Source event names -> Event values (see rivalrymodel.data.schema.Event).
EVENTS = {
    "1500m": "1500m",
    "1500": "1500m",
    "1500-metres": "1500m",
    "Mile": "mile",
    "one-mile": "mile",
    "3000m": "3000m",
    "3000": "3000m",
    "3000-metres": "3000m",
    "2 Miles": "2mile",
    "2M": "2mile",
    "two-miles": "2mile",
    "5000m": "5000m",
    "5000": "5000m",
    "5000-metres": "5000m",
}


class SourceError(ValueError):
    """A raw source holds something the build has no rule for."""


def read_source(path: Path) -> pd.DataFrame:
    """A raw source CSV, every cell a string (empty cells ``""``)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def in_span(df: pd.DataFrame) -> pd.DataFrame:
    """The rows dated within the span of the historical sources (FIRST_DAY to LAST_DAY)."""
    return df[(df["date"] >= FIRST_DAY) & (df["date"] <= LAST_DAY)].copy()


def finish(df: pd.DataFrame) -> pd.DataFrame:
    """A reader's rows in the standard columns and types (missing columns empty)."""
    for col in ROW_COLUMNS:
        if col not in df:
            df[col] = np.nan if col in ("place", "time_s", "birth_year") else ""
    df["place"] = pd.to_numeric(df["place"], errors="raise").astype("Int64")
    df["time_s"] = pd.to_numeric(df["time_s"].replace("", np.nan), errors="raise")
    df["birth_year"] = pd.to_numeric(df["birth_year"].replace("", np.nan)).astype("Int64")
    df["heat"] = df["heat"].astype(int)
    return df[ROW_COLUMNS].reset_index(drop=True)


def event_values(values: pd.Series, file: str) -> pd.Series:
    """Source event names as Event values; a name without a rule is an error."""
    unknown = sorted(set(values) - set(EVENTS))
    if unknown:
        raise SourceError(f"{file}: no rule for event name(s) {unknown}")
    return values.map(EVENTS)


# World Athletics positions: place, round code (final, heat, semi, ...) and section number.
AS_POSITION = re.compile(r"^(?P<place>\d+)(?P<code>f|h|sf|rr|pr)?(?P<n>\d*)$")
AS_ROUND = {"": "final", "f": "final", "h": "heat", "sf": "semi", "rr": "heat", "pr": "heat"}

MIN_SEC = re.compile(r"^(?:(?P<m>\d{1,2}):)?(?P<s>\d{1,2}(?:\.\d{1,2})?)$")


def seconds(text: str) -> float:
    """``m:ss.xx`` or ``ss.xx`` in seconds (NaN when it is neither)."""
    m = MIN_SEC.match(text)
    if not m:
        return np.nan
    return 60.0 * int(m["m"] or 0) + float(m["s"])
