"""Tilastopaja career histories (openath/athlib's Rio 2016 export, captainrobbo/trhackathon's
Rome 2024 export): partial fields, one row per athlete per race. See data/README.md rules 4
and 5c.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd

from .common import COMMITS, event_values, finish, in_span, read_source

_TP_ROUND = [
    (re.compile(r"^$"), "final", lambda m: "0"),
    (re.compile(r"^h(\d+)$"), "heat", lambda m: m.group(1)),
    (re.compile(r"^q(\d+)$"), "heat", lambda m: m.group(1)),
    (re.compile(r"^s(\d+)$"), "semi", lambda m: m.group(1)),
    (re.compile(r"^h$"), "heat", lambda m: "0"),
    (re.compile(r"^r?([A-Za-z])$"), "final", lambda m: str(ord(m.group(1).upper()) - ord("A") + 1)),
    (re.compile(r"^r(\d+)$"), "final", lambda m: m.group(1)),
    (re.compile(r"^Serie (\d+)$"), "final", lambda m: m.group(1)),
]


def _tp_round(code: str) -> tuple[str, str] | None:
    for pattern, rnd, heat in _TP_ROUND:
        m = pattern.match(code)
        if m:
            return rnd, heat(m)
    return None


def _same_competitions(rio: pd.DataFrame, rome: pd.DataFrame, report: Counter) -> pd.DataFrame:
    """The Rio export (2016) and the Rome export (2024) number some competitions differently
    (the 2016 Norwegian indoor championships: 12870612 "Rud" vs 12925689 "Baerum"). A Rio
    competition id whose rows of an athlete in both exports repeat one Rome competition's rows
    (same athlete, event, date, place and mark) is that competition; ids with more than one
    candidate are left alone."""
    key = ["tp_athlete_id", "event", "date", "place_raw", "mark_raw"]
    pairs = rio[key + ["competition_id"]].merge(
        rome[key + ["competition_id"]], on=key, suffixes=("", "_rome")
    )
    pairs = pairs[pairs["competition_id"] != pairs["competition_id_rome"]]
    pairs = pairs.drop_duplicates(["competition_id", "competition_id_rome"])
    unique = pairs[~pairs["competition_id"].duplicated(keep=False)]
    mapping = dict(zip(unique["competition_id"], unique["competition_id_rome"], strict=True))
    report["Tilastopaja competitions numbered twice (Rio vs Rome export), joined"] += len(mapping)
    rio = rio.copy()
    rio["competition_id"] = rio["competition_id"].replace(mapping)
    return rio


def tilastopaja_histories(root: Path, report: Counter) -> pd.DataFrame:
    """Career histories (Tilastopaja) of the Rio 2016 and Rome 2024 athletes: partial fields."""
    rome = read_source(root / "captainrobbo__trhackathon" / "tilastopaja_histories_men_md.csv")
    rome["url"] = COMMITS["rome"] + "/athletes/" + rome["tp_athlete_id"] + ".json"
    rio = read_source(root / "openath__athlib" / "rio2016_athlete_histories_men_md.csv")
    rio["birth_date"] = pd.to_datetime(rio["birthdate"], format="%d.%m.%Y").dt.strftime("%Y-%m-%d")
    rio["url"] = COMMITS["rio"] + "/sampledata/rio2016/athletes/" + rio["source_file"]
    rio["wa_id"] = ""
    rio = _same_competitions(rio, rome, report)
    df = in_span(pd.concat([rome, rio], ignore_index=True).fillna(""))
    # A 1500m (3000m) of an athlete who ran the mile (two miles) at the same competition is the
    # en-route split even when Tilastopaja dates it a day apart and leaves likely_split_of empty
    # (Ingebrigtsen's 3:34.19 "on 27 May" inside the 2022 Bowerman Mile of 28 May).
    longer = df["event"].map({"1500": "Mile", "3000": "2M"})
    ran = set(df["tp_athlete_id"] + "|" + df["competition_id"] + "|" + df["event"])
    in_longer = (df["tp_athlete_id"] + "|" + df["competition_id"] + "|" + longer).isin(ran)
    keep = (
        (df["likely_split_of"] == "")  # en-route split inside a longer race
        & ~(in_longer & longer.notna())
        & (df["age_group"] == "")  # youth and U23 races
        & ~df["round"].str.contains("-", regex=False)  # age-group heats such as h1-19
        & (df["status"] == "OK")  # blank: DNF, DNS or DQ, the source cannot tell which
        & df["place_raw"].str.strip().str.fullmatch(r"\d+=?")  # '-', 'D' (decathlon), 'Nr2'
        & (df["competition_id"] != "")  # without it the race cannot be told apart
        & (df["ok_for_sb"] != "False")  # Tilastopaja's own flag for mixed races and the like
    )
    report["Tilastopaja rows dropped: split, youth race, blank result, no place or no race id"] += (
        int((~keep).sum())
    )
    rounds = df["round"].map(_tp_round)
    unknown = keep & rounds.isna()
    report["Tilastopaja rows dropped: round code with no rule (e.g. 'IIr1', 'cB')"] += int(
        unknown.sum()
    )
    df, rounds = df[keep & ~unknown].copy(), rounds[keep & ~unknown]
    return finish(
        df.assign(
            src="tp",
            priority=4,
            complete=False,
            event=event_values(df["event"], "tilastopaja"),
            indoor=df["indoor_outdoor"] == "Indoor",
            round=rounds.str[0],
            heat=rounds.str[1],
            src_race=df["competition_id"]
            + "|"
            + df["event"]
            + "|"
            + df["date"]
            + "|"
            + df["round"],
            venue=df["city"].where(df["city"] != "", df["venue"]),
            competition=df["comp_name"],
            person="tp:" + df["tp_athlete_id"],
            name=df["given_name"] + " " + df["family_name"],
            dob=df["birth_date"],
            tp_id=df["tp_athlete_id"],
            place=df["place_raw"].str.strip().str.rstrip("="),
        )
    )
