"""The shared mechanism of the athlete-level slopes (distance profile, unpaced skill).

Each is a zero-sum Normal per athlete times a race feature: ``u += effect[athlete] * feature``.
Non-centred by default (standard normals times the learned scale), centred on request.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

__all__ = ["pymc_effect", "forecast_effect"]


def pymc_effect(name: str, prior, centred: bool) -> pt.TensorVariable:
    """The per-athlete effect ``name`` with scale ``{name}_sd`` (coords ``athlete``)."""
    sd = prior.create(f"{name}_sd")
    if centred:
        return pm.ZeroSumNormal(name, sigma=sd, dims="athlete")
    z = pm.ZeroSumNormal(f"{name}_z", sigma=1.0, dims="athlete")
    return pm.Deterministic(name, sd * z, dims="athlete")


def forecast_effect(posterior, name: str, weight: float, index: np.ndarray, rng) -> np.ndarray:
    """(sample, runner) ``weight * effect`` per draw; ``index`` is each runner's posterior
    athlete index, -1 for a runner the fit never saw, who gets Normal(0, ``{name}_sd``)."""
    known = index >= 0
    out = np.zeros((posterior.n_samples, len(index)))
    out[:, known] = weight * posterior.draws(name)[:, index[known]]
    if (~known).any():
        sd = posterior.draws(f"{name}_sd")[:, None]
        out[:, ~known] = (
            weight * sd * rng.standard_normal((posterior.n_samples, int((~known).sum())))
        )
    return out
