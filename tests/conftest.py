"""Shared fixtures: a tiny valid dataset written as CSV files, to break one cell at a time."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

TINY = {
    "athletes.csv": [
        ["athlete_id", "name", "country", "birth_date", "aliases", "source"],
        ["A1", "Jakob INGEBRIGTSEN", "NOR", "2000-09-19", "", "test"],
        ["A2", "Josh KERR", "GBR", "1997-10-08", "", "test"],
        ["A3", "Timothy CHERUIYOT", "KEN", "1995-11-20", "", "test"],
    ],
    "races.csv": [
        [
            "race_id",
            "date",
            "season",
            "competition",
            "venue",
            "event",
            "indoor",
            "round",
            "heat",
            "paced",
            "championship",
            "field_complete",
            "source",
        ],
        [
            "R1",
            "2021-08-07",
            "2021",
            "Olympic Games",
            "Tokyo",
            "1500m",
            "false",
            "final",
            "0",
            "false",
            "true",
            "true",
            "https://example.org/r1",
        ],
        [
            "R2",
            "2023-06-15",
            "2023",
            "Bislett Games",
            "Oslo",
            "1500m",
            "false",
            "final",
            "0",
            "true",
            "false",
            "false",
            "https://example.org/r2",
        ],
        [
            "R3",
            "2023-08-23",
            "2023",
            "World Championships",
            "Budapest",
            "1500m",
            "false",
            "final",
            "0",
            "false",
            "true",
            "true",
            "https://example.org/r3",
        ],
    ],
    "results.csv": [
        ["race_id", "athlete_id", "place", "time_s", "status", "source"],
        ["R1", "A1", "1", "208.32", "OK", "s"],
        ["R1", "A3", "2", "209.01", "OK", "s"],
        ["R1", "A2", "3", "209.05", "OK", "s"],
        ["R2", "A1", "1", "207.95", "OK", "s"],
        ["R2", "A2", "2", "", "OK", "s"],
        ["R3", "A2", "1", "209.38", "OK", "s"],
        ["R3", "A1", "2", "209.65", "OK", "s"],
        ["R3", "A3", "", "", "DNF", "s"],
    ],
    "absences.csv": [
        ["athlete_id", "start", "end", "kind", "description", "announced", "precision", "source"],
        ["A1", "2023-01-10", "2023-06-15", "injury", "test absence", "2023-02-01", "day", "s"],
        ["A2", "2023-07-01", "2023-08-19", "illness", "test absence", "2023-07-05", "month", "s"],
    ],
}


def write_dataset(folder: Path, tables: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for file, rows in tables.items():
        with (folder / file).open("w", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return folder


@pytest.fixture
def tiny_tables() -> dict[str, list[list[str]]]:
    return {file: [list(row) for row in rows] for file, rows in TINY.items()}


@pytest.fixture
def tiny_dir(tmp_path, tiny_tables) -> Path:
    return write_dataset(tmp_path / "tiny", tiny_tables)


def small_dataset(results, absences=(), *, race_dates=None):
    """A RaceData from compact rows, through the same validation as the CSV files.

    ``results``: (race_id, athlete_id, place, status) rows; every race is a paced outdoor
    1500m final in Oslo on ``race_dates[race_id]`` (default 2024-06-01). ``absences``:
    (athlete_id, start, kind, announced) rows, day precision, no end.
    """
    import pandas as pd

    from rivalrymodel.data.racedata import from_tables
    from rivalrymodel.data.schema import TABLES

    cols = {f: [c.name for c in TABLES[f] if not c.may_be_absent] for f in TABLES}
    race_dates = race_dates or {}
    race_ids = list(dict.fromkeys(r[0] for r in results))
    athletes = list(dict.fromkeys(r[1] for r in results))
    races = [
        [r, d := race_dates.get(r, "2024-06-01"), d[:4], "Meet", "Oslo", "1500m", "false",
         "final", "0", "true", "false", "false", "test"]
        for r in race_ids
    ]  # fmt: skip
    return from_tables(
        pd.DataFrame([[a, f"Runner {a}", "NOR", "", "", "test"] for a in athletes],
                     columns=cols["athletes.csv"]),
        pd.DataFrame(races, columns=cols["races.csv"]),
        pd.DataFrame([[r, a, p, "", s, "test"] for r, a, p, s in results],
                     columns=cols["results.csv"]),
        pd.DataFrame([[a, s, "", k, "test", an, "day", "test"] for a, s, k, an in absences],
                     columns=cols["absences.csv"]),
    )  # fmt: skip


@pytest.fixture(autouse=True, scope="session")
def _fit_cache(tmp_path_factory):
    """Fits cached by the tests (CLI, examples) go to a temporary folder, not ~/.cache."""
    import os

    old = os.environ.get("RIVALRYMODEL_CACHE")
    os.environ["RIVALRYMODEL_CACHE"] = str(tmp_path_factory.mktemp("fit-cache"))
    yield
    if old is None:
        del os.environ["RIVALRYMODEL_CACHE"]
    else:
        os.environ["RIVALRYMODEL_CACHE"] = old
