"""The models layer: likelihood families (objects, registered once) built from shared terms."""

from __future__ import annotations

import numpy as np
import pymc as pm

from ..data.racedata import RaceData
from ..data.schema import Event
from ..spec import ModelSpec
from . import design as _design
from . import margins, plackett_luce, times  # noqa: F401  (each registers its family)
from .design import Design
from .draws import ArrayDraws, PosteriorDraws
from .families import FAMILIES, Family, family_of
from .terms import busy_coords, coords

__all__ = [
    "build_model", "build_design", "Design", "Family", "FAMILIES", "family_of",
    "PosteriorDraws", "ArrayDraws",
]  # fmt: skip


def build_design(data: RaceData, spec: ModelSpec) -> Design:
    """The design arrays of ``spec``'s family on ``data``."""
    return _design.build_design(data, spec, family_of(spec).select)


def build_model(
    data: RaceData, spec: ModelSpec, *, keep_utility: bool = False, **family_options
) -> tuple[pm.Model, Design]:
    """The PyMC model of ``spec`` on ``data``, and the design arrays it was built from.

    ``keep_utility`` adds deterministics ``utility`` (per result) and ``race_tau`` (per race),
    for prior predictive simulation; fits leave them out, as storing them per draw is costly.
    ``family_options`` go to the family's builder (Plackett-Luce: ``likelihood="graph"``).
    """
    family = family_of(spec)
    design = build_design(data, spec)
    c = coords(design)
    c["event"] = np.array([e.value for e in Event])
    c["result"] = np.arange(design.n_obs)
    c.update(busy_coords(design, spec))
    with pm.Model(coords=c) as model:
        family.build(design, spec, keep_utility=keep_utility, **family_options)
    return model, design
