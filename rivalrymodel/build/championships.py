"""Which championship of ``data/sources/championships.csv`` a race belongs to (rule 14), and the
check that every race a source calls a championship race gets one.

Sources name a championship in many ways ("2024 Summer Olympics", "Athletics at the 2024
Summer Olympics", "World Championships Budapest", "2016 Olympic Games", or nothing but the
stadium); the built races.csv gives every championship race the one ``name`` of
championships.csv as its competition and the ``short`` name as its ``championship_id``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..data.text import normalise
from .common import SourceError

# Competition names that say "a championship of the list" (not team, national or area ones).
_CLAIM = re.compile(
    r"olympic games|summer olympics|world (?:athletics )?(?:indoor )?championships|"
    r"iaaf world|european (?:athletics )?(?:indoor )?championships|commonwealth games",
    re.IGNORECASE,
)
_NOT_CLAIM = re.compile(r"team|u20|u23|u18|junior|youth|masters|trials|selection", re.IGNORECASE)


def read_championships(path: Path) -> pd.DataFrame:
    champs = pd.read_csv(path, keep_default_na=False, parse_dates=["start_date", "end_date"])
    champs = champs.rename(columns={"start_date": "start", "end_date": "end"})
    champs["indoor"] = champs["indoor"].astype(str).str.lower() == "true"
    return champs


def championship(meta: dict, champs: pd.DataFrame) -> str:
    """The championship (name) this race belongs to, or ''.

    A race belongs to it when it is inside the championship's dates, indoor or outdoor alike, and
    its venue or competition names the stadium (``venue_match``) or the host city: sources write
    "Stade de France, Paris (FRA)", "Paris" or "2024 Summer Olympics" for the same race.
    """
    day = pd.Timestamp(meta["date"])
    words = normalise(f"{meta['venue']} {meta['competition']}").split()
    for c in champs.itertuples(index=False):
        if c.start <= day <= c.end and c.indoor == bool(meta["indoor"]):
            for place in (c.venue_match, c.city):
                if all(tok in words for tok in normalise(place).split()):
                    return c.name
    return ""


def check_assigned(races: pd.DataFrame, champs: pd.DataFrame) -> None:
    """Stop the build when a race whose source competition names a championship of the list,
    inside that championship's dates, was assigned to none (its venue names neither the stadium
    nor the host city): it would be a championship race under a second name."""
    for r in races.itertuples(index=False):
        if r.championship or not _CLAIM.search(r.source_competition or ""):
            continue
        if _NOT_CLAIM.search(r.source_competition):
            continue
        day = pd.Timestamp(r.date)
        for c in champs.itertuples(index=False):
            if c.start <= day <= c.end and c.indoor == bool(r.indoor):
                raise SourceError(
                    f"race {r.race_id} ({r.date}, {r.event}, venue {r.venue!r}): competition "
                    f"{r.source_competition!r} names a championship inside the dates of "
                    f"{c.short} ({c.name}), but neither its venue nor its competition names "
                    f"{c.city!r} or {c.venue_match!r}; fix the source row or championships.csv"
                )
