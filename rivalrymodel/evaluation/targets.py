"""The yardstick's target races, in named sets, each with the origin it is forecast from.

Every forecaster, model or baseline, forecasts a target from ``data.as_of(origin)``: the races
strictly before the origin and the absences announced by it.

- A championship race (final, semi or heat) is forecast from the first day of that
  championship's rounds of its event: a final is forecast before the heats, as a fan or a
  bookmaker would before the championships, and every round of the event shares one fit.
- Any other race is forecast from the first day of its month (one fit per month).

Sets: ``championship_final`` and ``championship_round`` (global, continental and Commonwealth
championships, the seasons given), ``invitational`` (Diamond League, Continental Tour Gold and
World Indoor Tour Gold meetings with enough known finishers), ``open_race`` (every other race
with enough known finishers: national meets, club meets, the US collegiate circuit).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..covariates import absence_returns
from ..data import RaceData

__all__ = ["SETS", "INVITATIONAL", "yardstick_targets", "month_origin", "term_subsets"]

SETS = ("championship_final", "championship_round", "invitational", "open_race")

# Parts of competition names in races.csv of the Diamond League, Continental Tour Gold and
# World Indoor Tour Gold meetings 2022-2025 (names differ between sources, hence the parts).
INVITATIONAL = (
    "Diamond League", " DL", "Prefontaine", "Bislett", "BAUHAUS", "Bauhaus", "Meeting de Paris",
    "Herculis", "London Athletics Meet", "Anniversary Games", "Athletissima", "Kamila Skolimowska",
    "Silesia", "Golden Gala", "Weltklasse", "Van Damme", "Doha", "Rabat", "Mohammed VI",
    "Shanghai", "Xiamen", "Golden Spike", "Zlatá Tretra", "Paavo Nurmi", "FBK Games",
    "Kip Keino", "Hanžeković", "Szewi", "LA Grand Prix", "Los Angeles Grand Prix", "Gyulai",
    "Millrose", "New Balance Indoor Grand Prix", "Hauts-de-France", "Copernicus", "INIT Indoor",
    "World Indoor Tour", "Müller Indoor Grand Prix", "Czech Indoor Gala", "ISTAF",
    "PSD Bank Indoor",
)  # fmt: skip


def month_origin(day: pd.Timestamp) -> pd.Timestamp:
    """The first day of the race's month."""
    return pd.Timestamp(day).replace(day=1)


def yardstick_targets(
    data: RaceData,
    *,
    seasons: tuple[int, int] = (2021, 2025),
    invitational_seasons: tuple[int, int] = (2022, 2025),
    min_finishers: int = 8,
) -> pd.DataFrame:
    """The target races of the yardstick with their set and origin.

    Championship races need a known winner and three known finishers; the others a known
    winner and ``min_finishers`` known finishers. Columns: race_id, date, season, competition,
    championship_id, event, round, field_complete, finishers, set, origin.
    """
    r = data.races
    res = data.results
    ok = res[res["status"].eq("OK") & res["place"].notna()]
    finishers = r["race_id"].map(ok.groupby("race_id").size()).fillna(0).astype(int)
    has_winner = r["race_id"].isin(ok.loc[ok["place"].eq(1), "race_id"])
    blank = pd.Series("", index=r.index)
    champ_id = r["championship_id"].fillna("") if "championship_id" in r else blank
    champ = champ_id.ne("") & r["season"].between(*seasons) & finishers.ge(3) & has_winner
    comp = r["competition"].fillna("")
    pattern = "|".join(map(re.escape, INVITATIONAL))
    other = (
        champ_id.eq("")
        & ~r["championship"].astype(bool)
        & r["season"].between(*invitational_seasons)
        & finishers.ge(min_finishers)
        & has_winner
    )
    invitational = other & comp.str.contains(pattern, regex=True)
    kind = np.select(
        [champ & r["round"].eq("final"), champ, invitational, other],
        list(SETS),
        default="",
    )
    out = r.assign(set=kind, finishers=finishers, championship_id=champ_id)
    out = out[out["set"].ne("")]
    first = r[champ_id.ne("")].groupby([champ_id[champ_id.ne("")], "event"])["date"].min()
    is_champ = out["championship_id"].ne("")
    key = list(zip(out["championship_id"], out["event"], strict=True))
    out["origin"] = np.where(
        is_champ,
        pd.Series([first.get(k, pd.NaT) for k in key], index=out.index, dtype="datetime64[ns]"),
        out["date"].map(month_origin).astype("datetime64[ns]"),
    )
    cols = ["race_id", "date", "season", "competition", "championship_id", "event", "round",
            "field_complete", "finishers", "set", "origin"]  # fmt: skip
    return out[cols].sort_values(["date", "race_id"]).reset_index(drop=True)


def term_subsets(data: RaceData, targets: pd.DataFrame, *, days: int = 120) -> pd.DataFrame:
    """The targets a covariate term touches, one row per (race_id, subset).

    ``after_absence``: a runner of the race is back from an absence announced by the race's
    origin, and the race is his first after it or within ``days`` of that first race (so it
    is known to every forecaster at the origin). ``unpaced``: the race had no pacemaker.
    """
    runners = data.results[["race_id", "athlete_id"]]
    back = targets[["race_id", "date", "origin"]].merge(runners, on="race_id")
    back = back.merge(absence_returns(data), on="athlete_id")
    since = (back["date"] - back["returned"]).dt.days
    hit = back["start"].lt(back["date"]) & back["announced"].le(back["origin"])
    hit &= since.between(0, days)
    unpaced = targets["race_id"].map(data.races.set_index("race_id")["paced"]).eq(False)
    return pd.concat(
        [pd.DataFrame({"race_id": back.loc[hit, "race_id"].unique(), "subset": "after_absence"}),
         pd.DataFrame({"race_id": targets.loc[unpaced, "race_id"], "subset": "unpaced"})],
        ignore_index=True,
    )  # fmt: skip
