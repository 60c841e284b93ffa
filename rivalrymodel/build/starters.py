"""Field sizes: the number of runners who started each race, where it is known.

``starters`` in races.csv comes from ``data/sources/starters.csv`` (hand-curated, one URL per row:
a results page or report that states the number of starters, or lists every starter) or, for a
race whose field is complete, from the race's own results (every starter is known). A sourced
count that contradicts a complete field stops the build, as does a row that names no race or
several races.

starters.csv columns: ``meeting`` (a championship's short name of ``championships.csv``, such as
``OG2024``, or for any other race words of its venue or competition, such as ``oslo``),
``date``, ``event``, ``round``, ``heat`` (as in races.csv), ``starters``, ``source`` (URL),
``note``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.text import normalise
from .common import SourceError, read_source

COLUMNS = ["meeting", "date", "event", "round", "heat", "starters", "source", "note"]
COMPLETE = "complete field (every starter in the race's sources)"


def _error(file: str, i: int, col: str, value: str, problem: str) -> SourceError:
    return SourceError(
        f"{file}, row {i + 1} (line {i + 2}), column '{col}': {problem} (value {value!r})"
    )


def read_starters(path: Path) -> pd.DataFrame:
    """starters.csv, every cell checked; an empty frame when the file is absent."""
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    df = read_source(path)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise SourceError(f"{path.name}: missing column(s) {missing}")
    checks = [
        ("meeting", lambda v: v != "", "empty"),
        ("date", lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None, "not YYYY-MM-DD"),
        ("event", lambda v: v in ("1500m", "mile", "3000m", "2mile", "5000m"), "unknown event"),
        ("round", lambda v: v in ("final", "semi", "heat"), "unknown round"),
        ("heat", lambda v: v.isdigit(), "not a section number"),
        ("starters", lambda v: v.isdigit() and int(v) >= 1, "not a count >= 1"),
        ("source", lambda v: v.startswith("http"), "not a URL"),
    ]
    for col, ok, problem in checks:
        bad = ~df[col].map(ok)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _error(path.name, i, col, df[col].iloc[i], problem)
    dup = df.duplicated(["meeting", "date", "event", "round", "heat"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise _error(path.name, i, "heat", df["heat"].iloc[i], "race listed twice")
    return df


def add_starters(
    races: pd.DataFrame, starters: pd.DataFrame, file: str, results: pd.DataFrame, conflicts: list
) -> pd.DataFrame:
    """``races`` with ``starters`` and ``starters_source``.

    A partial race whose results hold as many runners (DNS excluded) as the sourced number of
    starters is a complete field: every starter is known. It is made one only when its
    finishers' places then run 1, 2, 3, ... (ties sharing a place); otherwise the gap is
    recorded in the conflicts and the race stays partial.
    """
    counted = results[results["status"] != "DNS"]
    runners = counted.groupby("race_id").size()
    races = races.copy()
    races["starters"] = pd.array([pd.NA] * len(races), dtype="Int64")
    races["starters_source"] = ""
    complete = races["field_complete"].copy()
    races.loc[complete, "starters"] = races.loc[complete, "race_id"].map(runners).astype("Int64")
    races.loc[complete, "starters_source"] = COMPLETE
    words = (races["venue"] + " " + races["competition"]).map(lambda t: set(normalise(t).split()))
    for i, s in enumerate(starters.itertuples(index=False)):
        same = (
            (races["date"] == s.date)
            & (races["event"] == s.event)
            & (races["round"] == s.round)
            & (races["heat"] == int(s.heat))
        )
        want = set(normalise(s.meeting).split())
        hit = same & ((races["championship_id"] == s.meeting) | words.map(want.issubset))
        if hit.sum() != 1:
            raise _error(file, i, "meeting", s.meeting, f"names {int(hit.sum())} races, not one")
        j = races.index[hit][0]
        n = int(s.starters)
        if complete[j] and races.at[j, "starters"] != n:
            raise _error(
                file,
                i,
                "starters",
                s.starters,
                f"race {races.at[j, 'race_id']} is a complete field of "
                f"{races.at[j, 'starters']} runners",
            )
        races.at[j, "starters"] = n
        races.at[j, "starters_source"] = s.source
        rid = races.at[j, "race_id"]
        if not complete[j] and runners.get(rid, 0) == n:
            fin = counted[(counted["race_id"] == rid) & (counted["status"] == "OK")]
            if (fin["place"].rank(method="min") == fin["place"]).all():
                races.at[j, "field_complete"] = True
            else:
                conflicts.append(
                    f"{rid}: all {n} starters known ({s.source}) but the places "
                    f"{sorted(fin['place'].tolist())} have a gap; left partial"
                )
    return races
