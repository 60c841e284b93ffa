"""Hand-curated results read on public pages: data/sources/supplement/results_*.csv (rule 5a
of data/README.md)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from .common import EVENTS, MIN_SEC, ROW_COLUMNS, SourceError, finish, read_source, seconds

SUPPLEMENT_COLUMNS = [
    "date", "competition", "venue", "event", "indoor", "round", "heat", "field_complete",
    "place", "name", "country", "wa_id", "birth_date", "time", "status", "source",
]  # fmt: skip
_YOUTH = re.compile(r"\b(?:U1[6-9]|U2[03]|junior|youth)\b", re.IGNORECASE)


def _supplement_error(file: str, i: int, col: str, value: str, problem: str) -> SourceError:
    return SourceError(
        f"{file}, row {i + 1} (line {i + 2}), column '{col}': {problem} (value {value!r})"
    )


def supplements(folder: Path, report: Counter) -> pd.DataFrame:
    """Hand-curated results read from public pages: data/sources/supplement/results_*.csv.

    Complete fields rank with the other complete sources, partial ones after the World
    Athletics lists; a row with a WA id is that athlete, any other is matched by name (see
    identity.py). Youth and junior races are left out, as in every other source.
    """
    frames = []
    for path in sorted(folder.glob("results_*.csv")):
        df = read_source(path)
        missing = [c for c in SUPPLEMENT_COLUMNS if c not in df.columns]
        if missing:
            raise SourceError(f"{path.name}: missing column(s) {missing}")
        checks = [
            ("date", lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None, "not YYYY-MM-DD"),
            ("event", lambda v: v in set(EVENTS.values()), "unknown event"),
            ("indoor", lambda v: v in ("true", "false"), "not true/false"),
            ("field_complete", lambda v: v in ("true", "false"), "not true/false"),
            ("round", lambda v: v in ("final", "semi", "heat"), "unknown round"),
            ("heat", lambda v: v == "" or v.isdigit(), "not a section number"),
            ("status", lambda v: v in ("OK", "DNF", "DQ", "DNS", "PACER"), "unknown status"),
            ("place", lambda v: v == "" or v.isdigit(), "not a place"),
            ("time", lambda v: v == "" or MIN_SEC.match(v) is not None, "not a time (m:ss.xx)"),
            ("name", lambda v: v != "", "empty"),
            ("source", lambda v: v.startswith("http"), "not a URL"),
        ]
        for col, ok, problem in checks:
            bad = ~df[col].map(ok)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise _supplement_error(path.name, i, col, df[col].iloc[i], problem)
        no_place = (df["status"] == "OK") & (df["place"] == "")
        if no_place.any():
            i = int(np.flatnonzero(no_place.to_numpy())[0])
            raise _supplement_error(path.name, i, "place", "", "a finisher (OK) needs a place")
        youth = df["competition"].str.contains(_YOUTH)
        dns = df["status"] == "DNS"
        report["supplement rows dropped: youth or junior race"] += int(youth.sum())
        report["supplement rows dropped: DNS (did not start)"] += int((dns & ~youth).sum())
        # A heat whose section the source does not give cannot be told from its sister heats.
        no_heat = df["heat"] == ""
        report["supplement rows dropped: heat section not given"] += int(
            (no_heat & ~youth & ~dns).sum()
        )
        df = df[~youth & ~dns & ~no_heat]
        complete = df["field_complete"] == "true"
        ok = df["status"] == "OK"
        frames.append(
            df.assign(
                # One source per file: two files may hold the same race (a partial and a
                # complete copy), and races of one source never merge with each other.
                src="sup_" + path.stem.removeprefix("results_"),
                src_race=path.stem
                + "|"
                + df["date"]
                + "|"
                + df["competition"]
                + "|"
                + df["event"]
                + "|"
                + df["round"]
                + "|"
                + df["heat"],
                priority=np.where(complete, 1, 3),
                complete=complete,
                indoor=df["indoor"] == "true",
                person=np.where(
                    df["wa_id"] != "",
                    "wa:" + df["wa_id"],
                    "sup:" + df["name"] + "|" + df["country"] + "|" + df["birth_date"],
                ),
                dob=df["birth_date"],
                nat=df["country"],
                tp_id="",
                place=df["place"].where(ok, ""),
                time_s=df["time"].map(seconds).where(ok & (df["time"] != "")),
                url=df["source"],
            )
        )
    if not frames:
        return pd.DataFrame(columns=ROW_COLUMNS)
    return finish(pd.concat(frames, ignore_index=True).replace({"place": {"": None}}))
