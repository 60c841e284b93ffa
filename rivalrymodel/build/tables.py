"""The built tables: one row per race (with its flags), per result, per athlete."""

from __future__ import annotations

import hashlib

import pandas as pd

from ..data.text import normalise
from .championships import championship

__all__ = ["race_table", "results_table", "athletes_table"]


def race_table(merged: list, champs: pd.DataFrame) -> pd.DataFrame:
    short = dict(zip(champs["name"], champs["short"], strict=True))
    rows = []
    for race in merged:
        m = race.meta
        champ = championship(m, champs)
        digest = hashlib.sha1("|".join(race.key).encode()).hexdigest()[:6]
        heat = int(m["heat"])
        race_id = f"{m['date']}_{m['event']}_{m['round']}{heat or ''}_{digest}"
        urls = sorted({u for r in race.rows.values() for u in r["url"].split(" ; ")})
        rows.append(
            {
                "race_id": race_id,
                "date": m["date"],
                "season": int(m["date"][:4]),
                "competition": champ or m["competition"],
                "source_competition": m["competition"],
                "championship_id": short.get(champ, ""),
                "venue": m["venue"],
                "event": m["event"],
                "indoor": bool(m["indoor"]),
                "round": m["round"],
                "heat": heat,
                "championship": bool(champ),
                "field_complete": race.complete,
                "source": " ; ".join(urls),
                "_race": race,
            }
        )
    df = pd.DataFrame(rows)
    # Unpaced: championships, and every round of a competition that has rounds (heats or semis
    # at the same venue and event within the previous week). Invitational races are paced.
    df["_venue"] = df["venue"].map(normalise)
    has_rounds = df["round"] != "final"
    later = []
    for (_event, _venue), g in df[df["_venue"] != ""].groupby(["event", "_venue"]):
        round_days = pd.to_datetime(g.loc[g["round"] != "final", "date"])
        for idx, day in pd.to_datetime(g["date"]).items():
            if ((round_days <= day) & (round_days >= day - pd.Timedelta(days=7))).any():
                later.append(idx)
    has_rounds.loc[later] = True
    df["paced"] = ~(df["championship"] | has_rounds)
    return df.sort_values(["date", "race_id"]).reset_index(drop=True)


def results_table(races: pd.DataFrame) -> pd.DataFrame:
    out = []
    for race_id, race in zip(races["race_id"], races["_race"], strict=True):
        for aid, r in race.rows.items():
            out.append(
                {
                    "race_id": race_id,
                    "athlete_id": aid,
                    "place": r["place"] if r["status"] == "OK" else pd.NA,
                    "time_s": r["time_s"],
                    "status": r["status"],
                    "source": r["url"],
                }
            )
    df = pd.DataFrame(out)
    df["place"] = df["place"].astype("Int64")
    return df.sort_values(
        ["race_id", "place", "time_s", "athlete_id"], na_position="last"
    ).reset_index(drop=True)


def athletes_table(rows: pd.DataFrame) -> pd.DataFrame:
    # Display name: the newest World Athletics spelling (WA 2026 results and lists > WA lists
    # 2025 > DL > trackelo > others).
    rank = {
        "rh26": -1,
        "as": 0,
        "dl": 1,
        "tl": 2,
        "rome": 3,
        "rio": 4,
        "tp": 5,
        "sup": 6,
        "wiki": 7,
    }
    family = rows["src"].str.split("_").str[0]  # sup_<file> -> sup, wiki_times -> wiki
    rows = rows.assign(_rank=family.map(rank), _family=family).sort_values(
        ["_rank", "date"], ascending=[True, False]
    )
    out = []
    for aid, g in rows.groupby("athlete_id", sort=True):
        names = list(dict.fromkeys(g["name"]))
        dobs = [d for d in g["dob"] if d]
        out.append(
            {
                "athlete_id": aid,
                "name": names[0],
                "country": g["nat"].iloc[0],
                "birth_date": dobs[0] if dobs else "",
                "aliases": " | ".join(names[1:]),
                "source": " ; ".join(sorted(set(g["_family"].map(_SOURCE_NAMES)))),
            }
        )
    return pd.DataFrame(out)


_SOURCE_NAMES = {
    "as": "kmuchiri/AthleticScraper@79ba13b",
    "dl": "hpr/diamond-league-results@42483aa",
    "tl": "alexandertuna/trackelo@5687615",
    "rome": "captainrobbo/trhackathon@c697d42",
    "rio": "openath/athlib@fe60183",
    "tp": "Tilastopaja histories (openath/athlib@fe60183, captainrobbo/trhackathon@c697d42)",
    "sup": "hand-curated supplement (data/sources/supplement, URL per result)",
    "wiki": "rh16nd/athletics-predictor@59022a1 (Wikipedia tables)",
    "rh26": "rh16nd/athletics-predictor 2026 (World Athletics results and top lists; "
    "commits 0dc6c4b, 8a0349b, 8356641, 0276a04)",
}
