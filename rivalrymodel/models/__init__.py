"""Likelihood families: each builds a PyMC model from (RaceData, ModelSpec)."""

from __future__ import annotations

import numpy as np
import pymc as pm

from ..data import RaceData
from ..schema import Event
from ..spec import ModelSpec
from . import plackett_luce, times
from .design import Design, build_design
from .terms import busy_coords, coords

__all__ = ["build_model", "Design", "build_design"]

_FAMILIES = {"plackett_luce": plackett_luce.build, "times": times.build}


def build_model(
    data: RaceData, spec: ModelSpec, *, keep_utility: bool = False, **family_options
) -> tuple[pm.Model, Design]:
    """The PyMC model of ``spec`` on ``data``, and the design arrays it was built from.

    ``keep_utility`` adds deterministics ``utility`` (per result) and ``race_tau`` (per race),
    for prior predictive simulation; fits leave them out, as storing them per draw is costly.
    ``family_options`` go to the family's builder (Plackett-Luce: ``likelihood="graph"``).
    """
    design = build_design(data, spec)
    c = coords(design)
    c["event"] = np.array([e.value for e in Event])
    c["result"] = np.arange(design.n_obs)
    c.update(busy_coords(design, spec))
    with pm.Model(coords=c) as model:
        _FAMILIES[spec.family](design, spec, keep_utility=keep_utility, **family_options)
    return model, design
