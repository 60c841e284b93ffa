"""rh16nd/athletics-predictor, season 2026: World Athletics results of the 2026 season (rules
18-23 of data/README.md).

The folder ``rh16nd__athletics-predictor/season_2026/`` (its PROVENANCE.md describes every
file) holds verbatim rows of the repository's World Athletics scrapes: the Diamond League
meetings' Diamond-Discipline races, the DL Final and the Ultimate Championship (single fields),
the Continental Tour, national and area championship finals ("worldwide"; partial: only
athletes of the repository's historical top lists are kept) and the 2026 season top lists (one
row per athlete, his season best, with his WA id). Every row carries the URL of its file at the
commit that was copied.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from .common import AS_POSITION, AS_ROUND, SourceError, finish, seconds

FOLDER = Path("rh16nd__athletics-predictor") / "season_2026"
_REPO = "https://github.com/rh16nd/athletics-predictor/blob/"
# Copied file -> its path at the commit it was read from (PROVENANCE.md, "Files here").
URLS = {
    "dl_meetings_men_{ev}_2026.csv": _REPO
    + "0dc6c4b8d6620d3178e4141e1caafd242ceed5f7/data/raw/men_{ev}_2026_meetings.csv",
    "worldwide_men_{ev}_2026.csv": _REPO
    + "0dc6c4b8d6620d3178e4141e1caafd242ceed5f7/data/worldwide/men_{ev}.csv",
    "toplist_men_{ev}_2026.csv": _REPO
    + "8a0349b48eeda475cadf3b0fd99f75a808967bc8/data/asian_games_2026/raw/men_{ev}_2026.csv",
    "dl_final_2026_results_men_1500m_5000m.csv": _REPO
    + "8356641a39ea346203837c7b36f3d135f9c1c122/data/dl_final_2026_results.csv",
    "ultimate_2026_event_results_men_1500m_5000m.json": _REPO
    + "0276a0467d2316057aa2ec6c8fd6cc4f6e008998/data/ultimate/event.json",
}
EVENTS = ("1500m", "5000m")
# The DL Final and Ultimate files carry no date or venue: PROVENANCE.md gives the days, and the
# top list's rows of the same races (same athlete and mark) must confirm each day; the race
# takes its day and venue from those rows and cites the top list beside its own file.
UNDATED = {
    ("dl_final", "1500m"): ("2026-09-04", "Wanda Diamond League Final"),
    ("dl_final", "5000m"): ("2026-09-05", "Wanda Diamond League Final"),
    ("ultimate", "5000m"): ("2026-09-11", "World Athletics Ultimate Championship"),
    ("ultimate", "1500m"): ("2026-09-13", "World Athletics Ultimate Championship"),
}
_TOPLIST_COLUMNS = ["Rank", "Mark", "WIND", "Competitor", "DOB", "Nat", "Pos", "_blank", "Venue",
                    "Date", "Results Score", "discipline", "year", "ProfileURL"]  # fmt: skip


def _csv(path: Path, names: list[str] | None = None) -> pd.DataFrame:
    if names is None:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding="utf-8", header=0, names=names
    )


def _day(text: pd.Series) -> pd.Series:
    """``31 MAY 2026`` -> ``2026-05-31``."""
    return pd.to_datetime(text.str.title(), format="%d %b %Y").dt.strftime("%Y-%m-%d")


def _birth(dob: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Full birth date (ISO) and birth year of ``DD MON YYYY``, a year alone, or empty."""
    full = dob.str.len() == 11
    iso = pd.Series("", index=dob.index)
    iso[full] = _day(dob[full])
    year = dob.str[-4:].where(dob != "", "")
    return iso, year


def _place(pos: pd.Series) -> pd.Series:
    """WA place ``1.`` or ``1.0`` (same meaning) -> ``1``; ``OC`` and empty stay as they are."""
    return pos.str.replace(r"^(\d+)\.0?$", r"\1", regex=True)


def _runs_from_one(places: list[int]) -> bool:
    """Places 1, 2, 3, ... with no gap (ties share a place: 1, 2, 2, 4)."""
    p = sorted(places)
    return (
        bool(p)
        and p[0] == 1
        and all(b in (a, i + 2) for i, (a, b) in enumerate(zip(p, p[1:], strict=False)))
    )


def top_lists(root: Path) -> pd.DataFrame:
    """Both 2026 season top lists: name, nat, dob, WA id (from ProfileURL), the season best."""
    frames = []
    for ev in EVENTS:
        name = f"toplist_men_{ev}_2026.csv"
        df = _csv(root / FOLDER / name, _TOPLIST_COLUMNS)
        ids = df["ProfileURL"].str.extract(r"(\d+)$")[0]
        if ids.isna().any():
            raise SourceError(
                f"{name}: no WA id in ProfileURL {df['ProfileURL'][ids.isna()].iloc[0]!r}"
            )
        dob, year = _birth(df["DOB"])
        frames.append(
            df.assign(
                event=ev,
                wa_id=ids.astype(int).astype(str),
                dob=dob,
                birth_year=year,
                date=_day(df["Date"]),
                url=URLS["toplist_men_{ev}_2026.csv"].format(ev=ev),
            )
        )
    return pd.concat(frames, ignore_index=True)


def _people(tops: pd.DataFrame, races: pd.DataFrame) -> dict:
    """(WA spelling, nationality) -> the one (birth date, WA id) the 2026 files give it, from the
    top lists and the race rows with a full birth date; None where two people share the key."""
    known = pd.concat(
        [
            tops[["Competitor", "Nat", "dob", "wa_id"]],
            races.loc[races["dob"] != "", ["Competitor", "Nat", "dob"]].assign(wa_id=""),
        ],
        ignore_index=True,
    )
    out: dict = {}
    for key, g in known.groupby(["Competitor", "Nat"]):
        dobs = set(g["dob"]) - {""}
        ids = set(g["wa_id"]) - {""}
        out[key] = (dobs.pop() if dobs else "", ids.pop() if ids else "")
        if len(dobs) or len(ids):  # something left over: two people under one name
            out[key] = None
    return out


def _identify(df: pd.DataFrame, people: dict, report: Counter) -> pd.DataFrame:
    """Fill in the birth date and WA id the 2026 files give each runner (top-list ProfileURL),
    joining on WA spelling and nationality, and a birth year where the row gives one; the person
    key is the row's own (``rh26:`` + name, birth date, nationality) so that identity.py joins
    it to the people of the other sources by id, or by name and birth date."""
    dob, wa = [], []
    own = df["wa_id"] if "wa_id" in df else pd.Series("", index=df.index)
    cols = df[["Competitor", "Nat", "dob", "birth_year"]].assign(own=own)
    for name, nat, d, y, mine in cols.itertuples(index=False):
        hit = people.get((name, nat))
        if hit is None or (d and hit[0] and hit[0] != d) or (y and hit[0] and hit[0][:4] != y):
            hit = (d, mine)
        dob.append(hit[0] or d)
        wa.append(mine or hit[1])
    df = df.assign(
        dob=pd.Series(dob, index=df.index, dtype=object),
        wa_id=pd.Series(wa, index=df.index, dtype=object),
    )
    report["2026 rows: WA id from the top lists"] += int((df["wa_id"] != "").sum())
    report["2026 rows: no WA id (name, birth date and nationality only)"] += int(
        (df["wa_id"] == "").sum()
    )
    return df.assign(person="rh26:" + df["Competitor"] + "|" + df["dob"] + "|" + df["Nat"])


def _race_rows(df: pd.DataFrame, report: Counter, label: str) -> pd.DataFrame:
    """Status and place of each row; rows that cannot be placed are left out (counted).

    DNF: status DNF, no place. DNS: left out, as in every source. ``OC`` (out of competition):
    left out, the race's places do not count him. A time without a place: left out, no place is
    made up from the time (the race may lump sections or lack runners between them).
    """
    mark = df["Mark"]
    pos = _place(df["Pos"])
    dns = mark == "DNS"
    dnf = mark.isin(["DNF", "DQ"])
    oc = pos == "OC"
    unplaced = ~dns & ~dnf & ~oc & ~pos.str.fullmatch(r"\d+")
    for what, mask in (
        ("DNS", dns),
        ("out of competition (OC)", oc),
        ("a time without a place", unplaced),
    ):
        report[f"2026 {label} rows dropped: {what}"] += int(mask.sum())
    keep = ~dns & ~oc & ~unplaced
    df = df[keep].assign(
        status=np.where(dnf[keep], mark[keep], "OK"),
        place=pos[keep].where(~dnf[keep], ""),
        time_s=mark[keep].map(seconds).where(~dnf[keep]),
    )
    if df.empty:
        return df
    # A race with no finisher left (only DNFs) tells no order.
    placed = df.groupby("src_race")["status"].transform(lambda s: (s == "OK").any())
    report[f"2026 {label} races dropped: no placed finisher"] += df.loc[
        ~placed, "src_race"
    ].nunique()
    return df[placed]


def _complete(df: pd.DataFrame) -> pd.Series:
    ok = df[df["status"] == "OK"]
    runs = ok.groupby("src_race")["place"].agg(lambda s: _runs_from_one([int(p) for p in s]))
    return df["src_race"].map(runs).fillna(False).astype(bool)


def _single_fields(root: Path, tops: pd.DataFrame, report: Counter) -> pd.DataFrame:
    """DL meetings, DL Final, Ultimate: one head-to-head field each, complete where places run
    1..N (the DL Final 1500m lacks place 10: partial)."""
    frames = []
    for ev in EVENTS:
        name = f"dl_meetings_men_{ev}_2026.csv"
        df = _csv(root / FOLDER / name)
        frames.append(
            df.assign(
                event=ev,
                date=_day(df["Date"]),
                competition=df["Venue"],
                venue="",
                url=URLS["dl_meetings_men_{ev}_2026.csv"].format(ev=ev),
            )
        )
    final = _csv(root / FOLDER / "dl_final_2026_results_men_1500m_5000m.csv")
    ultimate = pd.DataFrame(
        json.loads(
            (root / FOLDER / "ultimate_2026_event_results_men_1500m_5000m.json").read_text("utf-8")
        )["results"]
    )
    for kind, df, file in (
        ("dl_final", final, "dl_final_2026_results_men_1500m_5000m.csv"),
        ("ultimate", ultimate, "ultimate_2026_event_results_men_1500m_5000m.json"),
    ):
        if df.empty:
            continue
        df = df.rename(
            columns={
                "athlete_name": "Competitor",
                "mark": "Mark",
                "nationality": "Nat",
                "place": "Pos",
            }
        )
        df["event"] = df["discipline"].str.removeprefix("men_")
        for ev, g in df.groupby("event"):
            day, competition = UNDATED[(kind, ev)]
            seen = tops[(tops["event"] == ev) & tops["Competitor"].isin(g["Competitor"])]
            seen = seen.merge(g[["Competitor", "Mark"]], on=["Competitor", "Mark"])
            if set(seen["date"]) != {day} or seen["Venue"].nunique() != 1:
                raise SourceError(
                    f"{file}: the top list's rows of the {ev} race give days "
                    f"{sorted(set(seen['date']))}, not {day} alone"
                )
            report[f"2026 {kind} {ev}: top-list rows that date it"] = len(seen)
            frames.append(
                g.assign(
                    date=day,
                    competition=competition,
                    venue=seen["Venue"].iloc[0],
                    DOB="",
                    url=URLS[file] + " ; " + seen["url"].iloc[0],
                )
            )
    df = pd.concat(frames, ignore_index=True)
    df["src_race"] = df["event"] + "|" + df["date"] + "|" + df["competition"]
    df = _race_rows(df, report, "single-field")
    return df.assign(src="rh26_dl", priority=1, complete=_complete(df), round="final", heat="0")


def _pooled(ww: pd.DataFrame, tops: pd.DataFrame) -> set:
    """Worldwide races that rank several sections together: the top list's rows of that event,
    day and venue name two or more final sections (IFAM Oordegem 5000m: ``1f1`` ... ``15f1`` and
    ``18f2``, while the worldwide "Final" runs to place 28)."""
    codes = tops["Pos"].str.extract(AS_POSITION)
    tops = tops.assign(section=codes["code"].fillna("") + codes["n"].fillna(""))
    tops = tops[tops["section"].str.startswith("f")]
    sections = tops.groupby(["event", "date", "Venue"])["section"].nunique()
    several = {k for k, n in sections.items() if n > 1}
    keys = zip(ww["event"], ww["date"], ww["Venue"], strict=True)
    return set(ww.loc[[k in several for k in keys], "src_race"])


def _worldwide(root: Path, tops: pd.DataFrame, report: Counter) -> pd.DataFrame:
    """Continental Tour, national and area championship finals: partial fields (the scraper keeps
    only athletes of its historical top lists, so runners behind or between them are missing)."""
    frames = []
    for ev in EVENTS:
        df = _csv(root / FOLDER / f"worldwide_men_{ev}_2026.csv")
        frames.append(df.assign(url=URLS["worldwide_men_{ev}_2026.csv"].format(ev=ev)))
    df = pd.concat(frames, ignore_index=True)
    twice = df.duplicated(keep="first")
    report["2026 worldwide rows dropped: the same row twice in the file"] += int(twice.sum())
    df = df[~twice]
    df = df.assign(event=df["discipline"].str.removeprefix("men_"), date=_day(df["Date"]))
    df["src_race"] = df["event"] + "|" + df["competitionId"] + "|" + df["date"]
    pooled = _pooled(df, tops)
    report["2026 worldwide races dropped: several sections ranked as one (top list)"] += len(pooled)
    report["2026 worldwide rows dropped: in such a race"] += int(df["src_race"].isin(pooled).sum())
    df = _race_rows(df[~df["src_race"].isin(pooled)], report, "worldwide")
    return df.assign(
        src="rh26_ww",
        priority=3,
        complete=False,
        round="final",
        heat="0",
        competition=df["Meeting"],
        venue=df["Venue"],
    )


def _top_list_races(tops: pd.DataFrame, report: Counter) -> pd.DataFrame:
    """Top-list rows as partial races, by the rule of the WA all-time lists (rule 3): a race is
    (event, date, venue, round code); a row without a place number (empty, ``OC``, ``f1``) is left
    out. A row of a race another 2026 file holds joins it in the build (rule 11)."""
    parts = tops["Pos"].str.extract(AS_POSITION)
    placed = parts["place"].notna()
    report["2026 top-list rows dropped: no place number (empty, OC, section only)"] += int(
        (~placed).sum()
    )
    df, parts = tops[placed], parts[placed]
    code = parts["code"].fillna("") + parts["n"]
    return df.assign(
        src="rh26_tl",
        priority=4,
        complete=False,
        src_race=df["event"] + "|" + df["date"] + "|" + df["Venue"] + "|" + code,
        round=parts["code"].fillna("").map(AS_ROUND),
        heat=parts["n"].replace("", "0"),
        indoor=df["Venue"].str.endswith(" (i)"),
        venue=df["Venue"].str.removesuffix(" (i)"),
        competition="",
        place=parts["place"],
        time_s=df["Mark"].map(seconds),
        status="OK",
    )


def season_2026(root: Path, report: Counter) -> pd.DataFrame:
    """Every 2026 row of the source in the standard columns (``common.ROW_COLUMNS``)."""
    tops = top_lists(root)
    single = _single_fields(root, tops, report)
    ww = _worldwide(root, tops, report)
    listed = _top_list_races(tops, report)
    for df in (single, ww):
        df["dob"], df["birth_year"] = _birth(df["DOB"])
    # Every row of the race files, the ones left out too: a runner's full birth date may come
    # from a row without a place (Carson WILLIAMS: none at Kuortane, 12 FEB 2002 at the Sir
    # Walter Miler, a time without a place).
    raw = pd.concat(
        [
            _csv(root / FOLDER / f.format(ev=ev))
            for ev in EVENTS
            for f in ("dl_meetings_men_{ev}_2026.csv", "worldwide_men_{ev}_2026.csv")
        ],
        ignore_index=True,
    )
    people = _people(tops, raw.assign(dob=_birth(raw["DOB"])[0]))
    out = []
    for df in (single, ww, listed):
        if "indoor" not in df:
            df = df.assign(indoor=False)
        df = _identify(df, people, report)
        out.append(df.assign(name=df["Competitor"], nat=df["Nat"], tp_id=""))
    df = pd.concat(out, ignore_index=True)
    for src, g in df.groupby("src"):
        report[f"2026 rows read: {src}"] = len(g)
    return finish(df.replace({"place": {"": None}}))
