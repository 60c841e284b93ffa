"""The vectorised r_hat and ESS agree with ArviZ's, parameter by parameter."""

from __future__ import annotations

import warnings

import arviz as az
import numpy as np
import pytest
import xarray as xr

from rivalrymodel.inference import diagnostics as dg


def _chains(seed: int, chains: int = 4, draws: int = 301, k: int = 24) -> np.ndarray:
    """AR(1) chains with autocorrelation from 0 to 0.97, a shifted chain, ties and a constant."""
    rng = np.random.default_rng(seed)
    phi = np.linspace(0.0, 0.97, k)
    x = np.zeros((chains, draws, k))
    e = rng.normal(size=x.shape)
    for t in range(1, draws):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    x[1, :, ::3] += 0.5  # a chain stuck apart: r_hat must see it
    x[..., 5] = np.round(x[..., 5])  # ties
    x[..., 7] = 2.0  # constant
    return x


@pytest.mark.parametrize("seed", [0, 1])
def test_rhat_and_ess_equal_arviz(seed):
    x = _chains(seed)
    tree = xr.DataTree.from_dict({"posterior": xr.Dataset({"a": (("chain", "draw", "k"), x)})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # ArviZ on the constant parameter
        want = {
            "r_hat": az.rhat(tree)["a"].to_numpy(),
            "ess_bulk": az.ess(tree, method="bulk")["a"].to_numpy(),
            "ess_tail": az.ess(tree, method="tail")["a"].to_numpy(),
        }
    got = dg.summary(x)
    for name, w in want.items():
        np.testing.assert_allclose(got[name], w, rtol=1e-9, equal_nan=True, err_msg=name)
    assert np.nanmax(got["r_hat"][::3]) > 1.01  # the shifted chain is caught


def test_summary_in_chunks_equals_one_pass():
    x = _chains(3, k=13)
    whole, chunked = dg.summary(x, chunk=100), dg.summary(x, chunk=4)
    for name in whole:
        np.testing.assert_array_equal(whole[name], chunked[name])
