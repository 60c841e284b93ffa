"""Championship rounds: heats, semi-finals and a final, simulated with their qualifying rules.

Every simulated championship uses one posterior draw for all its rounds, so an athlete who is
strong in a draw is strong in the heat and in the final; ``sims`` championships per draw average
out the races. Vectorised over (draw, sim) with numpy: no Python loop over simulations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.schema import Round
from ..errors import InputError
from ..models.simulate import places
from .horizon import check_date
from .limits import check_count, check_memory
from .projection import race_law, utility_draws
from .startlist import StartList

__all__ = ["Qualify", "simulate_championship"]


@dataclass(frozen=True)
class Qualify:
    """How runners go from one round to the next.

    Parameters
    ----------
    per_heat
        The first ``per_heat`` of each heat (or semi) qualify by right ("Q").
    fastest
        Plus the ``fastest`` best of the rest over all heats ("q"): by time for the times family;
        for Plackett-Luce, which has no times, the best places first, ties broken by the
        simulated performance (utility plus Gumbel noise, on one scale across the heats).
    next_sections
        Heats of the next round: 1 for a final, 2 or 3 for semi-finals. Qualifiers are drawn
        into the sections at random (real championships seed them; a simplification).
    """

    per_heat: int
    fastest: int = 0
    next_sections: int = 1

    def __post_init__(self) -> None:
        for name in ("per_heat", "fastest", "next_sections"):
            check_count(f"Qualify.{name}", getattr(self, name), 1 if name == "next_sections" else 0)
        if self.per_heat + self.fastest < 1:
            raise InputError(f"{self}: nobody qualifies; give per_heat and/or fastest >= 1")


def _round_names(first: str, rules: Sequence[Qualify]) -> list[str]:
    names = [first]
    for rule in rules:
        names.append(Round.SEMI.value if rule.next_sections > 1 else Round.FINAL.value)
    if names[-1] != Round.FINAL.value:
        raise InputError("the last qualifying rule must lead to a final (next_sections=1)")
    return names


def _run_round(law, fields, rule, rng):
    """Simulate one round; return places (N, sections, width) and the qualifier mask.

    ``law`` is the round's race law over the athletes (N rows), ``fields`` (N, sections, width)
    athlete indices with -1 for padding; the law simulates the sections' performances and
    orders the fastest losers.
    """
    pad = fields < 0
    score = law.sections(fields, rng)
    place = np.where(pad, 0, places(score))
    if rule is None:
        return place, None
    auto = (place >= 1) & (place <= rule.per_heat)
    if rule.fastest:
        key = law.qualifying_key(place, score)
        key = np.where(auto | pad, -np.inf, key).reshape(len(fields), -1)
        best = np.argsort(-key, axis=1, kind="stable")[:, : rule.fastest]
        extra = np.zeros(key.shape, dtype=bool)
        np.put_along_axis(extra, best, np.take_along_axis(np.isfinite(key), best, axis=1), 1)
        auto = auto | extra.reshape(fields.shape)
    return place, auto


def _next_fields(fields, qualified, sections, rng):
    """Qualifiers drawn at random into ``sections`` heats: (N, sections, width), -1 padded."""
    n = len(fields)
    counts = qualified.reshape(n, -1).sum(axis=1)
    if (counts != counts[0]).any():  # a heat smaller than per_heat; keep shapes rectangular
        raise InputError("the number of qualifiers varies between simulations")
    q = int(counts[0])
    flat_fields = fields.reshape(n, -1)
    pos = np.argsort(~qualified.reshape(n, -1), axis=1, kind="stable")[:, :q]
    who = np.take_along_axis(flat_fields, pos, axis=1)
    if sections > 1:
        who = np.take_along_axis(who, np.argsort(rng.random(who.shape), axis=1), axis=1)
    width = -(-q // sections)
    out = np.full((n, sections * width), -1)
    # Deal qualifiers round-robin so the sections differ in size by at most one.
    slot = (np.arange(q) % sections) * width + np.arange(q) // sections
    out[:, slot] = who
    return out.reshape(n, sections, width)


def simulate_championship(
    fit,
    heats: Sequence[StartList],
    rules: Sequence[Qualify],
    *,
    sims: int = 25,
    injury: bool = True,
    absences: pd.DataFrame | None = None,
    hindcast: bool = False,
    random_seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """P(reach each later round), P(medal) and P(win) per athlete, from the heats' start lists.

    The date checks of :func:`~.forecast.forecast` apply (``hindcast=True`` to simulate a
    championship the fit saw).

    Parameters
    ----------
    heats
        The first round's sections (same event, date, round, paced and indoor flags).
    rules
        One :class:`Qualify` per round transition, e.g. heats -> semis -> final:
        ``[Qualify(6, 0, next_sections=2), Qualify(5, 2)]``.
    sims
        Simulated championships per posterior draw. Monte-Carlo standard error of a probability
        is at most 0.5 / sqrt(draws * sims) (0.0016 for 4,000 draws x 25).

    Returns
    -------
    pandas.DataFrame
        athlete_id, athlete, heat, p_semi (when there are semis), p_final, p_medal, p_win,
        injury (mean utility change from a recent absence); sorted by p_win, then p_final.
    """
    if not heats:
        raise InputError("no heats given")
    check_count("sims", sims)
    n_runners = sum(len(h.athletes) for h in heats)
    need = 8.0 * 10 * fit.n_samples * sims * n_runners  # u, v, scores, places per round
    check_memory(f"a championship of {n_runners} runners x {fit.n_samples} draws x {sims} sims",
                 need)  # fmt: skip
    first = heats[0]
    check_date(fit, first.date, hindcast=hindcast)
    for h in heats[1:]:
        same = (h.event, h.date, h.round, h.paced, h.indoor)
        if same != (first.event, first.date, first.round, first.paced, first.indoor):
            raise InputError(f"heat {h.name or h.athletes[:2]} differs from the first heat")
    names = _round_names(first.round, rules)
    everyone = tuple(a for h in heats for a in h.athletes)
    whole = dataclasses.replace(first, athletes=everyone, name="all heats")
    rng = np.random.default_rng(random_seed)
    u, info = utility_draws(fit, whole, injury=injury, absences=absences, random_seed=rng)
    n_samples, n_ath = u.shape
    n = n_samples * sims
    u = np.repeat(u, sims, axis=0)

    width = max(len(h.athletes) for h in heats)
    fields = np.full((len(heats), width), -1)
    start = 0
    for i, h in enumerate(heats):
        fields[i, : len(h.athletes)] = np.arange(start, start + len(h.athletes))
        start += len(h.athletes)
    fields = np.broadcast_to(fields, (n, len(heats), width))

    reached = {}
    place = None
    for r, name in enumerate(names):
        sl = dataclasses.replace(whole, round=name)
        # one temperature per round and simulation (its heats share it: an approximation)
        law = race_law(fit, sl, u, rng, repeats=sims)
        rule = rules[r] if r < len(rules) else None
        place, qualified = _run_round(law, fields, rule, rng)
        if r > 0:
            reached[name] = _membership(fields, n_ath)
        if rule is not None:
            fields = _next_fields(fields, qualified, rule.next_sections, rng)
    final_place = np.zeros((n, n_ath), dtype=int)
    mask = fields >= 0
    rows = np.broadcast_to(np.arange(n)[:, None, None], fields.shape)
    final_place[rows[mask], fields[mask]] = place[mask]
    heat_of = np.repeat(np.arange(1, len(heats) + 1), [len(h.athletes) for h in heats])
    out = info[["athlete_id", "athlete"]].assign(heat=heat_of)
    for name, share in reached.items():
        out[f"p_{name}"] = share
    out["p_medal"] = ((final_place >= 1) & (final_place <= 3)).mean(axis=0)
    out["p_win"] = (final_place == 1).mean(axis=0)
    out["injury"] = info["injury"]
    out = out.sort_values(["p_win", "p_final"], ascending=False, kind="stable")
    return out.reset_index(drop=True)


def _membership(fields: np.ndarray, n_ath: int) -> np.ndarray:
    """Share of simulations in which each athlete is in ``fields``."""
    hit = np.zeros((len(fields), n_ath + 1), dtype=bool)
    rows = np.broadcast_to(np.arange(len(fields))[:, None, None], fields.shape)
    hit[rows, np.where(fields < 0, n_ath, fields)] = True
    return hit[:, :n_ath].mean(axis=0)
