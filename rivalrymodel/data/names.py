"""Athlete names typed by a user, resolved to a dataset's athletes by the build's identity rules.

A name is the athlete with the same normalised name (:func:`~rivalrymodel.data.text.normalise`:
accents stripped, lower case, tokens sorted, so ``KERR Josh`` is ``Josh Kerr``) in his name or
aliases, and the same country; failing that, the one of that name in any country (nationalities
change); failing that, the one whose name tokens hold the typed ones or are held by them, two
tokens at least (``Narve NORDAS`` / ``Narve Gilje NORDAS``), in the same country when one is
given. These are rules 9a and 17 of data/README.md. Several candidates are an error that lists them.

One resolver serves results sheets, absence sheets, start lists and the CLI. A typed name is
refused when it is only digits (an id belongs in an ``athlete_id`` column) or mixes alphabets
within a word (a Cyrillic ``о`` in a Latin name looks the same and matches nobody); a name that
matches nobody is offered the close matches (:meth:`NameResolver.close`).
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata

import pandas as pd

from .schema import TABLES, DataValidationError
from .text import normalise

__all__ = ["NameResolver", "new_athlete_id", "name_problem", "resolve_names"]


class NameResolver:
    """The names and aliases of a table of athletes, to match typed names against.

    Parameters
    ----------
    athletes : pandas.DataFrame
        An athletes table (athlete_id, name, country, aliases, ...) as RaceData holds it.
    """

    def __init__(self, athletes: pd.DataFrame):
        # A fit's roster has no countries, aliases or birth dates: those are then unknown.
        fill = {"country": "", "aliases": "", "birth_date": pd.NaT}
        athletes = athletes.assign(**{c: v for c, v in fill.items() if c not in athletes})
        athletes = athletes.assign(country=athletes["country"].fillna(""),
                                   aliases=athletes["aliases"].fillna(""))  # fmt: skip
        self.athletes = athletes.set_index("athlete_id")
        keys = set()
        cols = ["athlete_id", "name", "country", "aliases"]
        for aid, name, country, aliases in athletes[cols].itertuples(index=False):
            for spelling in [name, *str(aliases).split(" | ")]:
                if spelling.strip():
                    keys.add((normalise(spelling), aid, country))
        self.keys = sorted(keys)
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        self.by_token: dict[str, set[int]] = {}  # token -> positions in keys, for rule 17
        for j, (key, aid, country) in enumerate(self.keys):
            self.by_key.setdefault(key, []).append((aid, country))
            for token in key.split():
                self.by_token.setdefault(token, set()).add(j)

    def candidates(self, name: str, country: str = "") -> list[str]:
        """The ids ``name`` (of ``country``, ``""`` = unknown) may be; one id = resolved."""
        key = normalise(name)
        same = self.by_key.get(key, [])
        hits = {aid for aid, c in same if c == country} if country else set()
        hits = hits or {aid for aid, _ in same}
        if not hits:
            mine = set(key.split())
            # Only keys sharing a token can share two: the index spares a scan of every key.
            near = sorted(set().union(*(self.by_token.get(t, set()) for t in mine)))
            for k, aid, c in (self.keys[j] for j in near):
                tokens = set(k.split())
                held = mine <= tokens or tokens <= mine
                if len(mine & tokens) >= 2 and held and (not country or c == country):
                    hits.add(aid)
        return sorted(hits)

    def close(
        self, name: str, n: int = 3, cutoff: float = 0.8, *, every: bool = False
    ) -> list[str]:
        """The ids of the athletes whose names (or aliases) are closest to ``name`` (difflib
        ratio ``cutoff`` or more on the normalised names): the hint for a typo. Only names
        sharing a word with ``name`` are compared unless ``every`` (a scan of every name: for
        one error message, not for each row of a large sheet)."""
        key = normalise(name)
        if every:
            pool = list(self.by_key)
        else:
            near = set().union(*(self.by_token.get(t, set()) for t in key.split()))
            pool = list(dict.fromkeys(self.keys[j][0] for j in sorted(near)))
        keys = difflib.get_close_matches(key, pool, n=n, cutoff=cutoff)
        return list(dict.fromkeys(aid for key in keys for aid, _ in self.by_key[key]))

    def hint(self, ids: list[str]) -> str:
        """``NAME (id ID); ...`` of ``ids``."""
        return "; ".join(f"{self.athletes.loc[a, 'name']} (id {a})" for a in ids)

    def is_spelling(self, name: str, aid: str) -> bool:
        """True when ``name`` may be athlete ``aid``: one of the names ``name`` resolves to, or,
        when it resolves to nobody, sharing a word with one of his spellings (a new spelling)."""
        hits = self.candidates(name)
        if hits:
            return aid in hits
        mine = set(normalise(name).split())
        return any(mine & set(k.split()) for k, a, _ in self.keys if a == aid)

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


def name_problem(name: str) -> str | None:
    """Why a typed name cannot be a name (only digits; alphabets mixed in a word), or None."""
    if name.strip().isdigit():
        return "a number, not a name: give the name (an id goes in an athlete_id column)"
    for word in name.split():
        scripts = {unicodedata.name(ch, "?").split()[0] for ch in word if ch.isalpha()}
        if len(scripts) > 1:
            return (f"mixes alphabets ({', '.join(sorted(scripts)).title()}) in {word!r}: a "
                    "look-alike letter? type the name again")  # fmt: skip
    return None


def resolve_names(file: str, df: pd.DataFrame, athletes: pd.DataFrame):
    """Each row's athlete id (columns ``athlete``, ``country``, ``athlete_id``), the new
    athletes' table as strings (names that match nobody), and per new athlete close to a known
    one, (new name, hint). A new name typed twice (the second time without a country) is one
    new athlete. An ``athlete_id`` that contradicts the row's name is refused."""
    resolver = NameResolver(athletes)
    ids, new, new_of_key = [], {}, {}  # new_of_key: normalised name -> its new persons
    for i, r in enumerate(df.itertuples(index=False), start=1):
        problem = name_problem(r.athlete)
        if problem:
            raise DataValidationError(file, problem, row=i, column="athlete", value=r.athlete)
        if r.athlete_id:
            if r.athlete_id not in resolver.athletes.index:
                raise DataValidationError(
                    file,
                    "athlete_id not in the data",
                    row=i,
                    column="athlete_id",
                    value=r.athlete_id,
                )
            if not resolver.is_spelling(r.athlete, r.athlete_id):
                problem = (f"contradicts the name {r.athlete!r}: the id is "
                           f"{resolver.describe(r.athlete_id)}")  # fmt: skip
                raise DataValidationError(file, problem, row=i, column="athlete_id",
                                          value=r.athlete_id)  # fmt: skip
            ids.append(r.athlete_id)
            continue
        hits = resolver.candidates(r.athlete, r.country)
        if len(hits) > 1:
            raise resolver.ambiguous(file, i, "athlete", r.athlete, hits, r.country)
        if hits:
            ids.append(hits[0])
            continue
        key = normalise(r.athlete)
        same = new_of_key.setdefault(key, [])
        person = same[0] if not r.country and len(same) == 1 else (key, r.country)
        if person not in new:
            same.append(person)
        new.setdefault(person, []).append((r.athlete, r.country))
        ids.append(person)
    taken, id_of, rows, hints = set(resolver.athletes.index), {}, [], []
    for person, seen in new.items():
        aid = id_of[person] = new_athlete_id(f"{person[0]}|{person[1]}", taken)
        taken.add(aid)
        names = list(dict.fromkeys(name for name, _ in seen))
        country = next((c for _, c in seen if c), "")
        rows.append([aid, names[0], country, "", " | ".join(names[1:]), f"own results ({file})"])
        close = resolver.close(names[0])
        if close:
            hints.append((names[0], resolver.hint(close)))
    ids = [id_of[a] if isinstance(a, tuple) else a for a in ids]
    cols = [c.name for c in TABLES["athletes.csv"]]
    return ids, pd.DataFrame(rows, columns=cols, dtype=str), tuple(hints)


def new_athlete_id(text: str, taken: set[str]) -> str:
    """``U`` + 10 hex digits of a hash of ``text``: never a World Athletics id (8 digits), a
    ``TP<id>`` or the build's ``X<hex>``, and never one of ``taken``."""
    salt = 0
    while True:
        aid = "U" + hashlib.sha1(f"{text}|{salt}".encode()).hexdigest()[:10]
        if aid not in taken:
            return aid
        salt += 1
