"""Athlete names typed by a user, resolved to a dataset's athletes by the build's identity rules.

A name is the athlete with the same normalised name (``datasets.identity.normalise``: accents
stripped, lower case, tokens sorted, so ``KERR Josh`` is ``Josh Kerr``) in his name or aliases,
and the same country; failing that, the one of that name in any country (nationalities change);
failing that, the one whose name tokens hold the typed ones or are held by them, two tokens at
least (``Narve NORDAS`` / ``Narve Gilje NORDAS``), in the same country when one is given. These
are rules 9a and 17 of data/README.md. Several candidates are an error that lists them.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from .datasets.identity import normalise
from .schema import TABLES, DataValidationError

__all__ = ["NameResolver", "new_athlete_id"]


class NameResolver:
    """The names and aliases of a table of athletes, to match typed names against.

    Parameters
    ----------
    athletes : pandas.DataFrame
        An athletes table (athlete_id, name, country, aliases, ...) as RaceData holds it.
    """

    def __init__(self, athletes: pd.DataFrame):
        self.athletes = athletes.set_index("athlete_id")
        keys = set()
        cols = ["athlete_id", "name", "country", "aliases"]
        for aid, name, country, aliases in athletes[cols].itertuples(index=False):
            for spelling in [name, *str(aliases).split(" | ")]:
                if spelling.strip():
                    keys.add((normalise(spelling), aid, country))
        self.keys = sorted(keys)
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        for key, aid, country in self.keys:
            self.by_key.setdefault(key, []).append((aid, country))

    def candidates(self, name: str, country: str = "") -> list[str]:
        """The ids ``name`` (of ``country``, ``""`` = unknown) may be; one id = resolved."""
        key = normalise(name)
        same = self.by_key.get(key, [])
        hits = {aid for aid, c in same if c == country} if country else set()
        hits = hits or {aid for aid, _ in same}
        if not hits:
            mine = set(key.split())
            for k, aid, c in self.keys:
                tokens = set(k.split())
                held = mine <= tokens or tokens <= mine
                if len(mine & tokens) >= 2 and held and (not country or c == country):
                    hits.add(aid)
        return sorted(hits)

    def describe(self, aid: str) -> str:
        """``id NAME (COUNTRY, born YYYY-MM-DD)``, to list candidates in an error."""
        a = self.athletes.loc[aid]
        born = f", born {a['birth_date']:%Y-%m-%d}" if pd.notna(a["birth_date"]) else ""
        return f"{aid} {a['name']} ({a['country'] or 'no country'}{born})"

    def ambiguous(self, file, row, column, name, hits, country="") -> DataValidationError:
        """The error for a name with several candidates, listing them."""
        listed = "; ".join(self.describe(h) for h in hits)
        fix = "give an athlete_id column" if country else "add the country or an athlete_id column"
        return DataValidationError(
            file,
            f"ambiguous name, candidates: {listed}; {fix}",
            row=row,
            column=column,
            value=name,
        )


def resolve_names(file: str, df: pd.DataFrame, athletes: pd.DataFrame):
    """Each row's athlete id (columns ``athlete``, ``country``, ``athlete_id``), and the new
    athletes' table as strings: names that match nobody. A new name typed twice (the second
    time without a country) is one new athlete."""
    resolver = NameResolver(athletes)
    ids, new = [], {}
    for i, r in enumerate(df.itertuples(index=False), start=1):
        if r.athlete_id:
            if r.athlete_id not in resolver.athletes.index:
                raise DataValidationError(
                    file,
                    "athlete_id not in the data",
                    row=i,
                    column="athlete_id",
                    value=r.athlete_id,
                )
            ids.append(r.athlete_id)
            continue
        hits = resolver.candidates(r.athlete, r.country)
        if len(hits) > 1:
            raise resolver.ambiguous(file, i, "athlete", r.athlete, hits, r.country)
        if hits:
            ids.append(hits[0])
            continue
        key = normalise(r.athlete)
        same = [person for person in new if person[0] == key]
        person = same[0] if not r.country and len(same) == 1 else (key, r.country)
        new.setdefault(person, []).append((r.athlete, r.country))
        ids.append(person)
    taken, id_of, rows = set(resolver.athletes.index), {}, []
    for person, seen in new.items():
        aid = id_of[person] = new_athlete_id(f"{person[0]}|{person[1]}", taken)
        taken.add(aid)
        names = list(dict.fromkeys(name for name, _ in seen))
        country = next((c for _, c in seen if c), "")
        rows.append([aid, names[0], country, "", " | ".join(names[1:]), f"own results ({file})"])
    ids = [id_of[a] if isinstance(a, tuple) else a for a in ids]
    cols = [c.name for c in TABLES["athletes.csv"]]
    return ids, pd.DataFrame(rows, columns=cols, dtype=str)


def new_athlete_id(text: str, taken: set[str]) -> str:
    """``U`` + 10 hex digits of a hash of ``text``: never a World Athletics id (8 digits), a
    ``TP<id>`` or the build's ``X<hex>``, and never one of ``taken``."""
    salt = 0
    while True:
        aid = "U" + hashlib.sha1(f"{text}|{salt}".encode()).hexdigest()[:10]
        if aid not in taken:
            return aid
        salt += 1
