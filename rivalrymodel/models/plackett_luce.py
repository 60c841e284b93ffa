"""Plackett-Luce over finishing orders, vectorised over padded races.

In race r with slots l = 1..L in finish order (DNFs after finishers, then padding) and scaled
utilities v = u / tau_r, each finisher was chosen first among the runners still in the race::

    log p(order_r) = sum over finishers l of [ v_l - log sum_{m >= l, m not padding} exp(v_m) ]

A partial race (a subset of a field) is a ranking of the known runners: Plackett-Luce is closed
under marginalising runners out, so this is exact for the observed subset.
"""

from __future__ import annotations

import pymc as pm
import pytensor.tensor as pt

from ..spec import ModelSpec
from .design import SLOT_FINISH, SLOT_PAD, Design
from .terms import athlete_utility, race_noise_scale

__all__ = ["plackett_luce_logp", "build"]


def plackett_luce_logp(slot_kind: pt.TensorLike, v: pt.TensorLike) -> pt.TensorVariable:
    """Log-probability of each race's finishing order (one value per row).

    ``slot_kind`` and ``v`` are (races, slots); padded slots never enter a log or an exp with
    a non-zero weight, so their gradients stay finite (masking after the log gives NaN).
    """
    slot_kind = pt.as_tensor(slot_kind)
    v = pt.as_tensor(v)
    present = pt.neq(slot_kind, SLOT_PAD)
    finisher = pt.eq(slot_kind, SLOT_FINISH)
    v = pt.where(present, v, 0.0)
    top = pt.max(pt.where(present, v, -1e30), axis=-1, keepdims=True)
    w = pt.where(present, pt.exp(v - top), 0.0)
    remaining = pt.cumsum(w[..., ::-1], axis=-1)[..., ::-1]
    log_rem = pt.log(pt.where(finisher, remaining, 1.0))
    return pt.sum(pt.where(finisher, v - top - log_rem, 0.0), axis=-1)


def _logp(value, v):
    return plackett_luce_logp(value, v)


def build(design: Design, spec: ModelSpec, *, keep_utility: bool = False) -> None:
    """The Plackett-Luce model on ``design`` (coords must be set by the caller's context)."""
    u = athlete_utility(design, spec)
    tau = race_noise_scale(design, spec)
    if keep_utility:
        pm.Deterministic("utility", u, dims="result")
        pm.Deterministic("race_tau", tau, dims="race")
    padded = pt.concatenate([u, pt.zeros(1)])[design.slots]
    pm.CustomDist(
        "finish_order",
        padded / tau[:, None],
        logp=_logp,
        signature="(l)->(l)",
        dtype="int64",
        observed=design.slot_kind,
        dims=("race", "slot"),
    )
