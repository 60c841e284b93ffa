"""Coverage of a dataset: what is in it, per season and event, and for the key athletes."""

from __future__ import annotations

import pandas as pd

from .racedata import RaceData
from .schema import Event

__all__ = ["coverage", "athlete_races", "absence_counts", "championship_rounds", "KEY_ATHLETES"]

# World Athletics ids of the rivalry this library started from.
KEY_ATHLETES = {"14653717": "Jakob Ingebrigtsen", "14533464": "Josh Kerr"}


def coverage(data: RaceData) -> pd.DataFrame:
    """Races, races with two or more known runners, complete fields, results and athletes per
    season x event, with a total row per season and overall."""
    races, results = data.races, data.results
    counted = results[results["status"] != "DNS"]
    known = counted.groupby("race_id").size().rename("runners")
    races = races.join(known, on="race_id").fillna({"runners": 0})
    res = counted.merge(races[["race_id", "season", "event"]], on="race_id")
    events = [e.value for e in Event]
    races["event"] = pd.Categorical(races["event"], events)
    res["event"] = pd.Categorical(res["event"], events)

    def table(r: pd.DataFrame, x: pd.DataFrame, keys) -> pd.DataFrame:
        out = r.groupby(keys, observed=True).agg(
            races=("race_id", "size"),
            races_2plus=("runners", lambda s: int((s >= 2).sum())),
            complete=("field_complete", "sum"),
        )
        out["results"] = x.groupby(keys, observed=True).size()
        out["athletes"] = x.groupby(keys, observed=True)["athlete_id"].nunique()
        return out.fillna(0).astype(int)

    per = table(races, res, ["season", "event"]).reset_index()
    per["event"] = per["event"].astype(str)
    season = table(races, res, ["season"]).reset_index().assign(event="all")
    total = table(races.assign(season="all"), res.assign(season="all"), ["season"])
    total = total.reset_index().assign(event="all")
    out = pd.concat([per, season, total], ignore_index=True)
    out["_order"] = out["event"].map({e: i for i, e in enumerate([*events, "all"])})
    out = out.sort_values(["season", "_order"], key=lambda s: s.astype(str), kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def athlete_races(data: RaceData, athletes: dict[str, str] | None = None) -> pd.DataFrame:
    """Races per season for chosen athletes (default: Ingebrigtsen and Kerr), DNS excluded."""
    athletes = athletes or KEY_ATHLETES
    res = data.results
    res = res[res["athlete_id"].isin(athletes) & (res["status"] != "DNS")]
    res = res.merge(data.races[["race_id", "season"]], on="race_id")
    table = res.groupby(["athlete_id", "season"]).size().unstack(fill_value=0)
    table = table.reindex(list(athletes), fill_value=0)
    table.index = [athletes[a] for a in table.index]
    table["total"] = table.sum(axis=1)
    table.columns = [str(c) for c in table.columns]
    return table


def absence_counts(data: RaceData, athletes: dict[str, str] | None = None) -> pd.DataFrame:
    """Absences by kind: all athletes, then the chosen ones (default Ingebrigtsen and Kerr)."""
    athletes = athletes or KEY_ATHLETES
    ab = data.absences
    rows = {"all athletes": ab}
    rows.update({name: ab[ab["athlete_id"] == aid] for aid, name in athletes.items()})
    kinds = ["injury", "illness", "other"]
    out = pd.DataFrame(
        {name: df["kind"].value_counts().reindex(kinds, fill_value=0) for name, df in rows.items()}
    ).T
    out.columns.name = None
    out["total"] = out.sum(axis=1)
    out["athletes"] = [df["athlete_id"].nunique() for df in rows.values()]
    return out


def championship_rounds(data: RaceData, championships: pd.DataFrame) -> pd.DataFrame:
    """Per championship and event (1500m and 5000m outdoors, 1500m and 3000m indoors): the
    final's state (``complete``, ``partial`` or ``missing``) and runners, and complete / known
    races of the semis and heats.

    ``championships`` is ``data/sources/championships.csv`` (columns name, short, indoor).
    Races count by their ``championship_id`` (the short name), or by the championship name the
    build gives them in data without that column. ``final_starters`` is the final's field size
    where it is known (``races.csv`` column ``starters``), else empty.
    """
    races = data.races
    by_id = "championship_id" in races and races["championship_id"].ne("").any()
    runners = data.results[data.results["status"] != "DNS"].groupby("race_id").size()
    rows = []
    for c in championships.itertuples(index=False):
        indoor = str(c.indoor).lower() == "true"
        for event in ("1500m", "3000m") if indoor else ("1500m", "5000m"):
            same = races["championship_id"] == c.short if by_id else races["competition"] == c.name
            mine = races[same & (races["event"] == event)]
            final = mine[mine["round"] == "final"]
            row = {"championship": c.short, "event": event}
            if final.empty:
                row.update(final="missing", final_runners=0)
            else:
                row.update(
                    final="complete" if final["field_complete"].all() else "partial",
                    final_runners=int(final["race_id"].map(runners).fillna(0).sum()),
                )
            for rnd, label in (("semi", "semis"), ("heat", "heats")):
                part = mine[mine["round"] == rnd]
                row[label] = f"{int(part['field_complete'].sum())}/{len(part)}" if len(part) else ""
            size = final["starters"].dropna() if "starters" in final else []
            row["final_starters"] = str(int(size.sum())) if len(size) == len(final) > 0 else ""
            rows.append(row)
    return pd.DataFrame(rows)
