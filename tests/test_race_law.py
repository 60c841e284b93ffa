"""Race laws: what every family hands forecasting, championships and the prior predictive."""

from __future__ import annotations

import numpy as np
import pytest

import rivalrymodel as rm
from rivalrymodel.models import FAMILIES, ArrayDraws
from rivalrymodel.models.pl_law import PlackettLuceLaw
from rivalrymodel.models.race_law import SampledLaw

V = np.array([[1.5, 1.0, 0.2, -0.3, -1.0], [0.3, 0.9, 0.0, 0.1, -0.4]])  # (sample, runner)
POSTERIOR = ArrayDraws(
    {k: np.full(2, x) for k, x in
     {"time_nu": 30.0, "time_sd": 0.003, "time_sd_heat": 0.2, "race_sd": 0.01}.items()},
    {},
)  # fmt: skip


def law_of(name: str, v=V, repeats: int = 1):
    spec = rm.ModelSpec(family=name)
    return FAMILIES[name].race_law(POSTERIOR, spec, np.repeat(v, repeats, axis=0), "heat", repeats)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_law_is_a_distribution_over_finishing_orders(name):
    law = law_of(name)
    races = law.simulate(np.random.default_rng(0), 4000)
    assert races.scores.shape == (2, 4000, 5)
    np.testing.assert_allclose(law.top(1, races).sum(axis=1), 1.0)
    np.testing.assert_allclose(law.top(3, races).sum(axis=1), 3.0)
    np.testing.assert_allclose(law.top(5, races), 1.0)
    pair = law.pairwise(races)
    off = ~np.eye(5, dtype=bool)
    np.testing.assert_allclose((pair + pair.transpose(0, 2, 1))[:, off], 1.0)
    np.testing.assert_allclose(law.expected_place(races).sum(axis=1), 15.0)
    # Its answers are those of its own simulated races (exactly, or within Monte-Carlo error).
    se = 0.5 / np.sqrt(4000)
    np.testing.assert_allclose(law.top(1, races), (races.places == 1).mean(axis=1), atol=4 * se)
    ahead = races.places[..., :, None] < races.places[..., None, :]
    np.testing.assert_allclose(pair[:, off], ahead.mean(axis=1)[:, off], atol=4 * se)
    # The stronger runner of the first draw finishes ahead more often than not.
    assert pair[0, 0, 4] > 0.5 and law.top(1, races)[0].argmax() == 0


def test_a_closed_form_takes_nothing_from_the_generator():
    # A rivalry shares one generator over many head-to-heads: an exact answer must not draw.
    rng = np.random.default_rng(5)
    before = rng.bit_generator.state
    law = PlackettLuceLaw(V)
    races = law.simulate(rng, 50)
    law.pairwise(races), law.top(3, races), law.expected_place(races)
    assert rng.bit_generator.state == before
    law.top(4, races)  # top-4 has no closed form here: now the races are drawn
    assert rng.bit_generator.state != before


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_championship_sections_are_separate_races_with_padding_last(name):
    law = law_of(name, repeats=3)  # each draw three times, as a championship's simulations
    fields = np.broadcast_to(np.array([[0, 2, 4], [1, 3, -1]]), (6, 2, 3))
    score = law.sections(fields, np.random.default_rng(1))
    assert score.shape == (6, 2, 3)
    assert np.isneginf(score[:, 1, 2]).all() and np.isfinite(score[:, :, :2]).all()
    key = law.qualifying_key(np.ones((6, 2, 3), dtype=int), score)
    assert key.shape == (6, 2, 3)


def test_a_sampled_law_keeps_its_races_and_its_exact_wins():
    rng = np.random.default_rng(2)
    scores = V[:, None, :] + rng.standard_normal((2, 30, 5))
    p_win = np.full((2, 5), 0.2)
    law = SampledLaw(V, scores, p_win)
    races = law.simulate(None, 30)
    np.testing.assert_array_equal(law.top(1, races), p_win)
    np.testing.assert_array_equal(races.scores, scores)
    np.testing.assert_allclose(law.top(2, races).sum(axis=1), 2.0)
    with pytest.raises(ValueError, match="holds 30 races"):
        law.sample(None, 10)


def test_prior_predictive_orders_are_permutations_with_padding_zero():
    v = np.random.default_rng(0).standard_normal((7, 4, 5))  # (draw, race, slot)
    present = np.array([True, True, True, False, False])
    place = PlackettLuceLaw(v).orders(np.random.default_rng(3), present)
    assert (place[..., 3:] == 0).all()
    assert (np.sort(place[..., :3], axis=-1) == [1, 2, 3]).all()
