"""Peers (TTT, choix): the packages' own numbers, past-only tuning, the TTT arithmetic."""

from __future__ import annotations

import choix
import numpy as np
import pandas as pd
import pytest
import trueskillthroughtime as ttt

import rivalrymodel as rm
from rivalrymodel.evaluation.ratings.choix_pl import ChoixPlackettLuce
from rivalrymodel.evaluation.ratings.protocol import (
    day_number,
    performance_draws,
    rankings,
    win_probabilities,
)
from rivalrymodel.evaluation.ratings.ttt import TrueSkillThroughTime, p_ahead
from rivalrymodel.evaluation.ratings.tuning import tuning_split
from rivalrymodel.inference import CacheWarning
from tests.helpers import small_dataset

# Four races; A wins all, D appears once, R4 has a tie for second (B and C).
ROWS = [
    ("R1", "A", 1, "OK"), ("R1", "B", 2, "OK"), ("R1", "C", 3, "OK"),
    ("R2", "A", 1, "OK"), ("R2", "C", 3, "OK"), ("R2", "D", 2, "OK"), ("R2", "B", None, "DNF"),
    ("R3", "A", 1, "OK"), ("R3", "B", 2, "OK"),
    ("R4", "A", 1, "OK"), ("R4", "B", 2, "OK"), ("R4", "C", 2, "OK"),
]  # fmt: skip
DATES = {"R1": "2024-01-10", "R2": "2024-02-20", "R3": "2024-04-01", "R4": "2024-05-15"}


@pytest.fixture(scope="module")
def tiny():
    rows = [(r, a, "" if p is None else str(p), s) for r, a, p, s in ROWS]
    return small_dataset(rows, race_dates=DATES).as_of("2024-06-01")


def test_rankings_are_ok_finishers_in_place_order(tiny):
    got = [(r.race_id, r.athletes, r.places) for r in rankings(tiny)]
    assert got == [
        ("R1", ("A", "B", "C"), (1, 2, 3)),
        ("R2", ("A", "D", "C"), (1, 2, 3)),  # by place, not row; the DNF is not ranked
        ("R3", ("A", "B"), (1, 2)),
        ("R4", ("A", "B", "C"), (1, 2, 2)),
    ]


def test_ttt_skills_are_the_package_s_posteriors(tiny):
    engine = TrueSkillThroughTime(beta=1.0, gamma=0.02, iterations=10, epsilon=1e-6)
    ratings = engine.rate(tiny)
    # The same history typed by hand, straight into the package.
    h = ttt.History(
        composition=[[["A"], ["B"], ["C"]], [["A"], ["D"], ["C"]], [["A"], ["B"]],
                     [["A"], ["B"], ["C"]]],
        results=[[3, 2, 1], [3, 2, 1], [2, 1], [2, 1, 1]],
        times=[day_number(d) for d in DATES.values()],
        mu=0.0, sigma=6.0, beta=1.0, gamma=0.02, p_draw=engine.p_draw,
    )  # fmt: skip
    h.convergence(epsilon=1e-6, iterations=10, verbose=False)
    curves = h.learning_curves()
    day = "2024-06-01"
    mu, sigma = ratings.skills(["A", "B", "C", "D"], day)
    for i, a in enumerate("ABCD"):
        last_day, post = curves[a][-1]
        want = post.forget(0.02, day_number(day) - last_day)  # the package's own drift
        assert mu[i] == pytest.approx(want.mu, abs=1e-9)
        assert sigma[i] == pytest.approx(want.sigma, abs=1e-9)
    assert ratings.beta == 1.0
    # Tied runners of R4: the package's draw, so C is not ranked below B there.
    assert mu[0] == max(mu)


def test_choix_strengths_are_ilsr_rankings(tiny):
    ratings = ChoixPlackettLuce(alpha=0.01, window_days=None).rate(tiny)
    assert ratings.athlete_ids == ("A", "B", "C", "D")
    # A=0, B=1, C=2, D=3; the tie in R4 kept in row order (B before C).
    want = choix.ilsr_rankings(
        4, [[0, 1, 2], [0, 3, 2], [0, 1], [0, 1, 2]], alpha=0.01, max_iter=1000, tol=1e-8
    )
    np.testing.assert_allclose(ratings.strengths(["A", "B", "C", "D"]), want, atol=1e-12)


@pytest.mark.parametrize("engine", [TrueSkillThroughTime(iterations=5), ChoixPlackettLuce()])
def test_the_winner_of_all_races_ranks_first_and_unseen_is_nan(tiny, engine):
    ratings = engine.rate(tiny)
    ids = ["A", "B", "C", "D", "NEVER"]
    if isinstance(engine, TrueSkillThroughTime):
        v, sd = ratings.skills(ids, "2024-06-01")
        assert np.isnan(sd[-1]) and np.isfinite(sd[:-1]).all()
        p = ratings.law(ids, rm.StartList(ids, date="2024-06-01")).p_win()
        # The unseen runner has the package's prior skill, N(0, 6).
        prior = win_probabilities(np.r_[v[:-1], 0.0], np.r_[sd[:-1], 6.0], ratings.beta)
        np.testing.assert_allclose(p, prior, rtol=1e-12)
    else:
        v = ratings.strengths(ids)
        p = ratings.law(ids, rm.StartList(ids, date="2024-06-01")).p_win()
    assert np.isnan(v[-1]) and np.isfinite(v[:-1]).all()
    assert np.argmax(v[:-1]) == 0
    assert np.argmax(p) == 0 and p.sum() == pytest.approx(1.0)


def test_ttt_sigma_grows_with_the_days_since_the_last_race(tiny):
    ratings = TrueSkillThroughTime(gamma=0.05, iterations=5).rate(tiny)
    days = ["2024-05-15", "2024-06-01", "2024-09-01", "2025-06-01"]
    mus, sds = zip(*(ratings.skills(["A", "D"], d) for d in days), strict=True)
    sds = np.array(sds)
    assert (np.diff(sds, axis=0) > 0).all()  # both widen, every day
    np.testing.assert_array_equal(mus[0], mus[-1])  # the mean does not drift
    # sigma^2 grows by gamma^2 per day: D last raced on 2024-02-20.
    extra = day_number("2025-06-01") - day_number("2024-02-20")
    d_last = ratings.sigma[ratings.athlete_ids.index("D")]
    assert sds[-1, 1] ** 2 == pytest.approx(d_last**2 + extra * 0.05**2)


def test_exact_win_and_pairwise_probabilities_match_simulated_performances():
    mu, sigma, beta = np.array([1.0, 0.4, 0.0, -1.0]), np.array([0.3, 0.8, 0.5, 1.5]), 0.7
    p = win_probabilities(mu, sigma, beta)
    draws = performance_draws(mu, sigma, beta, rng=0, sims=200_000)
    assert draws.shape == (200_000, 4)
    sim = np.bincount(draws.argmax(axis=1), minlength=4) / len(draws)
    np.testing.assert_allclose(p, sim, atol=0.004)
    ahead = p_ahead(mu[0], sigma[0], mu[1], sigma[1], beta)
    assert ahead == pytest.approx((draws[:, 0] > draws[:, 1]).mean(), abs=0.004)
    # With two runners, the chance to win is the chance to be ahead.
    two = win_probabilities(mu[:2], sigma[:2], beta)
    assert two[0] == pytest.approx(ahead, abs=1e-6)


def _past_and_future(seed=0):
    """Races 2021-01..2025-05: A > B > C > D > E up to 2024-05, the reverse from 2024-06 on."""
    rng = np.random.default_rng(seed)
    rows, dates = [], {}
    for k, day in enumerate(pd.date_range("2021-01-05", "2025-05-31", freq="14D")):
        order = sorted(rng.choice(list("ABCDE"), size=3, replace=False))
        if day >= pd.Timestamp("2024-06-01"):
            order = order[::-1]
        rid = f"R{k:03d}"
        dates[rid] = f"{day:%Y-%m-%d}"
        rows += [(rid, a, str(place), "OK") for place, a in enumerate(order, start=1)]
    return small_dataset(rows, race_dates=dates)


@pytest.mark.parametrize(
    ("cls", "grid", "fixed"),
    [
        (ChoixPlackettLuce, {"alpha": [0.001, 3.0], "window_days": [730]}, {}),
        (TrueSkillThroughTime, {"gamma": [0.01], "beta": [0.3, 5.0]}, {"iterations": 2}),
    ],
)
def test_tuning_looks_only_before_the_cutoff(cls, grid, fixed):
    data = _past_and_future()
    now = data.as_of("2024-06-01")  # scored year 2023-06..2024-05: the order holds
    past, scored = tuning_split(now)
    assert past.cutoff == pd.Timestamp("2023-06-02")
    assert scored["date"].between("2023-06-02", "2024-05-31").all() and len(scored) == 26
    assert past.races["date"].max() < scored["date"].min()  # fits never see the scored year
    sharp = (0.001, 730) if cls is ChoixPlackettLuce else (0.01, 0.3)
    engine = cls(**fixed).tuned(now, grid)
    chosen = tuple(engine.tuning.index[engine.tuning.argmin()])
    assert chosen == sharp  # the least regularised fits an order that holds
    # A year later the scored year is the reversed one, and the choice flips: so the choice
    # at 2024-06-01 would have changed had the tuning seen the future.
    later = cls(**fixed).tuned(data.as_of("2025-06-01"), grid)
    smooth = tuple(later.tuning.index[later.tuning.argmin()])
    assert smooth != sharp
    # Tuned values are the engine's.
    if cls is ChoixPlackettLuce:
        assert (engine.alpha, engine.window_days) == sharp
    else:
        assert (engine.gamma, engine.beta) == sharp


def test_choix_window_keeps_the_last_days_and_regularisation_joins_separate_races():
    rows = [(r, a, "" if p is None else str(p), s) for r, a, p, s in ROWS]
    rows += [("R5", "X", "1", "OK"), ("R5", "Y", "2", "OK")]  # nobody X or Y ever met
    data = small_dataset(rows, race_dates={**DATES, "R5": "2024-05-20"}).as_of("2024-06-01")
    recent = ChoixPlackettLuce(alpha=0.01, window_days=50).rate(data)  # from 2024-04-12: R4, R5
    assert recent.athlete_ids == ("A", "B", "C", "X", "Y")
    want = choix.ilsr_rankings(5, [[0, 1, 2], [3, 4]], alpha=0.01, max_iter=1000, tol=1e-8)
    np.testing.assert_allclose(recent.strengths(["A", "B", "C", "X", "Y"]), want, atol=1e-12)
    assert np.isfinite(want).all() and want[3] > want[4]
    assert np.isnan(recent.strengths(["D"])[0])  # D raced only before the window
    with pytest.raises(ValueError, match="alpha must be > 0"):
        ChoixPlackettLuce(alpha=0.0)


def test_ttt_equal_places_are_a_draw():
    def fit(c_place):
        rows = [("R1", "A", "1", "OK"), ("R1", "B", "2", "OK"), ("R1", "C", c_place, "OK")]
        engine = TrueSkillThroughTime(iterations=5)
        return engine.rate(small_dataset(rows).as_of("2024-06-02")).skills("ABC", "2024-06-01")

    (mu, sigma), (mu3, _) = fit("2"), fit("3")
    # Equal up to the package's within-race message schedule (it stops at 1e-6 steps).
    assert mu[1] == pytest.approx(mu[2], abs=1e-4) and sigma[1] == pytest.approx(sigma[2], abs=1e-4)
    assert mu[0] > mu[1] and mu3[1] - mu3[2] > 0.5  # had C been third, B would be ahead


def test_a_season_s_tuning_is_kept_on_the_baseline_and_in_a_keyed_file(tmp_path):
    """One tuning per season's past: kept in the baseline's ``tunings`` and in a JSON file
    that a new baseline (another process) reads instead of tuning again; a damaged file is
    tuned again and rewritten; another season's past is another entry."""
    data = _past_and_future()
    grid = {"alpha": [0.001, 3.0], "window_days": [730]}
    b = ChoixPlackettLuce(grid=grid, cache_dir=tmp_path)
    first = b.season_tuned(data.as_of("2024-06-01"))  # tuned on data.as_of("2024-01-01")
    assert b.season_tuned(data.as_of("2024-03-01")) is first and len(b.tunings) == 1
    assert first.alpha == 0.001 and not first.tune
    (entry,) = (tmp_path / "tuning").glob("choix-*.json")
    # A new baseline reads the entry: edit its choice and the edit is what comes back.
    text = entry.read_text()
    entry.write_text(text.replace('"alpha": 0.001', '"alpha": 3.0', 1))
    read = ChoixPlackettLuce(grid=grid, cache_dir=tmp_path).season_tuned(data.as_of("2024-06-01"))
    assert read.alpha == 3.0
    pd.testing.assert_series_equal(read.tuning, first.tuning, check_names=False)
    entry.write_text("{")  # damaged: tuned again, and the entry rewritten
    with pytest.warns(CacheWarning, match="a damaged tuning entry"):
        again = ChoixPlackettLuce(grid=grid, cache_dir=tmp_path).season_tuned(
            data.as_of("2024-06-01")
        )
    assert again.alpha == 0.001 and entry.read_text() == text
    ChoixPlackettLuce(grid=grid, cache_dir=tmp_path).season_tuned(data.as_of("2025-06-01"))
    assert len(list((tmp_path / "tuning").glob("choix-*.json"))) == 2
    # Options other than the grid are part of the key.
    ChoixPlackettLuce(grid=grid, cache_dir=tmp_path, tol=1e-6).season_tuned(
        data.as_of("2024-06-01")
    )
    assert len(list((tmp_path / "tuning").glob("choix-*.json"))) == 3
