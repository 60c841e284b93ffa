"""One athlete, one id: resolve the people of every source to a single athlete id.

Rules, in order (each is documented in data/README.md):

1. Same World Athletics id, or same Tilastopaja id, is the same person; the Rome 2024 crosswalk
   links Tilastopaja ids to WA ids.
2. A person known by name only (WA lists, trackelo) is the id-known person with the same
   normalised name (accents stripped, lower case, tokens sorted) and the same birth date; when
   the id-known side has only a birth year, the same name and birth year (nationalities change:
   David Torrence USA -> PER); when it has no birth data, the same name and nationality; when
   the name-only side has none, the one id-known person with the same name and nationality.
3. Failing that, a person whose name tokens are a subset of the other's (``Henrik INGEBRIGTSEN``
   and ``Henrik Borkja Ingebrigtsen``) with the same birth date and nationality, if exactly one
   such person exists.
4. Renames listed in data/sources/athlete_aliases.csv (sourced) join two spellings.
5. Two sources' rows of one race (event, day) with the same place, time and nationality,
   whose names share a token, are one runner (``Mohamed Farah`` / ``Mo FARAH``).
6. A hand-curated supplement row without id or birth date (``sup:`` person) that rule 2 left
   alone is the one person of another source with the same normalised name and nationality
   (any nationality when the row gives none); failing that, the one such person whose name
   tokens hold the row's or are held by them, two tokens at least ("Narve NORDAS" and "Narve
   Gilje NORDAS"). Name-only people of two sources with the same name and birth date (the WA
   lists' and trackelo's) are joined first, so they count as one candidate. Ambiguity leaves
   it a new athlete. Names of the Wikipedia tables (``wiki:`` person) follow the same rule
   after the supplements, and may also join a supplement's person.

A group holding two different WA ids, or two different full birth dates, is a contradiction and
stops the build. The id is the WA id where known, else ``TP<tilastopaja id>``, else ``X`` and a
hash of the name and birth date.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pandas as pd

from ..data.text import normalise
from .common import SourceError


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def resolve(
    rows: pd.DataFrame, crosswalk: pd.DataFrame, aliases: pd.DataFrame, conflicts: list[str]
) -> pd.Series:
    """Map each row's ``person`` key to one athlete id. Returns a Series person -> athlete_id."""
    people = (
        rows.sort_values("priority")
        .drop_duplicates("person")[["person", "name", "dob", "birth_year", "nat", "wa_id", "tp_id"]]
        .reset_index(drop=True)
    )
    people["key"] = people["name"].map(normalise)
    people["year"] = people["birth_year"].astype("Float64")
    has_dob = people["dob"] != ""
    people.loc[has_dob, "year"] = people.loc[has_dob, "dob"].str[:4].astype(float)

    uf = _UnionFind()
    for person, wa, tp in people[["person", "wa_id", "tp_id"]].itertuples(index=False):
        uf.find(person)
        if wa:
            uf.union(person, f"wa:{wa}")
        if tp:
            uf.union(person, f"tp:{tp}")
    for tp, wa in crosswalk[["tp_athlete_id", "wa_id"]].itertuples(index=False):
        if wa:
            uf.union(f"tp:{tp}", f"wa:{wa}")

    ided = people[(people["wa_id"] != "") | (people["tp_id"] != "")]
    by_key_dob = defaultdict(set)
    by_key_year = defaultdict(set)
    by_key_nat = defaultdict(set)
    any_birth = defaultdict(set)  # every id-known person by name and nationality
    for p in ided.itertuples(index=False):
        any_birth[(p.key, p.nat)].add(uf.find(p.person))
        if p.dob:
            by_key_dob[(p.key, p.dob)].add(uf.find(p.person))
        elif pd.notna(p.year):  # birth year only (Diamond League); nationalities change
            by_key_year[(p.key, int(p.year))].add(uf.find(p.person))
        else:  # no birth data at all (Rio 2016 5000m runners)
            by_key_nat[(p.key, p.nat)].add(uf.find(p.person))

    named = people[(people["wa_id"] == "") & (people["tp_id"] == "")]
    # Rule 2, then rule 3 for the people rule 2 left alone.
    unmatched = []
    for p in named.itertuples(index=False):
        hits = set(by_key_dob.get((p.key, p.dob), set())) if p.dob else set()
        if pd.notna(p.year):
            hits |= by_key_year.get((p.key, int(p.year)), set())
        hits |= by_key_nat.get((p.key, p.nat), set())
        if not hits and not p.dob and pd.isna(p.year):
            # No birth data on this side (a WA-list row with an empty DOB): the one id-known
            # person of that name and nationality (Endashaw RETA, ETH: the 2026 top list's id).
            same = {uf.find(g) for g in any_birth.get((p.key, p.nat), set())}
            hits = same if len(same) == 1 else set()
        # Several hits are one person seen under two id systems (a Rio 2016 Tilastopaja id
        # and a Diamond League WA id); two WA ids in one group stop the build below.
        for hit in hits:
            uf.union(p.person, hit)
        if not hits:
            unmatched.append(p)
    # Name-only people of different sources with the same name and birth date are one, before
    # rule 6 counts candidates: the WA lists' and trackelo's "Cameron MYERS" (2006-06-09) are one
    # candidate for a supplement's "Cameron Myers", not two.
    _union_by(unmatched, lambda p: (p.key, p.dob) if p.dob else None, uf)
    unmatched = _supplement_rule(unmatched, people, uf)
    # People left over with the same name and birth date (without one: nationality) are one.
    _union_by(unmatched, lambda p: (p.key, p.dob or p.nat), uf)
    _subset_rule(people, uf)
    _same_result_rule(rows, people, uf)
    for a, b in aliases[["person_a", "person_b"]].itertuples(index=False):
        for key in (a, b):
            if key not in uf.parent:
                raise SourceError(f"athlete_aliases.csv: {key!r} is in no source")
        uf.union(a, b)

    people["group"] = people["person"].map(uf.find)
    _check_groups(people, conflicts)
    return people.set_index("person")["group"].map(_group_ids(people))


def _union_by(people: list, key, uf: _UnionFind) -> None:
    """Union the people whose ``key(p)`` is the same (None: leave alone)."""
    groups = defaultdict(list)
    for p in people:
        k = key(p)
        if k is not None:
            groups[k].append(p.person)
    for group in groups.values():
        for other in group[1:]:
            uf.union(group[0], other)


# People known by a name alone, read from pages: hand-curated supplements, Wikipedia tables.
NAME_ONLY = ("sup:", "wiki:")


def _family(person: str) -> str:
    return person.split(":", 1)[0]


def _supplement_rule(unmatched: list, people: pd.DataFrame, uf: _UnionFind) -> list:
    """Rule 6 (also for the Wikipedia tables' names); returns the people still unmatched.

    A supplement row matches the people of the sources with ids or birth dates; a Wikipedia
    name those and the supplements' people."""
    exact, tokens = defaultdict(set), defaultdict(list)
    for p in people.itertuples(index=False):
        fam = _family(p.person)
        exact[(p.key, p.nat)].add((fam, uf.find(p.person)))
        exact[(p.key, "")].add((fam, uf.find(p.person)))
        tokens[p.nat].append((set(p.key.split()), fam, uf.find(p.person)))
        tokens[""].append((set(p.key.split()), fam, uf.find(p.person)))
    left = [p for p in unmatched if not p.person.startswith(NAME_ONLY) or p.dob]
    # Supplements first, then the Wikipedia names, which may then join a supplement's person
    # (roots are looked up afresh, so a person joined above counts once).
    for k, prefix in enumerate(NAME_ONLY):
        later = {f[:-1] for f in NAME_ONLY[k:]}  # its own family and those not yet matched
        for p in unmatched:
            if not p.person.startswith(prefix) or p.dob:
                continue
            hits = {uf.find(g) for fam, g in exact[(p.key, p.nat)] if fam not in later}
            if not hits:  # "Narve NORDAS" is "Narve Gilje NORDAS": one name holds the other's
                own = set(p.key.split())
                hits = {
                    uf.find(g)
                    for t, fam, g in tokens[p.nat]
                    if fam not in later and len(own & t) >= 2 and (own <= t or t <= own)
                }
            if len(hits) == 1:
                uf.union(p.person, next(iter(hits)))
            else:
                left.append(p)
    return left


def _subset_rule(people: pd.DataFrame, uf: _UnionFind) -> None:
    with_dob = people[people["dob"] != ""]
    for (_, _), same in with_dob.groupby(["dob", "nat"]):
        if len(same) < 2:
            continue
        tokens = {p.person: set(p.key.split()) for p in same.itertuples(index=False)}
        for a, ta in tokens.items():
            subs = {
                uf.find(b)
                for b, tb in tokens.items()
                if uf.find(b) != uf.find(a) and (ta <= tb or tb <= ta)
            }
            if len(subs) == 1:
                uf.union(a, subs.pop())


def _same_result_rule(rows: pd.DataFrame, people: pd.DataFrame, uf: _UnionFind) -> None:
    """Rule 5: two rows of one event and day with the same place, the same time to the
    hundredth and the same nationality, whose names share a token, are one runner seen by two
    sources (``Mohamed Farah`` in the Rio file, ``Mo FARAH`` in the WA list)."""
    keyed = rows.dropna(subset=["time_s", "place"]).copy()
    keyed = keyed[keyed["status"] == "OK"]
    keyed["cs"] = (keyed["time_s"] * 100).round().astype(int)
    tokens = dict(zip(people["person"], people["key"].str.split().map(set), strict=True))
    cols = ["event", "date", "place", "cs", "nat"]
    pairs = keyed.merge(keyed, on=cols, suffixes=("", "_b"))
    pairs = pairs[(pairs["src"] != pairs["src_b"]) & (pairs["person"] < pairs["person_b"])]
    # One other runner (group) per result: two sources' copies of one person count once.
    pairs["root_b"] = pairs["person_b"].map(uf.find)
    counts = pairs.groupby(["person", *cols])["root_b"].nunique()
    for p in pairs.itertuples(index=False):
        if (
            counts[(p.person, p.event, p.date, p.place, p.cs, p.nat)] == 1
            and tokens[p.person] & tokens[p.person_b]
        ):
            uf.union(p.person, p.person_b)


def _check_groups(people: pd.DataFrame, conflicts: list[str]) -> None:
    for _, g in people.groupby("group"):
        wa = set(g["wa_id"]) - {""}
        dobs = set(g["dob"]) - {""}
        shown = g[["person", "dob", "nat"]].to_dict("records")
        if len(wa) > 1:
            raise SourceError(f"one athlete with two WA ids: {shown}")
        if len(dobs) > 1:
            # WA corrects birth dates between scrapes. Tolerated only when one WA id ties the
            # spellings together and they all normalise to one name; the newest source wins.
            if not wa or g["key"].nunique() > 1:
                raise SourceError(f"one athlete with two birth dates: {shown}")
            conflicts.append(
                f"birth dates differ for WA id {wa.pop()}: {sorted(dobs)}; "
                "kept the newest World Athletics list's"
            )


def _group_ids(people: pd.DataFrame) -> dict[str, str]:
    ids = {}
    for group, g in people.groupby("group"):
        wa = sorted(set(g["wa_id"]) - {""})
        tp = sorted(set(g["tp_id"]) - {""})
        if wa:
            ids[group] = wa[0]
        elif tp:
            ids[group] = "TP" + tp[0]
        else:
            first = g.sort_values("person").iloc[0]
            digest = hashlib.sha1(f"{first['key']}|{first['dob']}|{first['nat']}".encode())
            ids[group] = "X" + digest.hexdigest()[:10]
    return ids
