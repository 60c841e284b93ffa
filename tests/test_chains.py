"""A doubled attempt extends nutpie's chains: a checkpoint's draws are a run's of its length."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from rivalrymodel.inference.chains import NutpieChains


@pytest.fixture(scope="module")
def normal():
    """A tiny model, compiled for nutpie once."""
    import nutpie

    with pm.Model() as model:
        pm.Normal("x", 0.0, 1.0, shape=3)
    return nutpie.compile_pymc_model(model)


def _draws(tree):
    post, stats = tree["posterior"], tree["sample_stats"]
    return post["x"].to_numpy(), stats["energy"].to_numpy(), stats["diverging"].to_numpy()


def test_checkpoints_of_one_run_are_the_draws_of_runs_of_their_length(normal, nutpie_runs):
    chains = NutpieChains(normal, tune=50, chains=2, longest=400, seed=3, progress=False)
    got = {n: _draws(chains.first(n)) for n in (50, 100, 400)}
    chains.close()
    assert nutpie_runs == [400]  # one run, paused at each checkpoint and taken on from there
    for n, drawn in got.items():
        alone = NutpieChains(normal, tune=50, chains=2, longest=n, seed=3, progress=False)
        direct = _draws(alone.first(n))
        assert direct[0].shape == (2, n, 3)
        for a, b in zip(drawn, direct, strict=True):
            np.testing.assert_array_equal(a, b)
    assert nutpie_runs == [400, 50, 100, 400]


def test_a_closed_run_starts_again_from_the_warm_up_with_the_same_draws(normal, nutpie_runs):
    chains = NutpieChains(normal, tune=50, chains=2, longest=200, seed=4, progress=False)
    first = _draws(chains.first(100))
    chains.close()
    again = _draws(chains.first(100))
    longer = _draws(chains.first(300))  # more than the run holds: a new, longer run
    chains.close()
    assert nutpie_runs == [200, 200, 300]
    for a, b, c in zip(first, again, longer, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c[:, :100])
    assert not np.array_equal(first[0], _other_seed(normal))


def _other_seed(model):
    chains = NutpieChains(model, tune=50, chains=2, longest=100, seed=5, progress=False)
    return _draws(chains.first(100))[0]
