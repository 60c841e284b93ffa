"""The target races of backtests, in named sets, each with the origin it is forecast from.

A target is a (race, origin) pair: every forecaster, model or baseline, forecasts it from
``data.as_of(origin)`` (the races strictly before the origin and the absences announced by
it). A race can be a target of several sets, and the set decides its origin.

The yardstick (:func:`yardstick_targets`), seasons 2021-2025 (invitational and open races
2022-2025):

- ``championship_final`` and ``championship_round`` (global, continental and Commonwealth
  championships) are forecast from the first day of that championship's rounds of the event:
  a final before the heats, as a fan or a bookmaker would, and every round shares one fit.
- ``invitational`` (Diamond League, Continental Tour Gold and World Indoor Tour Gold meetings)
  and ``open_race`` (every other race: national meets, club meets, the US collegiate
  circuit), with enough known finishers, are forecast from the first day of their month.

The sets that show where it matters (:data:`EXTRA_SETS`; each with a part in the holdout
season, 2026, reported on its own):

- ``global_championship``: every Olympic and World Championship race, finals and rounds, from
  2017 on, from the championship origin above;
- ``preseason``: every yardstick target, and those of the holdout season, from 1 January of
  its season (horizons of weeks to months);
- ``in_championship``: every championship final from its own day, so the data hold that
  championship's heats and semi-finals (a straight final's origin is its championship one);
- ``season_2026``: every target of the holdout season by the yardstick's rules and origins.

:func:`default_targets` is the classic selection (championship finals and Diamond League races,
refitted per season, month or race by :func:`refit_origin`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data.covariates import absence_returns
from ..data.racedata import RaceData
from ..data.schema import is_global_championship

__all__ = [
    "SETS", "EXTRA_SETS", "HOLDOUT", "INVITATIONAL", "DIAMOND_LEAGUE", "yardstick_targets",
    "default_targets", "month_origin", "refit_origin", "term_subsets",
]  # fmt: skip

SETS = ("championship_final", "championship_round", "invitational", "open_race")
EXTRA_SETS = ("global_championship", "preseason", "in_championship", "season_2026")
HOLDOUT = 2026  # the season the model's choices are confirmed on, never made on

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
# Meetings of the Diamond League in 2024 and 2025, as names (or parts of names) in races.csv.
DIAMOND_LEAGUE = (
    "Diamond League", "Prefontaine", "Bislett", "BAUHAUS", "Meeting de Paris", "Herculis",
    "London Athletics Meet", "Athletissima", "Kamila Skolimowska", "Silesia", "Golden Gala",
    "Weltklasse", "Van Damme",
)  # fmt: skip
_GLOBAL = (
    "Olympic", "World Athletics Championships", "World Athletics Indoor Championships",
    "World Championships", "World Indoor Championships", "European Athletics Championships",
)  # fmt: skip
_COLUMNS = ["race_id", "date", "season", "competition", "championship_id", "event", "round",
            "field_complete", "finishers", "set", "origin"]  # fmt: skip


def month_origin(day: pd.Timestamp) -> pd.Timestamp:
    """The first day of the race's month."""
    return pd.Timestamp(day).replace(day=1)


def refit_origin(day: pd.Timestamp, refit: str) -> pd.Timestamp:
    """The origin of a race on ``day`` when forecasters are refitted per ``season`` (1 January
    of its year), ``monthly`` (the 1st of its month) or ``per_race`` (its own day)."""
    if refit == "season":
        return pd.Timestamp(f"{day.year}-01-01")
    if refit == "monthly":
        return month_origin(day)
    if refit == "per_race":
        return pd.Timestamp(day)
    raise ValueError(f"refit must be 'season', 'monthly' or 'per_race', not {refit!r}")


def _classified(
    data: RaceData,
    seasons: tuple[int, int],
    invitational_seasons: tuple[int, int] | None,
    min_finishers: int,
) -> pd.DataFrame:
    """The races of the yardstick's rules with their base set and yardstick origin
    (``invitational_seasons`` None: championship races only)."""
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
        & r["season"].between(*(invitational_seasons or (0, -1)))
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
    return out[_COLUMNS]


def yardstick_targets(
    data: RaceData,
    *,
    sets: tuple[str, ...] | list[str] = SETS,
    seasons: tuple[int, int] = (2021, 2025),
    invitational_seasons: tuple[int, int] = (2022, 2025),
    global_from: int = 2017,
    holdout: int = HOLDOUT,
    min_finishers: int = 8,
) -> pd.DataFrame:
    """The targets of the named ``sets`` (:data:`SETS` by default, any of :data:`EXTRA_SETS`
    too), each race with its set and origin; a race is there once per set it is in.

    Championship races need a known winner and three known finishers; the others a known
    winner and ``min_finishers`` known finishers. ``global_from``: the first season of
    ``global_championship``; ``holdout``: the season of ``season_2026`` and of the holdout
    parts of ``preseason``, ``in_championship`` and ``global_championship``. Columns: race_id,
    date, season, competition, championship_id, event, round, field_complete, finishers, set,
    origin.
    """
    unknown = [s for s in sets if s not in SETS + EXTRA_SETS]
    if unknown:
        raise ValueError(f"unknown target set(s) {unknown}: choose from {SETS + EXTRA_SETS}")
    base = _classified(data, seasons, invitational_seasons, min_finishers)
    late = _classified(data, (holdout, holdout), (holdout, holdout), min_finishers)
    parts = [base[base["set"].isin(sets)]]
    if "global_championship" in sets:
        champ = _classified(data, (global_from, holdout), None, min_finishers)
        champ = champ[is_global_championship(champ["championship_id"])]
        parts.append(champ.assign(set="global_championship"))
    both = pd.concat([base, late], ignore_index=True).drop_duplicates("race_id")
    if "preseason" in sets:
        jan1 = pd.to_datetime(both["season"].astype(str) + "-01-01")
        parts.append(both.assign(set="preseason", origin=jan1))
    if "in_championship" in sets:
        finals = both[both["set"].eq("championship_final")]
        parts.append(finals.assign(set="in_championship", origin=finals["date"]))
    if "season_2026" in sets:
        parts.append(late.assign(set="season_2026"))
    out = pd.concat(parts, ignore_index=True)
    out["origin"] = pd.to_datetime(out["origin"]).astype("datetime64[ns]")
    return out[_COLUMNS].sort_values(["date", "race_id", "set"]).reset_index(drop=True)


def default_targets(data: RaceData) -> pd.DataFrame:
    """The classic target races, with why each is in: ``set`` = championship_final or dl.

    Every global-championship final 2021-2025 (1500m and 5000m: Olympics, World Championships,
    World Indoors, European Championships) and every 2024-2025 Diamond League 1500m, mile and
    5000m race; each needs a known winner and at least three known finishers.
    """
    r = data.races
    comp = r["competition"].fillna("")
    is_global = comp.str.contains("|".join(_GLOBAL), regex=True) & ~comp.str.contains("U20|U18")
    final = r["round"].eq("final")
    champ = (
        is_global & final & r["event"].isin(["1500m", "5000m"]) & r["season"].between(2021, 2025)
    )
    dl = (
        comp.str.contains("|".join(DIAMOND_LEAGUE), regex=True)
        & r["event"].isin(["1500m", "mile", "5000m"])
        & r["season"].between(2024, 2025)
        & ~r["indoor"]
    )
    res = data.results
    ok = res[res["status"].eq("OK") & res["place"].notna()]
    finishers = ok.groupby("race_id").size()
    winners = set(ok.loc[ok["place"].eq(1), "race_id"])
    keep = r["race_id"].map(finishers).fillna(0).ge(3) & r["race_id"].isin(winners)
    out = r[(champ | dl) & keep].assign(set=np.where(champ[champ | dl], "championship_final", "dl"))
    cols = ["race_id", "date", "season", "competition", "event", "field_complete", "set"]
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
