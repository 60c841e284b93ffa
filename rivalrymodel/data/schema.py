"""Enums and table schemas of the dataset, and the validation of each table.

The checks of one table live here, those across tables in :mod:`.consistency`. A failed
check raises :class:`DataValidationError`, whose message names the file, the row (1-based data
row; the CSV line is one more, for the header), the column and the offending value, so a user
can open the file and fix it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "TABLES", "Column", "DataValidationError", "Event", "Round", "Status", "AbsenceKind",
    "Tables", "world_record", "fail_at", "GLOBAL_CHAMPIONSHIP_IDS", "is_global_championship",
]  # fmt: skip

# Championship ids (races.csv) of the Olympics and the outdoor World Championships.
GLOBAL_CHAMPIONSHIP_IDS = r"^(?:OG|WCH)\d{4}$"


def is_global_championship(ids) -> np.ndarray:
    """True where a championship id is an Olympics' or an outdoor World Championships' (a
    missing id, or "", is neither)."""
    ids = pd.Series(np.atleast_1d(np.asarray(ids, dtype=object))).fillna("").astype(str)
    return ids.str.match(GLOBAL_CHAMPIONSHIP_IDS).to_numpy(dtype=bool)


class DataValidationError(InputError):
    """A dataset file breaks the schema; the message names file, row, column and value."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ):
        self.file, self.row, self.column, self.value = file, row, column, value
        self.problem = problem
        where = [file]
        if row is not None:
            where.append(f"row {row} (line {row + 1})")
        if column is not None:
            where.append(f"column '{column}'")
        msg = ", ".join(where) + f": {problem}"
        if row is not None or column is not None:
            msg += f" (value {value!r})"
        super().__init__(msg)


class Event(StrEnum):
    M1500 = "1500m"
    MILE = "mile"
    M3000 = "3000m"
    MILE2 = "2mile"
    M5000 = "5000m"

    @property
    def distance_m(self) -> float:
        return _DISTANCE_M[self]


_DISTANCE_M = {
    Event.M1500: 1500.0,
    Event.MILE: 1609.344,
    Event.M3000: 3000.0,
    Event.MILE2: 3218.688,
    Event.M5000: 5000.0,
}


class Round(StrEnum):
    FINAL = "final"
    SEMI = "semi"
    HEAT = "heat"


class Status(StrEnum):
    OK = "OK"
    DNF = "DNF"
    DQ = "DQ"
    DNS = "DNS"
    PACER = "PACER"


class AbsenceKind(StrEnum):
    INJURY = "injury"
    ILLNESS = "illness"
    OTHER = "other"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"


# Men's outdoor world records (two miles: world best) valid from 2010 on. No indoor mark beat
# them in these events. Sources: World Athletics all-time lists (kmuchiri/AthleticScraper@79ba13b)
# and the Wikipedia record-progression pages named in data/README.md.
_WORLD_RECORDS: dict[Event, list[tuple[str, float]]] = {
    Event.M1500: [("1998-07-14", 206.00)],
    Event.MILE: [("1999-07-07", 223.13)],
    Event.M3000: [("1996-09-01", 440.67), ("2024-08-25", 437.55)],
    Event.MILE2: [("1997-07-19", 478.61), ("2023-06-09", 474.10)],
    Event.M5000: [("2004-05-31", 757.35), ("2020-08-14", 755.36)],
}

# Slowest time a senior man plausibly records in a race of this dataset (5:30 for 1500m, ...).
# Generous on purpose: a fall (Pihlstroem, Rome 2024, 4:38.51) is a real result.
SLOWEST_S: dict[Event, float] = {
    Event.M1500: 330.0,
    Event.MILE: 360.0,
    Event.M3000: 660.0,
    Event.MILE2: 720.0,
    Event.M5000: 1200.0,
}


def world_record(event: Event | str, date: dt.date | str | pd.Timestamp) -> float:
    """The world record (s) standing on ``date``, including a record set that day.

    ``inf`` before the first stored record: no record is known then, and no time is checked.
    """
    day = pd.Timestamp(date)
    best = math.inf
    for set_on, time_s in _WORLD_RECORDS[Event(event)]:
        if pd.Timestamp(set_on) <= day:
            best = min(best, time_s)
    return best


@dataclass(frozen=True)
class Column:
    """One column of a table: its kind and whether a value is required."""

    name: str
    kind: str  # "str" | "int" | "float" | "bool" | "date" | "enum" (values from `choices`)
    required: bool = True
    choices: type[StrEnum] | None = None
    may_be_absent: bool = False  # a column added later: a table without it reads as all empty


TABLES: dict[str, tuple[Column, ...]] = {
    "athletes.csv": (
        Column("athlete_id", "str"),
        Column("name", "str"),
        Column("country", "str", required=False),
        Column("birth_date", "date", required=False),
        Column("aliases", "str", required=False),
        Column("source", "str"),
    ),
    "races.csv": (
        Column("race_id", "str"),
        Column("date", "date"),
        Column("season", "int"),
        Column("competition", "str", required=False),
        Column("venue", "str", required=False),
        Column("event", "enum", choices=Event),
        Column("indoor", "bool"),
        Column("round", "enum", choices=Round),
        Column("heat", "int"),
        Column("paced", "bool"),
        Column("championship", "bool"),
        Column("field_complete", "bool"),
        Column("source", "str"),
        Column("championship_id", "str", required=False, may_be_absent=True),
        Column("starters", "int", required=False, may_be_absent=True),
        Column("starters_source", "str", required=False, may_be_absent=True),
    ),
    "results.csv": (
        Column("race_id", "str"),
        Column("athlete_id", "str"),
        Column("place", "int", required=False),
        Column("time_s", "float", required=False),
        Column("status", "enum", choices=Status),
        Column("source", "str"),
    ),
    "absences.csv": (
        Column("athlete_id", "str"),
        Column("start", "date"),
        Column("end", "date", required=False),
        Column("kind", "enum", choices=AbsenceKind),
        Column("description", "str"),
        Column("announced", "date"),
        Column("precision", "enum", choices=DatePrecision),
        Column("source", "str"),
    ),
}

_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


def parse_table(file: str, raw: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """Check columns and values of one table read as strings; return it typed.

    ``raw`` must hold every cell as a string (``""`` for empty). Dates become ``datetime64``,
    ints nullable ``Int64``, bools ``bool``, enums plain strings from the allowed set.
    """
    today = today or dt.date.today()
    columns = TABLES[file]
    missing = [c.name for c in columns if c.name not in raw.columns and not c.may_be_absent]
    raw = raw.assign(**{c.name: "" for c in columns if c.name not in raw.columns})
    if missing:
        raise DataValidationError(file, f"missing column(s) {missing}; found {list(raw.columns)}")
    out = {}
    for col in columns:
        values = raw[col.name].fillna("").astype(str).str.strip()
        empty = values == ""
        if col.required and empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 1
            raise DataValidationError(
                file, "required value is empty", row=row, column=col.name, value=""
            )
        out[col.name] = _convert(file, col, values, empty, today)
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw)))


def _first_bad(file, col, values, bad, problem):
    row = int(np.flatnonzero(np.asarray(bad))[0])
    raise DataValidationError(file, problem, row=row + 1, column=col.name, value=values.iloc[row])


def _convert(file, col, values, empty, today):
    if col.kind == "str":
        return values.where(~empty, "")
    if col.kind == "enum":
        allowed = {m.value for m in col.choices}
        bad = ~empty & ~values.isin(allowed)
        if bad.any():
            _first_bad(file, col, values, bad, f"unknown value; allowed: {sorted(allowed)}")
        return values
    if col.kind == "bool":
        low = values.str.lower()
        bad = ~low.isin(_TRUE | _FALSE)
        if bad.any():
            _first_bad(file, col, values, bad, "not a boolean (true/false)")
        return low.isin(_TRUE)
    if col.kind in ("int", "float"):
        num = pd.to_numeric(values.where(~empty), errors="coerce")
        bad = ~empty & (num.isna() | ~np.isfinite(num.fillna(0.0)))
        if col.kind == "int":
            bad |= ~empty & (num.fillna(0.0) % 1 != 0)
        if bad.any():
            _first_bad(file, col, values, bad, f"not a valid {col.kind}")
        return num.astype("Int64") if col.kind == "int" else num.astype(float)
    if col.kind == "date":
        parsed = pd.to_datetime(values.where(~empty), format="%Y-%m-%d", errors="coerce")
        bad = ~empty & parsed.isna()
        if bad.any():
            _first_bad(file, col, values, bad, "not an ISO date (YYYY-MM-DD)")
        future = parsed > pd.Timestamp(today)
        if future.any():
            _first_bad(file, col, values, future, f"date is after today ({today})")
        return parsed
    raise AssertionError(col.kind)


def fail_at(file: str, df: pd.DataFrame, mask, column: str, problem: str):
    """Raise for the first row of ``df`` where ``mask`` holds (rows are 0-based positions)."""
    pos = int(np.flatnonzero(np.asarray(mask))[0])
    raise DataValidationError(
        file, problem, row=pos + 1, column=column, value=_plain(df[column].iloc[pos])
    )


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


class Tables(NamedTuple):
    """The four typed tables of a dataset, as :func:`parse_table` returns them."""

    athletes: pd.DataFrame
    races: pd.DataFrame
    results: pd.DataFrame
    absences: pd.DataFrame
