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
