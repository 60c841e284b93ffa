"""The checks across rows and tables of a dataset (keys, references, places against times,
world records), run after :func:`.schema.parse_table` has typed each table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import SLOWEST_S, Status, fail_at, world_record

__all__ = ["check_dataset"]


def check_dataset(
    athletes: pd.DataFrame, races: pd.DataFrame, results: pd.DataFrame, absences: pd.DataFrame
) -> None:
    """Checks across rows and tables, after :func:`parse_table` typed each table."""
    for file, df, key in (
        ("athletes.csv", athletes, ["athlete_id"]),
        ("races.csv", races, ["race_id"]),
        ("results.csv", results, ["race_id", "athlete_id"]),
    ):
        dup = df.duplicated(key, keep="first")
        if dup.any():
            fail_at(file, df, dup, key[-1], f"duplicate {'+'.join(key)}")
    dup = absences.duplicated(["athlete_id", "start"], keep="first")
    if dup.any():
        fail_at("absences.csv", absences, dup, "start", "duplicate athlete_id+start")

    bad = races["season"] != races["date"].dt.year
    if bad.any():
        fail_at("races.csv", races, bad, "season", "season is not the calendar year of date")
    bad = races["heat"] < 0
    if bad.any():
        fail_at("races.csv", races, bad, "heat", "heat must be >= 0 (0 = single race)")

    known = results["race_id"].isin(races["race_id"])
    if not known.all():
        fail_at("results.csv", results, ~known, "race_id", "race_id not in races.csv")
    for file, df in (("results.csv", results), ("absences.csv", absences)):
        known = df["athlete_id"].isin(athletes["athlete_id"])
        if not known.all():
            fail_at(file, df, ~known, "athlete_id", "athlete_id not in athletes.csv")

    _check_results(results, races)
    _check_absences(absences)


def _check_results(results: pd.DataFrame, races: pd.DataFrame) -> None:
    file = "results.csv"
    ok = (results["status"] == Status.OK).to_numpy()
    has_place = results["place"].notna().to_numpy()
    if (ok & ~has_place).any():
        fail_at(file, results, ok & ~has_place, "place", "status OK needs a place")
    if (~ok & has_place).any():
        fail_at(
            file,
            results,
            ~ok & has_place,
            "place",
            "only status OK may have a place (DNF/DQ/DNS/PACER have none)",
        )
    bad = has_place & (results["place"].fillna(1).to_numpy() < 1)
    if bad.any():
        fail_at(file, results, bad, "place", "place must be >= 1")

    race = races.set_index("race_id").loc[results["race_id"], ["event", "date", "field_complete"]]
    time = results["time_s"].to_numpy(dtype=float)
    record = np.array(
        [world_record(e, d) for e, d in zip(race["event"], race["date"], strict=True)]
    )
    slowest = race["event"].map(SLOWEST_S).to_numpy(dtype=float)
    timed = ~np.isnan(time)
    # Before an event's first stored record nothing is known to beat (a 5000m of 2003).
    too_fast = "faster than the world record of its event on the race date"
    too_slow = f"slower than plausible for a senior man (bounds per event: {dict(SLOWEST_S)})"
    for problem, beyond in [
        (too_fast, np.isfinite(record) & (time < record)),
        (too_slow, time > slowest),
    ]:
        if (timed & beyond).any():
            fail_at(file, results, timed & beyond, "time_s", problem)
    bad = timed & ~ok & (results["status"] != Status.DQ).to_numpy()
    if bad.any():
        fail_at(file, results, bad, "time_s", "DNF/DNS/PACER results carry no time")

    # Places and times must tell the same story within a race.
    fin = results.loc[ok, ["race_id", "place", "time_s"]].copy()
    fin["row"] = np.flatnonzero(ok)
    fin["complete"] = race["field_complete"].to_numpy()[ok]
    fin = fin.sort_values(["race_id", "place", "time_s"], kind="stable")
    same_race = fin["race_id"].eq(fin["race_id"].shift())
    prev_place, prev_time = fin["place"].shift(), fin["time_s"].shift()
    faster_behind = same_race & (fin["time_s"] < prev_time)
    tie_split = (
        same_race
        & (fin["place"] == prev_place)
        & (fin["time_s"] != prev_time)
        & fin["time_s"].notna()
        & prev_time.notna()
    )
    for mask, column, problem in (
        (faster_behind, "time_s", "placed behind a runner with a slower time in the same race"),
        (tie_split, "place", "shares a place with a runner of a different time"),
    ):
        if mask.any():
            row = int(fin.loc[mask.fillna(False), "row"].iloc[0])
            fail_at(file, results, np.arange(len(results)) == row, column, problem)
    # Complete fields rank every finisher: place k = 1 + finishers strictly ahead of him.
    complete = fin[fin["complete"]]
    expected = complete.groupby("race_id")["place"].rank(method="min")
    bad = complete["place"] != expected
    if bad.any():
        row = int(complete.loc[bad, "row"].iloc[0])
        fail_at(
            file,
            results,
            np.arange(len(results)) == row,
            "place",
            "places of a complete field must run 1, 2, 3, ... (ties share a place)",
        )


def _check_absences(absences: pd.DataFrame) -> None:
    bad = absences["end"].notna() & (absences["end"] < absences["start"])
    if bad.any():
        fail_at("absences.csv", absences, bad, "end", "end is before start")
