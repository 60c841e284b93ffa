"""Likelihood families as objects, registered once by name.

A family knows which results it observes, how it builds its likelihood on a
:class:`~rivalrymodel.models.design.Design`, what its observed data are, and the law of a race
it forecasts (:mod:`.race_law`: win, place and pairwise probabilities per posterior draw, and
simulated races), which forecasts summarise and championships and the prior predictive sample.
Nothing outside ``models/`` asks for a family by name: code calls ``family_of(spec)`` and uses
the object.

Adding a family is one module with a :class:`Family` subclass and its
:class:`~.race_law.RaceLaw` (or an existing law), one ``register(...)`` line at its end (see
``plackett_luce.py`` and ``times.py``), plus its import in ``models/__init__.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import pandas as pd
import xarray as xr

from ..spec import FAMILY_NAMES, ModelSpec
from .race_law import RaceLaw

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
    law
        The class of its race laws (``law.exact``: closed forms per draw, as Plackett-Luce's).
    """

    name: str
    observed: str
    law: type[RaceLaw]

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
    def race_law(self, posterior, spec, v, round: str, repeats: int = 1) -> RaceLaw:
        """The law of a race of ``round`` among runners of scaled utilities ``v``.

        ``v`` (rows, runner) are the utilities divided by the race's noise scale, one row per
        posterior draw, each draw ``repeats`` times in a row (a championship's simulations).
        """

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
