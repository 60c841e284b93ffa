"""The heat winner's temperature (variant ``heat_win``, models/terms/heat_win.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp, softmax

import rivalrymodel as rm
from rivalrymodel.data.racedata import RaceData
from rivalrymodel.models import build_design, build_model
from rivalrymodel.models.design import SLOT_FINISH
from rivalrymodel.models.pl_law import PlackettLuceLaw, pairwise_ahead
from rivalrymodel.models.synthetic import simulate_dataset
from rivalrymodel.models.terms import heat_win

SPEC = rm.variants()["heat_win"]


@pytest.fixture(scope="module")
def heats():
    return simulate_dataset(n_athletes=30, seasons=(2016, 2017), races_per_season=40,
                            heat_win=0.7, random_seed=1)  # fmt: skip


def _brute_logp(v, omega, qualifying):
    """Log-probability of one race's order (v in finish order) under the term's law."""
    plain = sum(v[k] - logsumexp(v[k:]) for k in range(len(v)))
    if not qualifying:
        return plain
    s = np.exp(-omega)
    return plain - (v[0] - logsumexp(v)) + (s * v[0] - logsumexp(s * v))


@pytest.mark.parametrize("likelihood", ["kernel", "graph"])
def test_race_log_probability_matches_the_law_written_out(heats, likelihood):
    data, _ = heats
    model, design = build_model(data, SPEC, keep_utility=True, likelihood=likelihood)
    rng = np.random.default_rng(0)
    point = {
        k: v + 0.3 * rng.standard_normal(np.shape(v)) for k, v in model.initial_point().items()
    }
    point["heat_win_noise"] = np.array(0.8)
    lp = model.compile_fn(model.logp(vars=model.observed_RVs, sum=False)[0])(point)
    outs = model.replace_rvs_by_values(
        [model[n] for n in ("utility", "race_tau", "heat_win_noise")]
    )
    u, tau, omega = model.compile_fn(outs)(point)
    qualifying = set(heat_win.races(design))
    assert 0 < len(qualifying) < design.n_races
    for r in range(design.n_races):
        ranked = design.slots[r][design.slot_kind[r] == SLOT_FINISH]
        want = _brute_logp(u[ranked] / tau[r], omega, r in qualifying)
        assert lp[r] == pytest.approx(want, rel=1e-9, abs=1e-9)


def test_design_marks_qualifying_rounds_with_their_winner(heats):
    data, _ = heats
    d = build_design(data, SPEC)
    rows = heat_win.races(d)
    assert set(d.race_round[rows]) == {"heat"}
    assert d.race_winner_seen.all()
    # A heat known only from its second place on keeps the plain ranking.
    partial = data.results[~((data.results["race_id"] == d.race_ids[rows[0]])
                             & (data.results["place"] == 1))]  # fmt: skip
    cut = RaceData(data.athletes, data.races, partial, data.absences)
    d2 = build_design(cut, SPEC)
    gone = list(d2.race_ids).index(d.race_ids[rows[0]])
    assert not d2.race_winner_seen[gone] and gone not in heat_win.races(d2)
    assert len(heat_win.races(d2)) == len(rows) - 1


@pytest.fixture(scope="module")
def law():
    rng = np.random.default_rng(3)
    v = rng.normal(0, 1.2, size=(4, 5))
    return PlackettLuceLaw(v, first_scale=np.array([0.3, 0.5, 1.0, 0.8]))


def test_exact_places_and_pairs_match_simulated_races(law):
    exact_top = [law.top(k) for k in (1, 2, 3)]
    exact_pair = law.pairwise()
    races = law.simulate(np.random.default_rng(4), 200_000)
    for k in (1, 2, 3):
        np.testing.assert_allclose((races.places <= k).mean(axis=1), exact_top[k - 1], atol=0.006)
    s = races.scores
    sim_pair = (s[..., :, None] > s[..., None, :]).mean(axis=1)
    off = ~np.eye(5, dtype=bool)
    np.testing.assert_allclose(sim_pair[:, off], exact_pair[:, off], atol=0.006)
    np.testing.assert_allclose(law.top(1), softmax(law.v * law.first_scale[:, None], axis=1))
    # A scale of 1 is plain Plackett-Luce.
    np.testing.assert_allclose(exact_pair[2], pairwise_ahead(law.v[2]))
    # The expected place follows from the pairs and matches the simulated places.
    np.testing.assert_allclose(law.expected_place(), races.places.mean(axis=1), atol=0.02)


def test_simulated_orders_and_sections_crown_the_tempered_winner(law):
    present = np.array([True, True, True, True, False])
    many = PlackettLuceLaw(np.broadcast_to(law.v, (50_000, 4, 5)),
                           np.broadcast_to(law.first_scale, (50_000, 4)))  # fmt: skip
    place = many.orders(np.random.default_rng(5), present)
    v = np.where(present, law.v, -np.inf)
    want = softmax(v * law.first_scale[:, None], axis=1)
    np.testing.assert_allclose((place == 1).mean(axis=0), want, atol=0.008)
    assert (place[..., 4] == 0).all()
    assert (np.sort(place[..., :4], axis=-1) == np.arange(1, 5)).all()
    # Sections of a championship round: padding never wins, the winners follow q.
    fields = np.broadcast_to(np.array([[0, 1, 2, 3, -1]]), (4, 1, 5))
    wins = np.zeros((4, 5))
    rng = np.random.default_rng(6)
    for _ in range(4000):
        wins[np.arange(4), np.argmax(law.sections(fields, rng)[:, 0], axis=1)] += 1
    assert wins[:, 4].sum() == 0
    np.testing.assert_allclose(wins / 4000, want, atol=0.03)


def test_finals_and_fits_without_the_term_keep_the_plain_law():
    class Post:
        n_samples = 3

        def __init__(self, names):
            self.names = names

        def has(self, name):
            return name in self.names

        def draws(self, name):
            return np.array([0.1, 0.5, 1.0])

    with_term = Post({"heat_win_noise"})
    assert heat_win.first_scale(with_term, "final") is None
    assert heat_win.first_scale(Post(set()), "heat") is None
    np.testing.assert_allclose(heat_win.first_scale(with_term, "semi", repeats=2),
                               np.repeat(np.exp(-np.array([0.1, 0.5, 1.0])), 2))  # fmt: skip


def test_spec_json_and_family_rules(heats):
    assert "heat_win" not in rm.ModelSpec().to_json()
    assert rm.ModelSpec.from_json(SPEC.to_json()) == SPEC
    with pytest.raises(rm.InputError, match="heat_win needs a ranking family"):
        build_model(heats[0], SPEC.replace(family="times"))


def test_the_simulator_without_the_term_draws_as_before(heats):
    a, _ = simulate_dataset(n_athletes=30, seasons=(2016, 2017), races_per_season=40,
                            random_seed=1)  # fmt: skip
    b, truth = heats
    pd.testing.assert_frame_equal(a.races, b.races)
    finals = a.races.loc[a.races["round"] == "final", "race_id"]
    keep = a.results["race_id"].isin(finals)
    pd.testing.assert_frame_equal(a.results[keep], b.results[b.results["race_id"].isin(finals)])
    assert truth["heat_win"] == 0.7
    # Some heat is won by another runner than without the term.
    first = lambda d: d.results[d.results["place"] == 1].set_index("race_id")["athlete_id"]  # noqa: E731
    heat_ids = a.races.loc[a.races["round"] == "heat", "race_id"]
    assert (first(a).loc[heat_ids] != first(b).loc[heat_ids]).any()


@pytest.mark.slow
def test_parameter_recovery_heat_win():
    """Heat winners drawn at exp(0.8) ~ 2.2 times the race's temperature: the variant finds
    the term (its 90% interval covers 0.8 and excludes 0), and on data without it, it finds
    nothing (the interval covers 0)."""
    settings = rm.SamplerSettings(draws=400, tune=400, chains=2)
    found = {}
    for truth_value in (0.8, None):
        data, _ = simulate_dataset(n_athletes=60, seasons=(2016, 2019), races_per_season=150,
                                   heat_win=truth_value, random_seed=2)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rm.ConvergenceWarning)
            fit = rm.fit(SPEC, data, settings, random_seed=1)
        found[truth_value] = fit.posterior["heat_win_noise"].quantile([0.05, 0.95]).to_numpy()
    lo, hi = found[0.8]
    assert lo <= 0.8 <= hi and lo > 0, found
    lo, hi = found[None]
    assert lo <= 0.0 <= hi, found
