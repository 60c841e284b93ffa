"""Readers for the raw public datasets in ../shared/data-sources/.

Each reader returns one standard frame, one row per athlete per race, with the columns of
:data:`ROW_COLUMNS`. Nothing is merged here: see ``build.py``. Every row carries the URL of the
file it came from, at the commit that was copied.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from .common import (
    AS_POSITION,
    AS_ROUND,
    COMMITS,
    SourceError,
    event_values,
    finish,
    in_span,
    read_source,
)
from .season_2026 import season_2026
from .supplements import supplements
from .tilastopaja import tilastopaja_histories

# Diamond League file sections that are senior races; youth and school races are left out.
DL_SENIOR = {"Diamond Discipline", "Promotional Events", "National Events", "Regional Races"}


def diamond_league(root: Path) -> pd.DataFrame:
    """hpr/diamond-league-results: full fields of Diamond League meetings to June 2023."""
    file = root / "hpr__diamond-league-results" / "dl_men_middle_distance_results.csv"
    df = in_span(read_source(file))
    df = df[df["category"].isin(DL_SENIOR)].copy()
    doping = df["doping_flag"] == "DOP"
    odd = (df["status"] == "NO_MARK") & ~doping
    if odd.any():
        raise SourceError(f"{file}: NO_MARK without doping flag: {df[odd].iloc[0].to_dict()}")
    # A doping annulment keeps the runner in the race, disqualified.
    df.loc[doping, "status"] = "DQ"
    df.loc[doping, "place"] = ""
    df.loc[doping, "time_s"] = ""
    return finish(
        df.assign(
            src="dl",
            src_race=df["race_id"],
            priority=1,
            complete=True,
            event=event_values(df["event"], file.name),
            indoor=False,
            round="final",
            heat=df["section"].replace("", "0"),
            venue="",
            competition=df["meeting_name"],
            person="wa:" + df["athlete_id"],
            name=df["athlete"],
            dob="",
            wa_id=df["athlete_id"],
            tp_id="",
            url=COMMITS["dl"] + "/data/" + df["season"] + "_" + df["meeting_id"] + ".json",
        )
    )


_AS_FILES = ("1500-metres", "one-mile", "3000-metres", "two-miles", "5000-metres")


def world_athletics_lists(root: Path) -> pd.DataFrame:
    """kmuchiri/AthleticScraper: WA all-time lists, top performances only (partial fields)."""
    frames = []
    for name in _AS_FILES:
        df = in_span(read_source(root / "kmuchiri__AthleticScraper" / f"male_{name}.csv"))
        df["list_file"] = name
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    # En-route splits: WA lists them with a blank position or a section code without a place
    # (``f2`` = 1500m split inside the Bowerman Mile), and as a 1500m/3000m mark of an athlete
    # who ran the mile/two miles at the same venue that day.
    df = df[df["position"].str.match(r"^\d")]
    longer = {"1500-metres": "one-mile", "3000-metres": "two-miles"}
    key = df["competitor"] + "|" + df["date"] + "|" + df["venue"]
    ran = set(df["list_file"] + "|" + key)
    split = df["list_file"].map(longer).fillna("none") + "|" + key
    df = df[~split.isin(ran)]
    # u20/u18 lists repeat senior-list performances; keep the first copy (senior lists first).
    df["_age"] = df["age_cat"].map({"senior": 0, "u20": 1, "u18": 2})
    df = df.sort_values("_age", kind="stable")
    df = df.drop_duplicates(["competitor", "dob", "date", "mark", "venue", "list_file"])
    # WA lists a few performances twice inside one list with two position spellings.
    df = df.drop_duplicates(["competitor", "dob", "date", "mark", "list_file"])
    parts = df["position"].str.extract(AS_POSITION)
    bad = parts["place"].isna()
    if bad.any():
        raise SourceError(f"AthleticScraper: no rule for position {df[bad]['position'].iloc[0]!r}")
    indoor = df["venue"].str.endswith(" (i)")
    event = event_values(df["list_file"], "AthleticScraper")
    return finish(
        df.assign(
            src="as",
            priority=3,
            complete=False,
            event=event,
            indoor=indoor,
            round=parts["code"].fillna("").map(AS_ROUND),
            heat=parts["n"].replace("", "0"),
            src_race=(
                event
                + "|"
                + df["date"]
                + "|"
                + df["venue"]
                + "|"
                + parts["code"].fillna("")
                + parts["n"]
            ),
            venue=df["venue"].str.removesuffix(" (i)"),
            competition="",
            person="as:" + df["competitor"] + "|" + df["dob"] + "|" + df["nationality"],
            name=df["competitor"],
            dob=df["dob"],
            nat=df["nationality"],
            place=parts["place"],
            time_s=df["mark_numeric"],
            status="OK",
            url=COMMITS["as"] + "/datasets/split_by_discipline/male/" + df["list_file"] + ".csv",
        )
    )


def rio_2016(root: Path) -> pd.DataFrame:
    """openath/athlib: every starter of every Rio 2016 men's 1500m and 5000m race."""
    folder = root / "openath__athlib"
    df = read_source(folder / "rio2016_men_1500_5000_results.csv")
    hist = read_source(folder / "rio2016_athlete_histories_men_md.csv")
    dob = hist.drop_duplicates("tp_athlete_id").set_index("tp_athlete_id")["birthdate"]
    dob = pd.to_datetime(dob, format="%d.%m.%Y").dt.strftime("%Y-%m-%d")
    rnd = df["round"].str.lower()
    heat = df["round_name"].str.extract(r"(\d+)$")[0].fillna("0")
    return finish(
        df.assign(
            src="rio",
            src_race=df["race_id"],
            priority=1,
            complete=True,
            event=event_values(df["event"], "rio"),
            indoor=False,
            round=rnd,
            heat=heat,
            venue="Olympic Stadium, Rio de Janeiro (BRA)",
            competition="2016 Olympic Games",
            person="tp:" + df["tp_athlete_id"],
            name=df["given_name"] + " " + df["family_name"],
            dob=df["tp_athlete_id"].map(dob).fillna(""),
            nat=df["nat"],
            wa_id="",
            tp_id=df["tp_athlete_id"],
            url=COMMITS["rio"] + "/sampledata/rio2016/rio_athletics_results.json",
        )
    )


def rome_2024(root: Path) -> pd.DataFrame:
    """captainrobbo/trhackathon: every starter of the Rome 2024 European 1500m and 5000m."""
    df = read_source(root / "captainrobbo__trhackathon" / "rome2024_men_1500_5000_results.csv")
    rnd = df["round_name"].map({"Heats": "heat", "Final": "final"})
    return finish(
        df.assign(
            src="rome",
            src_race=df["race_id"],
            priority=1,
            complete=True,
            event=event_values(df["event"], "rome"),
            indoor=False,
            round=rnd,
            heat=df["heat_number"].replace("", "0"),
            venue="Stadio Olimpico, Roma (ITA)",
            competition="2024 European Athletics Championships",
            person="wa:" + df["wa_id"],
            name=df["athlete"],
            wa_id=df["wa_id"],
            tp_id=df["tp_athlete_id"],
            time_s=df["time_s"],
            url=COMMITS["rome"] + "/Rome2024.json",
        )
    )


def trackelo_2023(root: Path) -> pd.DataFrame:
    """alexandertuna/trackelo: 2023 finishing orders (finishers only, no marks)."""
    df = read_source(root / "alexandertuna__trackelo" / "trackelo_2023_men_1500_mile_orders.csv")
    parts = df["round"].str.extract(r"^(?P<r>Final|Heat|Semi-final)(?: \((?P<n>\d+) of \d+\))?$")
    if parts["r"].isna().any():
        raise SourceError(f"trackelo: no rule for round {df['round'][parts['r'].isna()].iloc[0]!r}")
    return finish(
        df.assign(
            src="tl",
            src_race=df["race_id"] + "|" + df["round"],
            priority=2,
            complete=False,
            event=event_values(df["event"], "trackelo"),
            indoor=False,
            round=parts["r"].map({"Final": "final", "Heat": "heat", "Semi-final": "semi"}),
            heat=parts["n"].fillna("0"),
            venue="",
            competition=df["meeting"],
            person="tl:" + df["athlete"] + "|" + df["dob"] + "|" + df["nat"],
            name=df["athlete"],
            time_s="",
            status="OK",
            url=COMMITS["tl"] + "/" + df["source_file"],
        )
    )


def read_all(root: Path, report: Counter, supplement: Path | None = None) -> pd.DataFrame:
    """Every relevant row of every source, 2016-2026, in the standard columns."""
    frames = [
        diamond_league(root),
        rio_2016(root),
        rome_2024(root),
        trackelo_2023(root),
        world_athletics_lists(root),
        tilastopaja_histories(root, report),
        season_2026(root, report),
    ]
    if supplement is not None:
        frames.append(supplements(supplement, report))
    return pd.concat(frames, ignore_index=True)
