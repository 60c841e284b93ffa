"""Cell checks of a results sheet: every bad cell is one line naming file, row, column, value."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .files import FORMULA_START
from .schema import DataValidationError, Event, Round, Status

__all__ = [
    "RACE_LEVEL", "FIRST_DAY", "FILLED", "BOOL", "NOT_FORMULA", "TEXT_COLUMNS", "cell_text",
    "check", "check_cells", "dates", "matches", "one_of", "seconds",
]  # fmt: skip

RACE_LEVEL = ["venue", "indoor", "championship", "paced", "field_complete"]
# The first day of the bundled data (2016 season): an older race of a sheet is a typo (1900)
# or a season the model's priors and data were never made for.
FIRST_DAY = "2016-01-01"
# m:ss.xx, mm:ss.x, or plain seconds; at most two decimals (the dataset's precision).
_TIME = re.compile(
    r"(?P<m>[0-9]{1,2}):(?P<s>[0-5][0-9](?:\.[0-9]{1,2})?)|[0-9]{1,4}(?:\.[0-9]{1,2})?"
)
_TIME_PROBLEM = "not a time (3:31.45, 13:05.2 or seconds such as 211.45)"


def cell_text(value) -> str:
    """One cell of a user's DataFrame as the text a CSV would hold."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def check(file, df, checks) -> None:
    """Raise for the first row failing a check; ``checks``: (column, ok(value, row), problem)."""
    rows = list(df.itertuples(index=False))  # once: a large sheet has many checks
    values = {c: df[c].tolist() for c in {c for c, _, _ in checks}}
    for column, ok, problem in checks:
        for i, (v, r) in enumerate(zip(values[column], rows, strict=True)):
            if not ok(v, r):
                raise DataValidationError(file, problem, row=i + 1, column=column, value=v)


def _is_date(value: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and dt.date.fromisoformat(value))
    except ValueError:
        return False


def matches(pattern: str, empty_ok: bool = False):
    return lambda v, r: (empty_ok and v == "") or re.fullmatch(pattern, v) is not None


def one_of(choices, empty_ok: bool = False):
    allowed = sorted(m.value for m in choices)
    return lambda v, r: v in allowed or (empty_ok and v == ""), f"unknown value; allowed: {allowed}"


def dates(columns, today, optional=()) -> list:
    iso, future = "not an ISO date (YYYY-MM-DD)", f"date is after today ({today})"
    out = []
    for col in columns:
        out.append((col, lambda v, r, e=col in optional: (e and v == "") or _is_date(v), iso))
        out.append((col, lambda v, r: v <= today.isoformat(), future))
    return out


FILLED = (lambda v, r: v != "", "required value is empty")
NOT_FORMULA = (
    lambda v, r: not v.startswith(FORMULA_START),
    "starts with = + - @ (a spreadsheet would run it as a formula): type the text without it",
)
TEXT_COLUMNS = ("athlete", "competition", "venue", "source")
BOOL = (matches("true|false", empty_ok=True), "not a boolean (true/false, empty = the default)")


def check_cells(file, df, today, cutoff) -> None:
    checks = dates(["date"], today)
    first = f"before {FIRST_DAY}, the start of the data the model knows (docs/own_results.md)"
    checks.append(("date", lambda v, r: v >= FIRST_DAY, first))
    if cutoff is not None:
        day = f"{cutoff:%Y-%m-%d}"
        problem = f"on or after the data's as_of cutoff ({day}): as_of keeps only races before it"
        checks.append(("date", lambda v, r: v < day, problem))
    checks += [
        ("event", *one_of(Event)),
        ("round", *one_of(Round)),
        ("heat", matches("0|[1-9][0-9]?"), "not a heat number (0 = a single race; 1 to 99)"),
        ("status", *one_of(Status)),
        (
            "place",
            lambda v, r: r.status != "OK" or re.fullmatch("[1-9][0-9]{0,2}", v) is not None,
            "not a place (1 to 999): a finisher (status OK) needs one",
        ),
        (
            "place",
            lambda v, r: r.status == "OK" or v == "",
            "only status OK may have a place (DNF/DQ/DNS/PACER have none)",
        ),
        ("athlete", *FILLED),
        ("country", matches("[A-Z]{3}", True), "not a 3-letter country code (GBR, USA, ...)"),
        ("time", lambda v, r: v == "" or _TIME.fullmatch(v) is not None, _TIME_PROBLEM),
        ("source", *FILLED),
    ]
    checks += [(col, *NOT_FORMULA) for col in TEXT_COLUMNS]
    check(file, df, checks + [(col, *BOOL) for col in RACE_LEVEL[1:]])


def seconds(text: str) -> str:
    m = _TIME.fullmatch(text)
    if not text or m is None:
        return ""
    return f"{60 * int(m['m']) + float(m['s']) if m['m'] else float(text):.2f}"


class SheetWarning(UserWarning):
    """A sheet row that is valid but probably wrong (an absence the athlete raced through)."""


_EARLY = pd.Timedelta(days=365)  # an announcement this long before the absence starts


def absence_doubts(file: str, absences: pd.DataFrame, runs: pd.DataFrame) -> list[str]:
    """One line per absence that is valid but doubtful: the athlete ran a race strictly inside
    it (between start and end), or it was announced more than a year before it starts.

    ``absences``: typed rows (athlete_id, start, end, announced), in sheet order; ``runs``:
    athlete_id, date, race_id of the races each athlete started.
    """
    out = []
    for i, a in enumerate(absences.itertuples(index=False), start=1):
        where = f"{file}, row {i} (line {i + 1})"
        if pd.notna(a.end):
            mine = runs[(runs["athlete_id"] == a.athlete_id) & (runs["date"] > a.start)
                        & (runs["date"] < a.end)]  # fmt: skip
            if len(mine):
                first = mine.sort_values("date").iloc[0]
                out.append(
                    f"{where}: {a.athlete_id} ran {_count_races(len(mine))} during this absence "
                    f"({first['race_id']} on {first['date']:%Y-%m-%d}): check start and end"
                )
        if a.announced < a.start - _EARLY:
            out.append(
                f"{where}: announced {a.announced:%Y-%m-%d}, more than a year before it starts "
                f"({a.start:%Y-%m-%d}): check the dates"
            )
    return out


def _count_races(n: int) -> str:
    return f"{n} race" + ("" if n == 1 else "s")
