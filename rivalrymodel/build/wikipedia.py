"""rh16nd/athletics-predictor: men's 1500m/5000m tables scraped from Wikipedia, June 2023 -
September 2024 (Diamond League finals, Budapest 2023 and Paris 2024 rounds).

The raw file (``wiki_men_1500_5000_2023_2024.csv``) has one row per athlete per table, no ids and
one date per page; which table is which race, on which day, is read from the hand-curated
``data/sources/wikipedia_tables.csv``: every table of the raw file must have a row there, with
the race date checked against a named source (championship round dates were filled in by hand
in the raw file and two of them are a day late). A table is used as

* ``race``: a race of its own (one section of one round);
* ``times``: a table that lumps the heats of a round, ranked by time across heats (Budapest
  2023). Its rows carry no place and no section; the build uses them only to fill in the time
  of a runner a race of that round already holds;
* ``skip``: left out (a side race of unknown age group).

Finishers only: the scraper dropped non-finishers on most pages and could not tell DNF from DNS
on the others, so non-finishers are left out and a table is a complete field only when
``data/sources/starters.csv`` gives the number of starters and the table holds that many
finishers.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from .common import SourceError, finish, read_source

REPO = "https://github.com/rh16nd/athletics-predictor/blob/"
URL = REPO + "59022a19e90ec238eb0e9f9f5223b4e300eeaca9/data/h2h/meet_results.csv"
FOLDER = "rh16nd__athletics-predictor"
FILE = "wiki_men_1500_5000_2023_2024.csv"
TABLE_COLUMNS = [
    "table", "use", "date", "date_source", "competition", "venue", "round", "heat", "meeting",
    "note",
]  # fmt: skip

# The country names the pages print, as World Athletics codes.
COUNTRY_CODES = {
    "Australia": "AUS", "Belgium": "BEL", "Canada": "CAN", "Ethiopia": "ETH", "France": "FRA",
    "Germany": "GER", "Great Britain": "GBR", "Guatemala": "GUA", "Ireland": "IRL",
    "Italy": "ITA", "Kenya": "KEN", "Luxembourg": "LUX", "Morocco": "MAR", "Netherlands": "NED",
    "Norway": "NOR", "Portugal": "POR", "Slovenia": "SLO", "South Africa": "RSA", "Spain": "ESP",
    "Sweden": "SWE", "Switzerland": "SUI", "Uganda": "UGA", "United States": "USA",
}  # fmt: skip


def _error(file: str, i: int, col: str, value: str, problem: str) -> SourceError:
    return SourceError(
        f"{file}, row {i + 1} (line {i + 2}), column '{col}': {problem} (value {value!r})"
    )


def read_tables(path: Path) -> pd.DataFrame:
    """``wikipedia_tables.csv``, every cell checked."""
    df = read_source(path)
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise SourceError(f"{path.name}: missing column(s) {missing}")
    checks = [
        ("use", lambda v: v in ("race", "times", "skip"), "not race/times/skip"),
        ("date", lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None, "not YYYY-MM-DD"),
        ("date_source", lambda v: v.startswith("http"), "not a URL"),
        ("round", lambda v: v in ("final", "semi", "heat"), "unknown round"),
        ("heat", lambda v: v.isdigit(), "not a section number"),
    ]
    for col, ok, problem in checks:
        bad = ~df[col].map(ok)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _error(path.name, i, col, df[col].iloc[i], problem)
    dup = df["table"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise _error(path.name, i, "table", df["table"].iloc[i], "table listed twice")
    return df


def wikipedia_2023_2024(
    root: Path, tables_file: Path, starters: pd.DataFrame, report: Counter, conflicts: list
) -> pd.DataFrame:
    """The rows of the tables used as races or as time fill-ins, in the standard columns.

    ``starters`` is ``data/sources/starters.csv`` (columns meeting, date, event, round, heat,
    starters): a ``race`` table whose finishers number the starters is a complete field.
    """
    raw = read_source(root / FOLDER / FILE)
    tables = read_tables(tables_file)
    unknown = sorted(set(raw["race_id"]) - set(tables["table"]))
    if unknown:
        raise SourceError(f"{tables_file.name}: no row for the table {unknown[0]!r} of {FILE}")
    extra = tables[~tables["table"].isin(raw["race_id"])]
    if not extra.empty:
        i = int(extra.index[0])
        table = extra["table"].iloc[0]
        raise _error(tables_file.name, i, "table", table, f"no such table in {FILE}")
    for t in tables.itertuples(index=False):
        given = raw.loc[raw["race_id"] == t.table, "date"].iloc[0]
        if given != t.date:
            conflicts.append(
                f"{FILE} table {t.table!r}: dated {given}, but {t.date_source} gives {t.date}; "
                f"used {t.date}"
            )
    df = raw.merge(tables.rename(columns={"table": "race_id"}), on="race_id", suffixes=("_raw", ""))
    skip = df["use"] == "skip"
    report["Wikipedia rows dropped: side race of unknown age group"] += int(skip.sum())
    out_rows = df["status"] != "OK"
    report["Wikipedia rows dropped: non-finisher (DNF and DNS not told apart) or name lost"] += int(
        (out_rows & ~skip).sum()
    )
    df = df[~skip & ~out_rows].copy()
    bad_country = ~df["country"].isin(set(COUNTRY_CODES) | {""})
    if bad_country.any():
        raise SourceError(f"{FILE}: no code for country {df['country'][bad_country].iloc[0]!r}")
    # One nationality per name, from any table that prints it.
    nat = df.loc[df["country"] != ""].drop_duplicates("athlete").set_index("athlete")["country"]
    df["nat"] = df["athlete"].map(nat.map(COUNTRY_CODES)).fillna("")
    lumped = df["use"] == "times"
    key = ["meeting", "date", "event", "round", "heat"]
    count = df[~lumped].groupby("race_id").size()
    known = starters.assign(heat=starters["heat"].astype(str)).set_index(key)["starters"]
    first = df[~lumped].drop_duplicates("race_id").set_index("race_id")
    want = first[key].apply(lambda r: known.get(tuple(r), None), axis=1)
    full = {rid for rid, n in count.items() if pd.notna(want.get(rid)) and int(want[rid]) == n}
    complete = df["race_id"].isin(full)
    report["Wikipedia tables made complete fields (finishers = sourced starters)"] += len(full)
    return finish(
        df.assign(
            src=np.where(lumped, "wiki_times", "wiki"),
            src_race=df["race_id"],
            priority=np.where(complete, 1, 3),
            complete=complete,
            indoor=False,
            person="wiki:" + df["athlete"],
            name=df["athlete"],
            dob="",
            wa_id="",
            tp_id="",
            place=df["place"].where(~lumped, ""),
            time_s=df["time_s"],
            status="OK",
            url=URL,
        ).replace({"place": {"": None}})
    )


def fill_times(races: list, rows: pd.DataFrame, consistent, report: Counter, conflicts: list):
    """Fill in, from the rows of a table that lumps the sections of a round (Budapest 2023
    heats and semis), the time of each runner that one race of that round and day holds.

    ``races`` are the build's merged races (``meta`` and ``rows`` by athlete id); a time is
    written only where the race has none for him and it agrees with the race's order
    (``consistent``); a different time of the race's own sources stands and is recorded.
    """
    tol = 0.015
    for row in rows.to_dict("records"):
        holders = [
            r
            for r in races
            if (r.meta["date"], r.meta["event"], r.meta["round"])
            == (row["date"], row["event"], row["round"])
            and row["athlete_id"] in r.rows
        ]
        if len(holders) != 1:
            report["Wikipedia lumped-round rows left out: no one race of the round holds him"] += 1
            continue
        race = holders[0]
        have = race.rows[row["athlete_id"]]
        if have["status"] != "OK" or pd.isna(row["time_s"]):
            report["Wikipedia lumped-round rows left out: no time, or not a finisher there"] += 1
            continue
        if pd.notna(have["time_s"]):
            if abs(have["time_s"] - row["time_s"]) > tol:
                report["time disagreements (kept the better source)"] += 1
                conflicts.append(
                    f"{row['name']} {row['date']} {row['event']} {row['round']}: time "
                    f"{have['time_s']} ({have['src']}) vs {row['time_s']} (wiki lumped table)"
                )
            else:
                report["rows confirmed by a second source"] += 1
            continue
        have["time_s"] = row["time_s"]
        if not consistent(list(race.rows.values())):
            have["time_s"] = np.nan
            report["Wikipedia lumped-round times left out: contradict the race's order"] += 1
            conflicts.append(
                f"{row['name']} {row['date']} {row['event']} {row['round']}: the lumped table's "
                f"{row['time_s']} contradicts the order of {race.key[1]}; left out"
            )
            continue
        have["url"] = f"{have['url']} ; {row['url']}"
        report["times filled in from another source"] += 1
