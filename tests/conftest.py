"""Shared fixtures: a tiny valid dataset written as CSV files, to break one cell at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

import rivalrymodel as rm
from tests.helpers import MEANS, forecast_tree, write_dataset

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


@pytest.fixture(scope="session")
def bundled():
    """The bundled data, loaded once for the whole run (tests must not change it)."""
    return rm.load_dataset()


@pytest.fixture
def nutpie_runs(monkeypatch) -> list[int]:
    """nutpie.sample, counted: the draws per chain of each run started."""
    import nutpie

    started, real = [], nutpie.sample

    def counted(compiled, **kwargs):
        started.append(kwargs["draws"])
        return real(compiled, **kwargs)

    monkeypatch.setattr(nutpie, "sample", counted)
    return started


@pytest.fixture
def saved_fit(tmp_path) -> Path:
    """A hand-made fit of five runners (tests/helpers.py ``MEANS``) saved as fit.nc."""
    return rm.Fit(forecast_tree(MEANS)).save(tmp_path / "fit.nc")


@pytest.fixture
def tiny_tables() -> dict[str, list[list[str]]]:
    return {file: [list(row) for row in rows] for file, rows in TINY.items()}


@pytest.fixture
def tiny_dir(tmp_path, tiny_tables) -> Path:
    return write_dataset(tmp_path / "tiny", tiny_tables)


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
