"""Start lists: who runs which race, and how names and ids resolve to a fit's athletes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.names import NameResolver
from ..data.racedata import RaceData
from ..data.schema import Event, Round, Status, is_global_championship
from ..errors import InputError, RivalryModelError
from ..models.terms.noise import noise_rows

__all__ = ["StartList", "UnknownAthleteError", "roster_rows"]


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
    global_championship
        True for an Olympic or outdoor World Championship race (its own noise column in a model
        with ``race_class``; other models ignore it).
    """

    athletes: tuple[str, ...]
    event: str = "1500m"
    date: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.today().normalize())
    round: str = "final"
    paced: bool = False
    indoor: bool = False
    name: str = ""
    advance: int | None = None
    global_championship: bool = False

    def __post_init__(self) -> None:
        athletes = (self.athletes,) if isinstance(self.athletes, str) else self.athletes
        object.__setattr__(self, "athletes", tuple(str(a).strip() for a in athletes))
        try:
            day = pd.Timestamp(self.date)
        except (ValueError, TypeError):
            raise InputError(f"StartList.date: not a date (YYYY-MM-DD): {self.date!r}") from None
        if pd.isna(day):
            raise InputError(f"StartList.date is missing ({self.date!r}): give the race date")
        object.__setattr__(self, "date", day.normalize())
        object.__setattr__(self, "event", Event(self.event).value)
        object.__setattr__(self, "round", Round(self.round).value)
        for flag in ("paced", "indoor", "global_championship"):
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
            global_championship=bool(is_global_championship(race.get("championship_id"))[0]),
            name=label,
        )

    @property
    def noise_x(self) -> np.ndarray:
        """The race's row of the noise design (heat, semi, unpaced, indoor, global)."""
        return noise_rows(self.round, self.paced, self.indoor, self.global_championship)


_STARTED = [Status.OK.value, Status.DNF.value, Status.DQ.value]


def match_athletes(entries: Sequence[str], resolver: NameResolver, where: str) -> list[str]:
    """The athlete id of each entry: an id, or a name resolved by the one name resolver of the
    package (:class:`~rivalrymodel.data.names.NameResolver`: case, accents, word order, aliases, a
    middle name left out). Raises UnknownAthleteError naming close matches, or the ids a name
    shares."""
    ids = []
    for entry in entries:
        hits = [entry] if entry in resolver.athletes.index else resolver.candidates(entry)
        if len(hits) == 1:
            ids.append(hits[0])
            continue
        if len(hits) > 1:
            listed = ", ".join(f"{i} ({resolver.athletes.loc[i, 'name']})" for i in hits)
            raise UnknownAthleteError(f"{entry!r} is ambiguous: give one of the ids {listed}")
        hint = resolver.hint(resolver.close(entry, n=5, cutoff=0.6, every=True))
        raise UnknownAthleteError(
            f"unknown athlete {entry!r}: no id or name in {where} matches"
            + (f"; close matches: {hint}" if hint else "; no close match either")
        )
    return ids


def roster_rows(fit, athletes: Sequence[str]) -> pd.DataFrame:
    """The fit's roster row of each start-list entry (an id or a name): athlete_id, name and
    posterior index (-1: no results before the fit's cutoff).

    ``fit`` is anything with a ``roster`` (athlete_id, name, index; aliases and country when
    the fit keeps them), e.g. a Fit: those with posterior terms first, then the rest of the
    data it saw.

    Raises
    ------
    UnknownAthleteError
        For a name or id the fit does not know, listing the closest names it does know; or a
        name that two athletes share, listing their ids; or one runner entered twice under two
        spellings.
    """
    r = fit.roster
    ids = match_athletes(athletes, NameResolver(r), "the fit")
    check_distinct(athletes, ids)
    found = r.set_index("athlete_id").loc[ids]
    return pd.DataFrame({"athlete_id": ids, "name": found["name"].to_numpy(),
                         "index": found["index"].to_numpy()})  # fmt: skip


def check_distinct(entries: Sequence[str], ids: Sequence[str]) -> None:
    """Refuse a start list that names one athlete twice (e.g. by name and by id)."""
    seen: dict[str, str] = {}
    for entry, a in zip(entries, ids, strict=True):
        if a in seen:
            raise UnknownAthleteError(
                f"{seen[a]!r} and {entry!r} are the same athlete (id {a}): list each runner once"
            )
        seen[a] = entry
