"""Plackett-Luce over finishing orders, vectorised over padded races.

In race r with slots l = 1..L in finish order (DNFs after finishers, then padding) and scaled
utilities v = u / tau_r, each finisher was chosen first among the runners still in the race::

    log p(order_r) = sum over finishers l of [ v_l - log sum_{m >= l, m not padding} exp(v_m) ]

A partial race (a subset of a field) is a ranking of the known runners: Plackett-Luce is closed
under marginalising runners out, so this is exact for the observed subset.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from ..spec import ModelSpec
from .design import SLOT_FINISH, SLOT_PAD, Design
from .terms import athlete_utility, race_noise_scale

__all__ = ["plackett_luce_logp", "build", "buckets", "pointwise"]


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


# Races are grouped by field size and each group padded only to its own widest race: most
# known races have two or three runners, so one matrix padded to the widest field (27) would be
# 80% padding. Measured on the bundled data: logp+gradient of the likelihood 4x faster.
_BUCKET_WIDTHS = (3, 6, 12)


def buckets(design: Design) -> list[tuple[np.ndarray, int]]:
    """(race indices, padded width) per group of races of similar size."""
    size = (design.slot_kind != SLOT_PAD).sum(axis=1)
    edges = [0, *[w for w in _BUCKET_WIDTHS if w < size.max()], int(size.max())]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        rows = np.flatnonzero((size > lo) & (size <= hi))
        if len(rows):
            out.append((rows, hi))
    return out


def build(design: Design, spec: ModelSpec, *, keep_utility: bool = False) -> None:
    """The Plackett-Luce model on ``design`` (coords must be set by the caller's context).

    The likelihood is one ``finish_order_<i>`` variable per group of races (see
    :func:`buckets`); :func:`pointwise` joins their log-likelihoods into one per race.
    """
    model = pm.modelcontext(None)
    u = athlete_utility(design, spec)
    tau = race_noise_scale(design, spec)
    if keep_utility:
        pm.Deterministic("utility", u, dims="result")
        pm.Deterministic("race_tau", tau, dims="race")
    u_pad = pt.concatenate([u, pt.zeros(1)])
    for i, (rows, width) in enumerate(buckets(design)):
        model.add_coord(f"race_{i}", design.race_ids[rows])
        model.add_coord(f"slot_{i}", np.arange(width))
        pm.CustomDist(
            f"finish_order_{i}",
            u_pad[design.slots[rows, :width]] / tau[rows][:, None],
            logp=_logp,
            signature="(l)->(l)",
            dtype="int64",
            observed=design.slot_kind[rows, :width],
            dims=(f"race_{i}", f"slot_{i}"),
        )


def pointwise(log_likelihood: xr.Dataset, design: Design) -> xr.Dataset:
    """Join the groups' pointwise log-likelihoods into ``finish_order`` (chain, draw, race)."""
    parts = []
    for name in sorted(v for v in log_likelihood.data_vars if str(v).startswith("finish_order_")):
        i = str(name).rsplit("_", 1)[1]
        parts.append(log_likelihood[name].rename({f"race_{i}": "race"}))
    joined = xr.concat(parts, dim="race").sel(race=design.race_ids)
    rest = log_likelihood.drop_vars([str(p.name) for p in parts]).drop_dims(
        [d for d in log_likelihood.dims if str(d).startswith(("race_", "slot_"))]
    )
    return rest.assign(finish_order=joined)
