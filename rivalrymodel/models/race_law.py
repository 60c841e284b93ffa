"""Race laws: the distribution of one race's finishing order in every posterior draw.

A family hands the rest of the package one law per race (``Family.race_law``): forecasts,
head-to-heads and championships summarise or sample it, and the synthetic datasets and the
prior predictive draw their races from the family's law too. Every law can simulate races
(:meth:`RaceLaw.simulate`: performances, higher is better, whose order is a draw of the
finishing order); its probabilities are then frequencies over those races. A law with closed
forms (Plackett-Luce) answers exactly where it can, says so with ``exact``, and does not draw
simulated races for an answer that does not need them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property

import numpy as np

from .simulate import places

__all__ = ["RaceLaw", "Races", "SampledLaw"]


class Races:
    """``n`` simulated races per draw of ``law``, drawn with ``rng`` when first needed.

    ``scores`` (sample, n, runner) are the performances, ``places`` (same shape) the places
    (1 = winner). Drawing lazily means that a law that answers in closed form takes nothing
    from ``rng`` (a rivalry shares one generator across many head-to-heads).
    """

    def __init__(self, law: RaceLaw, rng: np.random.Generator, n: int):
        self.law, self.rng, self.n = law, rng, n

    @cached_property
    def scores(self) -> np.ndarray:
        return self.law.sample(self.rng, self.n)

    @cached_property
    def places(self) -> np.ndarray:
        return places(self.scores)


class RaceLaw(ABC):
    """One race's finishing order per posterior draw, given the runners' scaled utilities.

    Parameters
    ----------
    v
        (sample, runner) utilities divided by the race's noise scale (what a forecast reports
        as the utility).

    Attributes
    ----------
    exact
        True when win, podium and pairwise probabilities have closed forms per draw.
    """

    exact: bool = False

    def __init__(self, v: np.ndarray):
        self.v = np.asarray(v, dtype=float)

    @abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """(sample, n, runner) simulated performances, higher is better."""

    def simulate(self, rng: np.random.Generator, n: int) -> Races:
        """``n`` races per draw, drawn when first used (see :class:`Races`)."""
        return Races(self, rng, n)

    def sections(self, fields: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Performances in the sections of a championship round, ``-inf`` in padding.

        ``fields`` (sample, sections, width) are runner indices into ``v``'s last axis, -1
        for padding; each section is a race of its own (its own pace, where the law has one).
        """
        pad = fields < 0
        flat = np.where(pad, 0, fields).reshape(len(self.v), -1)
        gathered = np.take_along_axis(self.v, flat, axis=1).reshape(fields.shape)
        return np.where(pad, -np.inf, self.section_scores(gathered, rng, pad))

    def section_scores(
        self, v: np.ndarray, rng: np.random.Generator, pad: np.ndarray | None = None
    ) -> np.ndarray:
        """Performances of the runners ``v`` (sample, sections, width), higher is better;
        ``pad`` marks the padding slots (whose ``v`` is meaningless)."""
        raise NotImplementedError(f"{type(self).__name__} does not simulate championships")

    def qualifying_key(self, place: np.ndarray, score: np.ndarray) -> np.ndarray:
        """The order of the non-automatic qualifiers across sections (higher first)."""
        return score

    # --- probabilities per draw: (sample, runner), or (sample, runner, runner) for pairs ------

    def top(self, k: int, races: Races) -> np.ndarray:
        """P(place <= k) per draw."""
        return (races.places <= k).mean(axis=1)

    def pairwise(self, races: Races) -> np.ndarray:
        """P(row runner finishes ahead of column runner) per draw."""
        s = races.scores
        return (s[..., :, None] > s[..., None, :]).mean(axis=1)

    def expected_place(self, races: Races) -> np.ndarray:
        """The expected place per draw."""
        return races.places.mean(axis=1).astype(float)


class SampledLaw(RaceLaw):
    """A law known by its simulated races: ``scores`` (sample, sims, runner), e.g. a
    forecaster's Thurstonian skills, with its exact win probabilities ``p_win`` when known."""

    def __init__(self, v: np.ndarray, scores: np.ndarray, p_win: np.ndarray | None = None):
        super().__init__(v)
        self.scores = np.asarray(scores)
        self.p_win = None if p_win is None else np.asarray(p_win, dtype=float)

    def sample(self, rng, n):
        if n != self.scores.shape[1]:
            raise ValueError(f"this law holds {self.scores.shape[1]} races per draw, not {n}")
        return self.scores

    def top(self, k, races):
        if k == 1 and self.p_win is not None:
            return self.p_win
        return super().top(k, races)
