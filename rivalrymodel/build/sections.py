"""Split a source's group of results that lumps several sections of one meeting together.

The World Athletics lists and the Tilastopaja histories name a race by date, venue and round,
not by section: a Diamond League 1500m and the national 1500m run an hour earlier land in one
group with two winners. :func:`split_sections` recovers the sections when the finishing places
and times allow exactly one way to do it, and refuses otherwise, so that no runner is put into a
race he did not run on a guess.
"""

from __future__ import annotations

import math
from collections import Counter

# A result: (place, time in seconds); the time may be nan (known place, unknown time).
Result = tuple[int, float]


def _fits(section: dict[int, float], place: int, time: float) -> bool:
    """``place`` is free in ``section`` and ``time`` is in order with every timed finisher."""
    if place in section:
        return False
    if math.isnan(time):
        return True
    for p, t in section.items():
        if math.isnan(t):
            continue
        if (p < place and t > time) or (p > place and t < time):
            return False
    return True


def split_sections(fixed: list[Result], rows: list[Result]) -> list[list[int]] | None:
    """Assign ``rows`` to sections so that each section's places and times tell one story.

    ``fixed`` are the finishers a race already holds (possibly none); ``rows`` come from one
    source group. The number of sections is the least that can hold the group: the most runners
    that share one place (counting ``fixed``). Every row must have a place and a time.

    Returns the row indices per section, the section that joins ``fixed`` first when ``fixed``
    is not empty (it may be empty), the new sections after it in order of their best place; or
    None when no assignment exists or more than one does (sections are interchangeable, so two
    assignments that only swap new sections count once).
    """
    if any(math.isnan(t) for _, t in rows):
        return None
    count = Counter(p for p, _ in fixed) + Counter(p for p, _ in rows)
    n_new = max(count.values(), default=0) - (1 if fixed else 0)
    order = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][1]))
    sections: list[dict[int, float]] = [dict(fixed)] if fixed else []
    members: list[list[int]] = [[]] if fixed else []
    n_fixed = len(sections)
    found: list[list[list[int]]] = []

    def place_next(k: int) -> None:
        if len(found) > 1:
            return
        if k == len(order):
            found.append([list(m) for m in members])
            return
        i = order[k]
        place, time = rows[i]
        for s, section in enumerate(sections):
            if _fits(section, place, time):
                section[place] = time
                members[s].append(i)
                place_next(k + 1)
                members[s].pop()
                del section[place]
        # A new section, only as the next unused one: new sections are interchangeable.
        if len(sections) - n_fixed < n_new:
            sections.append({place: time})
            members.append([i])
            place_next(k + 1)
            members.pop()
            sections.pop()

    place_next(0)
    if len(found) != 1:
        return None
    return [m for s, m in enumerate(found[0]) if m or s < n_fixed]
