"""Start lists: who runs which race, and how names and ids resolve to a fit's athletes."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import RaceData
from ..datasets.identity import normalise
from ..errors import InputError, RivalryModelError
from ..models.terms.noise import noise_rows
from ..schema import Event, Round, Status

__all__ = ["StartList", "UnknownAthleteError", "resolve"]


class UnknownAthleteError(RivalryModelError, KeyError):
    """A start-list name or id matches no athlete the fit knows; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0])


@dataclass(frozen=True)
class StartList:
    """The runners of one race and what kind of race it is.

    Parameters
    ----------
    athletes
        Athlete ids (World Athletics ids of data/athletes.csv) or names; names match without
        regard to case, accents or word order ("KERR Josh" is Josh Kerr).
    event
        ``1500m``, ``mile``, ``3000m``, ``2mile`` or ``5000m``.
    date
        Race date: abilities are projected to it, and only absences announced by then count.
    round
        ``final``, ``semi`` or ``heat``: heats and semis have their own noise scale.
    paced
        True for a race with pacemakers (Diamond League style); False for a championship race.
    indoor
        True for an indoor race.
    name
        A label for tables and plots, e.g. ``"Tokyo 2025 1500m heat 1"``.
    advance
        For a heat or semi: the places that qualify for the next round by right (the default
        k of a forecast's ``p_top_k``).
    """

    athletes: tuple[str, ...]
    event: str = "1500m"
    date: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.today().normalize())
    round: str = "final"
    paced: bool = False
    indoor: bool = False
    name: str = ""
    advance: int | None = None

    def __post_init__(self) -> None:
        athletes = (self.athletes,) if isinstance(self.athletes, str) else self.athletes
        object.__setattr__(self, "athletes", tuple(str(a).strip() for a in athletes))
        object.__setattr__(self, "date", pd.Timestamp(self.date).normalize())
        object.__setattr__(self, "event", Event(self.event).value)
        object.__setattr__(self, "round", Round(self.round).value)
        for flag in ("paced", "indoor"):
            if not isinstance(getattr(self, flag), bool | np.bool_):
                raise InputError(
                    f"StartList.{flag} must be True or False, not {getattr(self, flag)!r}"
                )
        if len(self.athletes) < 2:
            raise InputError(f"a start list needs at least 2 athletes, got {list(self.athletes)}")
        if len(set(self.athletes)) != len(self.athletes):
            twice = sorted({a for a in self.athletes if self.athletes.count(a) > 1})
            raise InputError(f"athletes listed twice in the start list: {twice}")

    @classmethod
    def from_race(cls, data: RaceData, race_id: str) -> StartList:
        """The starters of a race in ``data`` (finishers, DNF and DQ; not DNS or pacemakers)."""
        races = data.races.set_index("race_id")
        if race_id not in races.index:
            raise KeyError(f"no race {race_id!r} in the data")
        race = races.loc[race_id]
        res = data.results
        started = res[(res["race_id"] == race_id) & res["status"].isin(_STARTED)]
        started = started.sort_values(["place", "athlete_id"], na_position="last")
        label = f"{race['competition']} {race['event']} {race['round']}"
        if race["round"] != Round.FINAL.value:
            label += f" {int(race['heat'])}"
        return cls(
            tuple(started["athlete_id"]),
            event=race["event"],
            date=race["date"],
            round=race["round"],
            paced=bool(race["paced"]),
            indoor=bool(race["indoor"]),
            name=label,
        )

    @property
    def noise_x(self) -> np.ndarray:
        """The race's row of the noise design (heat, semi, unpaced, indoor)."""
        return noise_rows(self.round, self.paced, self.indoor)


_STARTED = [Status.OK.value, Status.DNF.value, Status.DQ.value]


def lookups(ids, names, index=None) -> tuple[dict, dict]:
    """id -> (name, index), and normalised name -> ids, for :func:`match_athletes`."""
    index = range(len(ids)) if index is None else index
    by_id = {}
    for a, n, i in zip(ids, names, index, strict=True):
        by_id.setdefault(str(a), (str(n), int(i)))
    by_key: dict[str, list[str]] = {}
    for a, (name, _) in by_id.items():
        by_key.setdefault(normalise(name), []).append(a)
    return by_id, by_key


def match_athletes(entries: Sequence[str], by_id: dict, by_key: dict, where: str) -> list[tuple]:
    """(id, name, index) per entry: an id, or a name matched without regard to case, accents or
    word order. Raises UnknownAthleteError naming close matches, or the ids a name shares."""
    rows = []
    for entry in entries:
        hits = [entry] if entry in by_id else by_key.get(normalise(entry), [])
        if len(hits) == 1:
            rows.append((hits[0], *by_id[hits[0]]))
            continue
        if len(hits) > 1:
            ids = ", ".join(f"{i} ({by_id[i][0]})" for i in hits)
            raise UnknownAthleteError(f"{entry!r} is ambiguous: give one of the ids {ids}")
        close = difflib.get_close_matches(normalise(entry), list(by_key), n=5, cutoff=0.6)
        hint = "; ".join(f"{by_id[i][0]} (id {i})" for key in close for i in by_key[key])
        raise UnknownAthleteError(
            f"unknown athlete {entry!r}: no id or name in {where} matches"
            + (f"; close matches: {hint}" if hint else "; no close match either")
        )
    return rows


def resolve(fit, athletes: Sequence[str]) -> pd.DataFrame:
    """Athlete id, name and posterior index (-1: no results before the fit's cutoff) per entry.

    ``fit`` is anything with a ``roster`` (athlete_id, name, index), e.g. a Fit: those with
    posterior terms first, then the rest of the data it saw.

    Raises
    ------
    UnknownAthleteError
        For a name or id the fit does not know, listing the closest names it does know; or a
        name that two athletes share, listing their ids; or one runner entered twice under two
        spellings.
    """
    r = fit.roster
    rows = match_athletes(athletes, *lookups(r["athlete_id"], r["name"], r["index"]), "the fit")
    check_distinct(athletes, [row[0] for row in rows])
    return pd.DataFrame(rows, columns=["athlete_id", "name", "index"])


def check_distinct(entries: Sequence[str], ids: Sequence[str]) -> None:
    """Refuse a start list that names one athlete twice (e.g. by name and by id)."""
    seen: dict[str, str] = {}
    for entry, a in zip(entries, ids, strict=True):
        if a in seen:
            raise UnknownAthleteError(
                f"{seen[a]!r} and {entry!r} are the same athlete (id {a}): list each runner once"
            )
        seen[a] = entry
