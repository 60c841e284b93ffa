"""Likelihood families as objects, registered once by name.

A family knows which results it observes, how it builds its likelihood on a
:class:`~rivalrymodel.models.design.Design`, what its observed data are, how it simulates race
performances for forecasts, championships and the prior predictive, and whether its race
probabilities have a closed form. Nothing outside ``models/`` asks for a family by name: code
calls ``family_of(spec)`` and uses the object.

Adding a family is one module with a :class:`Family` subclass and one ``register(...)`` line at
its end (see ``plackett_luce.py`` and ``times.py``), plus its import in ``models/__init__.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd
import xarray as xr

from ..spec import FAMILY_NAMES, ModelSpec

__all__ = ["Family", "register", "family_of", "FAMILIES"]

FAMILIES: dict[str, Family] = {}


class Family(ABC):
    """A likelihood family.

    Attributes
    ----------
    name
        The name ``ModelSpec.family`` uses.
    observed
        The name of its observed variable (the pointwise log-likelihood LOO uses).
    exact
        True when a race's place probabilities have a closed form per draw (Plackett-Luce);
        False when they are simulated from :meth:`race_scores`.
    """

    name: str
    observed: str
    exact: bool = False

    @abstractmethod
    def select(self, df: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
        """The results it observes, with a column ``kind`` (SLOT_FINISH or SLOT_DNF)."""

    @abstractmethod
    def build(self, design, spec: ModelSpec, *, keep_utility: bool = False, **options) -> None:
        """Its likelihood inside the caller's PyMC model context (coords already set)."""

    @abstractmethod
    def observed_data(self, design) -> xr.Dataset:
        """The observed data group of a fit."""

    @abstractmethod
    def race_scores(self, posterior, spec, v, round: str, sims: int, rng) -> np.ndarray:
        """(sample, sims, runner) simulated performances of one race, higher is better.

        ``v`` (sample, runner) are the utilities divided by the race's noise scale.
        """

    @abstractmethod
    def section_scores(self, posterior, spec, v, round: str, sims: int, rng) -> np.ndarray:
        """Performances in the sections of a championship round, higher is better.

        ``v`` (sample * sims, sections, width): scaled utilities, each posterior draw repeated
        ``sims`` times; sections of one round are separate races (their own pace).
        """

    @abstractmethod
    def qualifying_key(self, place: np.ndarray, score: np.ndarray) -> np.ndarray:
        """The order of the non-automatic qualifiers across sections (higher first)."""

    @abstractmethod
    def prior_predictive(self, model, design, draws: int, random_seed) -> xr.DataTree:
        """The observed races simulated from the prior (see ``inference.prior_predictive``)."""


def register(family: Family) -> Family:
    """Make ``family`` available to ``ModelSpec(family=family.name)``."""
    FAMILIES[family.name] = family
    FAMILY_NAMES.add(family.name)
    return family


def family_of(spec: ModelSpec) -> Family:
    """The family object of a spec."""
    try:
        return FAMILIES[spec.family]
    except KeyError:
        raise ValueError(
            f"unknown family {spec.family!r}; registered: {', '.join(FAMILIES)}"
        ) from None
