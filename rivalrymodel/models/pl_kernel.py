"""The Plackett-Luce log-likelihood of every race as one compiled kernel, with its gradient.

The graph version (:func:`rivalrymodel.models.plackett_luce.plackett_luce_logp`) pads races
into matrices and costs a few dozen array operations per gradient, each a pass over memory.
This Op walks the races once, in finish order, with no padding: for race r with scaled
utilities ``v = u / tau_r`` of its n runners (finishers first, then DNFs) and K finishers::

    log p_r = sum_{l < K} [ v_l - log S_l ],   S_l = sum_{m >= l} exp(v_m)
    d log p_r / d v_m = [m < K] - exp(v_m) * sum_{l <= min(m, K - 1)} 1 / S_l

and ``d v / d u = 1 / tau``, ``d v / d tau = -v / tau``. The forward pass returns these
derivatives too, so the gradient costs one gather and two products in the graph. Compiled by
numba inside nutpie's model (a ``numba_funcify`` registration) and run as numpy elsewhere.
"""

from __future__ import annotations

import numba
import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

from .design import SLOT_FINISH, SLOT_PAD, Design

__all__ = ["RaceStructure", "race_structure", "race_logp"]


class RaceStructure:
    """Flat race layout: ``order[start[r]:start[r+1]]`` are race r's observations in finish
    order (finishers, then DNFs); ``finishers[r]`` of them finished."""

    def __init__(self, order: np.ndarray, start: np.ndarray, finishers: np.ndarray):
        self.order = np.ascontiguousarray(order, dtype=np.int64)
        self.start = np.ascontiguousarray(start, dtype=np.int64)
        self.finishers = np.ascontiguousarray(finishers, dtype=np.int64)


def race_structure(design: Design) -> RaceStructure:
    present = design.slot_kind != SLOT_PAD
    return RaceStructure(
        order=design.slots[present],  # row-major: race by race, slots in finish order
        start=np.r_[0, np.cumsum(present.sum(axis=1))],
        finishers=(design.slot_kind == SLOT_FINISH).sum(axis=1),
    )


@numba.njit(cache=True)
def _kernel(u, tau, order, start, finishers):
    n_races = finishers.shape[0]
    lp = np.zeros(n_races)
    du = np.zeros(u.shape[0])
    dtau = np.zeros(n_races)
    width = 0
    for r in range(n_races):
        width = max(width, start[r + 1] - start[r])
    v = np.empty(width)
    w = np.empty(width)
    suffix = np.empty(width)
    for r in range(n_races):
        a, n, k = start[r], start[r + 1] - start[r], finishers[r]
        inv = 1.0 / tau[r]
        top = -np.inf
        for m in range(n):
            v[m] = u[order[a + m]] * inv
            top = max(top, v[m])
        for m in range(n):
            w[m] = np.exp(v[m] - top)
        acc = 0.0
        for m in range(n - 1, -1, -1):
            acc += w[m]
            suffix[m] = acc
        total = 0.0
        inv_sum = 0.0  # sum over l <= min(m, k - 1) of 1 / S_l
        g_tau = 0.0
        for m in range(n):
            if m < k:
                total += v[m] - top - np.log(suffix[m])
                inv_sum += 1.0 / suffix[m]
                g = 1.0 - w[m] * inv_sum
            else:
                g = -w[m] * inv_sum
            du[order[a + m]] = g * inv
            g_tau -= g * v[m] * inv
        lp[r] = total
        dtau[r] = g_tau
    return lp, du, dtau


class PlackettLuceRaces(Op):
    """(u per observation, tau per race, layout) -> (log p per race, d/du, d/dtau)."""

    __props__ = ()

    def make_node(self, u, tau, order, start, finishers):
        u, tau = pt.as_tensor(u, dtype="float64"), pt.as_tensor(tau, dtype="float64")
        ints = [pt.as_tensor(x, dtype="int64") for x in (order, start, finishers)]
        out = [pt.dvector(), pt.dvector(), pt.dvector()]
        return Apply(self, [u, tau, *ints], out)

    def perform(self, node, inputs, outputs):
        for store, value in zip(outputs, _kernel(*inputs), strict=True):
            store[0] = value

    def infer_shape(self, node, shapes):
        return [shapes[1], shapes[0], shapes[1]]

    def pullback(self, inputs, outputs, output_grads):
        u, tau, order, start, finishers = inputs
        _, du, dtau = outputs
        g = output_grads[0]
        obs_race = _obs_race(order, start, finishers, u)
        no_grad = [pt.zeros_like(x, dtype="float64") for x in (order, start, finishers)]
        return [g[obs_race] * du, g * dtau, *no_grad]


def _obs_race(order, start, finishers, u):
    """Race index of every observation, as a graph (the layout is constant in practice)."""
    counts = start[1:] - start[:-1]
    race_of_slot = pt.repeat(pt.arange(finishers.shape[0]), counts)
    return pt.zeros(u.shape[0], dtype="int64")[order].set(race_of_slot)


_op = PlackettLuceRaces()


def race_logp(u: pt.TensorLike, tau: pt.TensorLike, layout: RaceStructure) -> pt.TensorVariable:
    """Log-probability of each race's finishing order under Plackett-Luce (one per race)."""
    u = pt.as_tensor(u)
    lp, _, _ = _op(u, tau, layout.order, layout.start, layout.finishers)
    return lp


@register_funcify_default_op_cache_key(PlackettLuceRaces)
def _numba_funcify(op, node=None, **kwargs):
    kernel = _kernel

    @numba.njit
    def races(u, tau, order, start, finishers):
        return kernel(u, tau, order, start, finishers)

    return races
