"""The Plackett-Luce race law: closed forms per draw where they exist, Gumbel-max races else.

With p the softmax of the scaled utilities v, P(win) is p; P(second) and P(third) sum over the
runners ahead; P(a ahead of b) is ``sigmoid(v_a - v_b)`` whoever else runs (Luce's choice
axiom); the expected place is 1 plus the sum of those pairwise probabilities. These carry no
Monte-Carlo error. Top-k for k > 3 and championship rounds are simulated: v plus standard
Gumbel noise, sorted, is an exact Plackett-Luce draw (:mod:`.simulate`).

A law with a ``first_scale`` s (a heat, with the spec's ``heat_win``) draws its winner from
q = softmax(s v) and the rest of the order as above among the runners left. Then P(win) is q,
the place formulas take q for the first choice, and P(a ahead of b) is
``q_a + (1 - q_a - q_b) sigmoid(v_a - v_b)``: a wins, or neither wins and a beats b.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy.special import expit, softmax

from .race_law import RaceLaw, Races
from .simulate import gumbel, plackett_luce_scores, simulate_places

__all__ = ["PlackettLuceLaw", "plackett_luce_places", "pairwise_ahead"]


def plackett_luce_places(v: np.ndarray, first: np.ndarray | None = None) -> np.ndarray:
    """Exact P(place 1), P(place 2), P(place 3) per draw: shape (3, sample, runner).

    ``v`` (sample, runner) are the scaled utilities. With p the softmax of v,
    P(a first, b second) = p_a p_b / (1 - p_a), and the third place follows the same way; the
    cost is O(runners^3) per draw, as one matrix product. ``first`` (same shape), when given,
    are the utilities the winner is drawn with: q = softmax(first) replaces p_a as the
    probability of the first choice.
    """
    p = softmax(v, axis=-1)
    q = p if first is None else softmax(first, axis=-1)
    n = v.shape[-1]
    out = np.zeros((3,) + v.shape)
    out[0] = q
    if n < 2:
        return out
    rest1, rest2 = _remainders(p)
    pair = q[..., :, None] * p[..., None, :] / rest1[..., :, None]  # (a first, b second)
    eye = np.eye(n, dtype=bool)
    pair[..., eye] = 0.0
    out[1] = pair.sum(axis=-2)
    if n < 3:
        return out
    # P(i third) = p_i * sum over pairs (a, b) without i of pair(a, b) / rest2(a, b): a sum of
    # positive terms, as one product with the mask of pairs that leave i out.
    a, b, i = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
    leaves_out = ((a != b) & (i != a) & (i != b)).reshape(n * n, n).astype(float)
    q = (pair / rest2).reshape(*v.shape[:-1], n * n)
    out[2] = p * (q @ leaves_out)
    return out


_TINY = 1e-300


def _remainders(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1 - p_a (sample, a) and 1 - p_a - p_b (sample, a, b), without cancellation.

    When a favourite holds nearly all the probability (a cold race: tau small, v far apart),
    1 - p_a and 1 - p_a - p_b are differences of nearly equal numbers and lose every digit.
    Sums of the runners left are exact: the favourite's remainder is the sum of the others', the
    two favourites' the sum of the rest; any other remainder is at least the second
    favourite's p and is taken from the larger of the two runners, where it is accurate.
    """
    order = np.argsort(-p, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1)
    first, second = order[..., :1], order[..., 1:2]
    rest1 = 1.0 - p
    np.put_along_axis(rest1, first, ranked[..., 1:].sum(axis=-1, keepdims=True), axis=-1)
    by_a = rest1[..., :, None] - p[..., None, :]
    rest2 = np.where(p[..., :, None] >= p[..., None, :], by_a, np.swapaxes(by_a, -1, -2))
    tail2 = ranked[..., 2:].sum(axis=-1)
    rows = np.indices(p.shape[:-1])
    rest2[(*rows, first[..., 0], second[..., 0])] = tail2
    rest2[(*rows, second[..., 0], first[..., 0])] = tail2
    return np.clip(rest1, _TINY, None), np.clip(rest2, _TINY, None)


def pairwise_ahead(v: np.ndarray, first: np.ndarray | None = None) -> np.ndarray:
    """P(i finishes ahead of j) per draw, (sample, i, j): exact for Plackett-Luce, any field
    (with ``first``, the winner's utilities: exact for the whole field given)."""
    beats = expit(v[..., :, None] - v[..., None, :])
    if first is None:
        return beats
    q = softmax(first, axis=-1)
    return q[..., :, None] + (1.0 - q[..., :, None] - q[..., None, :]) * beats


def _winner(first: np.ndarray, rng) -> np.ndarray:
    """Who wins a race drawn with the winner's utilities ``first`` (-inf for padding): the
    Gumbel-max draw, as indices with the runner axis kept (shape ``first.shape[:-1] + (1,)``).
    The one home of the tempered winner, for scores (:func:`_crown`) and places alike."""
    return np.argmax(first + gumbel(rng, first.shape), axis=-1)[..., None]


def _crown(scores: np.ndarray, first: np.ndarray, rng) -> np.ndarray:
    """``scores`` with the runner who wins by ``first`` (same shape; -inf for padding) lifted
    above everyone: the winner drawn at his temperature, the order behind him that of
    ``scores``."""
    winner = _winner(first, rng)
    lifted = np.max(scores, axis=-1, keepdims=True) + 1.0
    out = scores.copy()
    np.put_along_axis(out, winner, lifted, axis=-1)
    return out


class PlackettLuceLaw(RaceLaw):
    """Plackett-Luce over the runners of ``v``: exact win, podium, pairwise and expected place;
    top-k for k > 3 from simulated races.

    Parameters
    ----------
    v
        (sample, runner) scaled utilities.
    first_scale
        Optional (sample,) factor on ``v`` for drawing the winner (``models.terms.heat_win``):
        below 1, the first place is more open than the rest of the order.
    """

    exact = True

    def __init__(self, v: np.ndarray, first_scale: np.ndarray | None = None):
        super().__init__(v)
        self.first_scale = None if first_scale is None else np.asarray(first_scale, float)

    def _first(self, v: np.ndarray) -> np.ndarray | None:
        """The winner's utilities for ``v`` (``first_scale``'s axes first, then any), or None."""
        if self.first_scale is None:
            return None
        extra = (1,) * (v.ndim - self.first_scale.ndim)
        return v * self.first_scale.reshape(self.first_scale.shape + extra)

    @cached_property
    def _cumulative(self) -> np.ndarray:
        """P(place <= 1, 2, 3) per draw: (3, sample, runner)."""
        return np.cumsum(plackett_luce_places(self.v, self._first(self.v)), axis=0)

    @cached_property
    def _pairwise(self) -> np.ndarray:
        return pairwise_ahead(self.v, self._first(self.v))

    def sample(self, rng, n):
        scores = plackett_luce_scores(self.v, n, rng)
        if self.first_scale is None:
            return scores
        first = np.broadcast_to(self._first(self.v)[:, None, :], scores.shape)
        return _crown(scores, first, rng)

    def section_scores(self, v, rng, pad=None):
        scores = v + gumbel(rng, v.shape)
        if self.first_scale is None:
            return scores
        first = self._first(v)
        if pad is not None:  # padding never wins
            first, scores = np.where(pad, -np.inf, first), np.where(pad, -np.inf, scores)
        return _crown(scores, first, rng)

    def qualifying_key(self, place, score):
        # No times: the best places first, ties broken by the simulated performance.
        return -place + 0.5 * expit(score)

    def top(self, k: int, races: Races | None = None) -> np.ndarray:
        if k <= 3:
            return self._cumulative[min(k, self.v.shape[-1]) - 1]
        return super().top(k, races)

    def pairwise(self, races: Races | None = None) -> np.ndarray:
        return self._pairwise

    def expected_place(self, races: Races | None = None) -> np.ndarray:
        # E[place of i] = 1 + sum over j != i of P(j ahead of i); the diagonal adds 1/2.
        return 1.0 + self._pairwise.sum(axis=-2) - 0.5

    def orders(self, rng: np.random.Generator, present: np.ndarray | None = None) -> np.ndarray:
        """One simulated finishing order per row of ``v`` (any leading axes: draws, races):
        places 1..n, 0 in the slots ``present`` marks False (padding). Drawn as an exponential
        race (:func:`.simulate.simulate_places`), the same law as :meth:`sample` without logs."""
        present = np.ones(self.v.shape[-1], dtype=bool) if present is None else present
        rng = np.random.default_rng(rng)
        place = simulate_places(self.v, present, rng)
        if self.first_scale is None:
            return place
        # The winner drawn at his temperature; those who were ahead of him move down one.
        present = np.broadcast_to(present, self.v.shape)
        first = np.where(present, self._first(self.v), -np.inf)
        winner = _winner(first, rng)
        had = np.take_along_axis(place, winner, axis=-1)
        place = np.where(present & (place < had), place + 1, place)
        np.put_along_axis(place, winner, 1, axis=-1)
        return place
