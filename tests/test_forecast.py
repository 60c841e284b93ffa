"""Forecasts from hand-built posterior draws: exact Plackett-Luce answers, sums, seeds, leakage."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.special import expit, softmax

import rivalrymodel as rm
from rivalrymodel.forecasting.forecast import CSV_COLUMNS, DATA_COLUMNS, from_strengths
from rivalrymodel.models.pl_law import pairwise_ahead, plackett_luce_places
from rivalrymodel.models.simulate import simulate_places
from tests.helpers import MEANS, forecast_tree


def exact_places(w: np.ndarray) -> np.ndarray:
    """P(runner i finishes in place m) by enumerating every finishing order: (runner, place)."""
    n = len(w)
    out = np.zeros((n, n))
    for perm in itertools.permutations(range(n)):
        p, left = 1.0, w.sum()
        for i in perm:
            p *= w[i] / left
            left -= w[i]
        for place, i in enumerate(perm):
            out[i, place] += p
    return out


def test_closed_form_places_match_enumeration():
    rng = np.random.default_rng(3)
    for n in (2, 3, 4, 6):
        v = rng.normal(0, 1.5, size=(5, n))
        got = plackett_luce_places(v)
        for d in range(5):
            want = exact_places(np.exp(v[d]))
            for m in range(min(3, n)):
                np.testing.assert_allclose(got[m, d], want[:, m], atol=1e-12)
        # P(i ahead of j) = w_i / (w_i + w_j) whoever else runs.
        w = np.exp(v[0])
        np.testing.assert_allclose(pairwise_ahead(v)[0], w[:, None] / (w[:, None] + w[None, :]))


def test_closed_form_places_stay_exact_in_a_cold_race():
    """Favourites far ahead (a race temperature near zero): 1 - p loses every digit, and the old
    remainders made third-place probabilities of 1e265."""
    got = plackett_luce_places(np.array([[40.0, 40.0, 0.0, 0.0, 0.0], [45.0, 0.0, 0.0, 1.0, -2.0]]))
    assert np.isfinite(got).all() and (got >= 0).all() and (got <= 1 + 1e-12).all()
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(got[:, 0], [[0.5, 0.5, 0, 0, 0], [0.5, 0.5, 0, 0, 0],
                                           [0, 0, 1 / 3, 1 / 3, 1 / 3]], atol=1e-12)  # fmt: skip
    # One runner certain to win: second and third are the others' first and second.
    rest = exact_places(np.exp([0.0, 0.0, 1.0, -2.0]))
    np.testing.assert_allclose(got[1:, 1, 1:], rest[:, :2].T, atol=1e-12)
    np.testing.assert_allclose(got[0, 1], [1, 0, 0, 0, 0], atol=1e-12)


def test_forecast_matches_exact_probabilities_within_monte_carlo_error():
    sl = rm.StartList(tuple(MEANS), date="2024-03-01", paced=True, round="final")
    # Per draw, the exact place distribution by enumeration; averaged over draws.
    sub = rm.forecast(rm.Fit(forecast_tree(MEANS, draws=200)), sl, top_k=4, sims=400, random_seed=1)
    exact = np.mean([exact_places(np.exp(row)) for row in sub.draws["utility"]], axis=0)
    t = sub.table.set_index("athlete_id").loc[list(MEANS)]
    np.testing.assert_allclose(t["p_win"], exact[:, 0], atol=1e-10)
    np.testing.assert_allclose(t["p_podium"], exact[:, :3].sum(1), atol=1e-10)
    np.testing.assert_allclose(t["expected_place"], exact @ np.arange(1, 6), atol=1e-10)
    # Top-4 is simulated: 200 draws x 400 races, standard error <= 0.5 / sqrt(80000) = 0.0018.
    np.testing.assert_allclose(t["p_top_k"], exact[:, :4].sum(1), atol=4 * 0.0018)
    # And the Gumbel-max simulator agrees with the closed form for the win.
    v = sub.draws["utility"]
    sims = simulate_places(np.repeat(v[:, None, :], 400, axis=1), np.ones(5, bool), 7)
    assert np.abs((sims == 1).mean((0, 1)) - exact[:, 0]).max() < 4 * 0.0018


def test_probabilities_sum_and_table_is_tidy():
    fit = rm.Fit(forecast_tree(MEANS))
    sl = rm.StartList(
        ("Runner C", "runner a", "B", "D", "E"), date="2024-06-01", advance=2, round="heat"
    )
    fc = rm.forecast(fit, sl, random_seed=0)
    d = fc.draws
    np.testing.assert_allclose(d["p_win"].sum(1), 1.0)
    np.testing.assert_allclose(d["p_podium"].sum(1), 3.0)
    np.testing.assert_allclose(d["p_top_k"].sum(1), 2.0)  # k from the start list's advance
    np.testing.assert_allclose(d["expected_place"].sum(1), 15.0)
    t = fc.table
    assert fc.k == 2 and list(t["athlete_id"]) == ["A", "B", "C", "D", "E"]  # sorted by p_win
    assert t["p_win"].is_monotonic_decreasing
    assert ((t["p_win_lo"] <= t["p_win"]) & (t["p_win"] <= t["p_win_hi"])).all()
    assert (t["p_win_hi"] - t["p_win_lo"] > 0.01).all()  # the posterior's uncertainty shows
    assert set(CSV_COLUMNS) - set(DATA_COLUMNS) <= set(t.columns)
    long = fc.draws_frame()
    assert len(long) == 5 * 1000 and set(long["athlete_id"]) == set(MEANS)
    assert "Runner A" in repr(fc)


def test_same_seed_same_numbers_and_the_seed_matters():
    fit = rm.Fit(forecast_tree(MEANS, sd=0.0))
    # Paced 1500m: the unpaced and distance terms drop out. A season later: random-walk steps.
    sl = rm.StartList(tuple(MEANS), date="2025-06-01", paced=True)
    a = rm.forecast(fit, sl, top_k=4, random_seed=5).table
    b = rm.forecast(fit, sl, top_k=4, random_seed=5).table
    c = rm.forecast(fit, sl, top_k=4, random_seed=6).table
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["p_top_k"], c["p_top_k"])
    assert (a["seasons_away"] == 1).all()
    # sd 0 within the season, so the whole interval width comes from the projected step.
    same = rm.StartList(tuple(MEANS), date="2024-06-01", paced=True)
    same_season = rm.forecast(fit, same, random_seed=5)
    assert (same_season.table["p_win_hi"] - same_season.table["p_win_lo"]).max() < 1e-9
    assert (a["p_win_hi"] - a["p_win_lo"]).min() > 0.05


def test_race_type_noise_flattens_probabilities():
    fit = rm.Fit(forecast_tree(MEANS))
    final = rm.forecast(
        fit, rm.StartList(tuple(MEANS), date="2024-06-01", paced=True), random_seed=0
    )
    heat = rm.forecast(
        fit, rm.StartList(tuple(MEANS), date="2024-06-01", paced=True, round="heat"), random_seed=0
    )
    # tau = exp(0.4) in a heat: the favourite's chance shrinks towards 1/5.
    assert 0.2 < heat.table["p_win"].iloc[0] < final.table["p_win"].iloc[0]


def test_a_race_temperature_is_drawn_per_draw_for_the_new_race_and_is_seeded():
    """A fit with race temperatures draws one per posterior draw for the new race: the
    probabilities move (a mean-zero log temperature sharpens some races more than it flattens
    others), every interval widens, and the seed fixes the draws. A fit without (every older
    one) forecasts exactly as before: no random number is used."""
    tree = forecast_tree(MEANS)
    hot_tree = forecast_tree(MEANS)
    post = hot_tree["posterior"].to_dataset()
    post["temperature_sd"] = (("chain", "draw"), np.full((1, post.sizes["draw"]), 0.8))
    hot_tree["posterior"] = xr.DataTree(post)
    hot = rm.Fit(hot_tree)
    sl = rm.StartList(tuple(MEANS), date="2024-06-01", paced=True)
    base = rm.forecast(rm.Fit(tree), sl, random_seed=0).table.set_index("athlete_id")
    a = rm.forecast(hot, sl, random_seed=0).table.set_index("athlete_id")
    b = rm.forecast(hot, sl, random_seed=0).table.set_index("athlete_id")
    c = rm.forecast(hot, sl, random_seed=1).table.set_index("athlete_id")
    assert a["p_win"].sum() == pytest.approx(1.0)
    assert abs(a.loc["A", "p_win"] - base.loc["A", "p_win"]) > 0.01
    assert ((a["p_win_hi"] - a["p_win_lo"]) > (base["p_win_hi"] - base["p_win_lo"])).all()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["p_win"], c["p_win"])
    same = rm.forecast(rm.Fit(tree), sl, random_seed=5).table.set_index("athlete_id")
    pd.testing.assert_series_equal(same["p_win"], base["p_win"])
    h2h = rm.head_to_head(hot, "A", "E", date="2024-06-01", paced=True)["p_a_ahead"].iloc[0]
    plain = rm.head_to_head(rm.Fit(tree), "A", "E", date="2024-06-01", paced=True)
    assert 0.5 < h2h < 1 and h2h != pytest.approx(plain["p_a_ahead"].iloc[0], abs=1e-3)


def test_forecast_refuses_a_fit_that_saw_the_race():
    fit = rm.Fit(forecast_tree(MEANS, cutoff="2025-01-01"))
    late = rm.StartList(tuple(MEANS), date="2024-12-31")
    with pytest.raises(ValueError, match=r"as_of\(2024-12-31\)"):
        rm.forecast(fit, late)
    with pytest.raises(ValueError, match=r"as_of\(2024-12-31\)"):
        rm.simulate_championship(fit, [late], [])


def test_injury_counts_only_absences_announced_by_the_race_day():
    absence = {
        "athlete_id": "A",
        "start": "2024-03-01",
        "returned": None,  # no race since: the forecast race is the return
        "announced": "2025-04-01",
    }
    fit = rm.Fit(forecast_tree(MEANS, absences=[absence]))
    before = rm.forecast(fit, rm.StartList(tuple(MEANS), date="2025-03-20"), random_seed=0)
    after = rm.forecast(fit, rm.StartList(tuple(MEANS), date="2025-04-10"), random_seed=0)
    off = rm.forecast(
        fit, rm.StartList(tuple(MEANS), date="2025-04-10"), injury=False, random_seed=0
    )
    a_before = before.table.set_index("athlete_id").loc["A"]
    a_after = after.table.set_index("athlete_id").loc["A"]
    assert a_before["injury"] == 0.0  # not announced yet
    # Returning today from 40 days out: injury_mean -1, no decay yet.
    assert a_after["injury"] == pytest.approx(-1.0)
    assert a_after["p_win"] < off.table.set_index("athlete_id").loc["A", "p_win"]
    # A return 60 days before the race: the effect has decayed by e.
    back = dict(absence, returned="2025-02-01", start="2025-01-10", announced="2025-01-15")
    fit = rm.Fit(forecast_tree(MEANS, absences=[back]))
    fc = rm.forecast(fit, rm.StartList(tuple(MEANS), date="2025-04-02"), random_seed=0)
    assert fc.table.set_index("athlete_id").loc["A", "injury"] == pytest.approx(-np.exp(-1))


def test_unknown_and_ambiguous_names_give_helpful_errors():
    fit = rm.Fit(forecast_tree(MEANS))
    with pytest.raises(rm.UnknownAthleteError, match=r"close matches: Runner A \(id A\)"):
        rm.forecast(fit, rm.StartList(("Runer A", "B"), date="2024-06-01"))
    with pytest.raises(rm.UnknownAthleteError, match="no close match"):
        rm.forecast(fit, rm.StartList(("Zzyzx Qwerty", "B"), date="2024-06-01"))
    with pytest.raises(ValueError, match="listed twice"):
        rm.StartList(("A", "A"), date="2024-06-01")


def test_an_athlete_without_results_gets_the_population_draws():
    fit = rm.Fit(forecast_tree(MEANS))
    fc = rm.forecast(
        fit, rm.StartList(("Nova Newcomer", "A", "E"), date="2024-06-01"), random_seed=0
    )
    new = fc.table.set_index("athlete_id").loc["NEW"]
    assert not new["known"] and new["seasons_away"] == -1
    assert 0.05 < new["p_win"] < fc.table.set_index("athlete_id").loc["A", "p_win"]
    assert new["p_win_hi"] - new["p_win_lo"] > 0.4  # ability sd 1: very uncertain


def test_head_to_head_is_exact_and_consistent():
    fit = rm.Fit(forecast_tree(MEANS))
    ab = rm.head_to_head(fit, "A", "B", date="2024-06-01", paced=True)
    ba = rm.head_to_head(fit, "B", "A", date="2024-06-01", paced=True)
    assert ab["p_a_ahead"].iloc[0] + ba["p_a_ahead"].iloc[0] == pytest.approx(1.0)
    fc = rm.forecast(fit, rm.StartList(tuple(MEANS), date="2024-06-01", paced=True), random_seed=0)
    i, j = fc.athlete_ids.index("A"), fc.athlete_ids.index("B")
    v = fc.draws["utility"]
    assert ab["p_a_ahead"].iloc[0] == pytest.approx(expit(v[:, i] - v[:, j]).mean(), abs=0.01)
    assert ab["p_a_ahead_lo"].iloc[0] < ab["p_a_ahead"].iloc[0] < ab["p_a_ahead_hi"].iloc[0]
    r = rm.rivalry(fit, "A", "B", ["2024-06-01", "2024-06-01"], random_seed=0)
    assert len(r) == 4 and set(r["paced"]) == {True, False}


def test_times_family_forecast_sums_and_orders():
    fit = rm.Fit(forecast_tree(MEANS, family="times"))
    fc = rm.forecast(fit, rm.StartList(tuple(MEANS), date="2024-06-01"), random_seed=0)
    np.testing.assert_allclose(fc.draws["p_win"].sum(1), 1.0)
    np.testing.assert_allclose(fc.draws["p_podium"].sum(1), 3.0)
    assert list(fc.table["athlete_id"][:2]) == ["A", "B"]
    h = rm.head_to_head(fit, "A", "E", date="2024-06-01", random_seed=0)
    assert h["p_a_ahead"].iloc[0] > 0.6


def test_championship_where_everyone_advances_equals_the_final_forecast():
    fit = rm.Fit(forecast_tree(MEANS))
    heats = [
        rm.StartList(("A", "C", "E"), date="2024-06-01", round="heat"),
        rm.StartList(("B", "D"), date="2024-06-01", round="heat"),
    ]
    out = rm.simulate_championship(fit, heats, [rm.Qualify(3)], sims=50, random_seed=0)
    assert (out["p_final"] == 1.0).all()
    exact = rm.forecast(fit, rm.StartList(tuple(MEANS), date="2024-06-01"), random_seed=0).table
    got = out.set_index("athlete_id")["p_win"]
    want = exact.set_index("athlete_id")["p_win"]
    # 1,000 draws x 50 championships: standard error <= 0.0023.
    np.testing.assert_allclose(got.loc[list(MEANS)], want.loc[list(MEANS)], atol=0.01)
    np.testing.assert_allclose(out["p_medal"].sum(), 3.0)


def test_championship_rounds_respect_the_qualifying_rules():
    means = {f"R{i:02d}": 2.0 - 0.25 * i for i in range(12)}
    fit = rm.Fit(forecast_tree(means))
    ids = list(means)
    heats = [
        rm.StartList(tuple(ids[h::3]), date="2024-06-01", round="heat") for h in range(3)
    ]  # three heats of 4
    rules = [rm.Qualify(2, 2, next_sections=2), rm.Qualify(2, 0)]  # 8 to two semis, 4 to final
    out = rm.simulate_championship(fit, heats, rules, sims=20, random_seed=1)
    assert list(out.columns[:3]) == ["athlete_id", "athlete", "heat"]
    assert out["p_semi"].sum() == pytest.approx(8.0)
    assert out["p_final"].sum() == pytest.approx(4.0)
    assert out["p_win"].sum() == pytest.approx(1.0)
    assert out["p_medal"].sum() == pytest.approx(3.0)
    assert (out["p_final"] <= out["p_semi"] + 1e-12).all()
    assert out["athlete_id"].iloc[0] == "R00"
    again = rm.simulate_championship(fit, heats, rules, sims=20, random_seed=1)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(ValueError, match="must lead to a final"):
        rm.simulate_championship(fit, heats, [rm.Qualify(2, 0, next_sections=2)])


def test_championship_times_family_uses_fastest_losers():
    means = {f"R{i:02d}": 2.0 - 0.25 * i for i in range(8)}
    fit = rm.Fit(forecast_tree(means, family="times"))
    ids = list(means)
    heats = [rm.StartList(tuple(ids[h::2]), date="2024-06-01", round="heat") for h in range(2)]
    out = rm.simulate_championship(fit, heats, [rm.Qualify(1, 2)], sims=20, random_seed=0)
    assert out["p_final"].sum() == pytest.approx(4.0)
    assert out["p_win"].sum() == pytest.approx(1.0)


def test_start_list_from_a_bundled_race_leaves_out_dns_and_pacers(bundled):
    data = bundled
    res = data.results
    race = res.loc[res["status"].isin(["DNS", "PACER"]), "race_id"]
    if race.empty:  # the build drops DNS; pacers are kept with their own status
        pytest.fail("expected a race with a pacer in the bundled data")
    rid = race.iloc[0]
    sl = rm.StartList.from_race(data, rid)
    rows = res[res["race_id"] == rid]
    assert set(sl.athletes) == set(rows.loc[rows["status"].isin(["OK", "DNF", "DQ"]), "athlete_id"])
    assert sl.athletes[0] == rows.sort_values("place")["athlete_id"].iloc[0]


def test_a_fit_as_of_a_date_carries_only_absences_known_then(bundled):
    """Real data: the fit's absence table (what forecasts use) is leakage-free."""
    from rivalrymodel.inference import forecast_attrs

    data = bundled
    day = pd.Timestamp("2025-09-13")
    table = pd.DataFrame(json.loads(forecast_attrs(data.as_of(day))["absences"]))
    full = pd.DataFrame(json.loads(forecast_attrs(data)["absences"]))
    assert len(table) < len(full)  # some absences were announced later
    assert (pd.to_datetime(table["announced"]) <= day).all()
    returned = pd.to_datetime(table["returned"])
    assert (returned.dropna() < day).all()  # no return race on or after the cutoff
    # Ingebrigtsen's 2025 Achilles layoff: on 13 September his return (the Tokyo heat on the
    # 14th) was still to come, so a forecast treats the race it forecasts as the return.
    jakob = table[(table["athlete_id"] == "14653717") & (table["start"] >= "2025-01-01")]
    assert len(jakob) == 1 and jakob["returned"].isna().all()
    later = full[(full["athlete_id"] == "14653717") & (full["start"] >= "2025-01-01")]
    assert pd.to_datetime(later["returned"]).iloc[0] == pd.Timestamp("2025-09-14")


def test_place_distribution_and_pairwise_tables():
    fit = rm.Fit(forecast_tree(MEANS, draws=200))
    sl = rm.StartList(tuple(MEANS), date="2024-03-01", paced=True)
    fc = rm.forecast(fit, sl, sims=400, random_seed=2)
    np.testing.assert_allclose(fc.place_probs.sum(axis=0), 1.0)
    np.testing.assert_allclose(fc.place_probs.sum(axis=1), 1.0)
    exact = np.mean([exact_places(np.exp(row)) for row in fc.draws["utility"]], axis=0)
    np.testing.assert_allclose(fc.place_probs, exact, atol=4 * 0.5 / np.sqrt(200 * 400))
    np.testing.assert_allclose(fc.pairwise + fc.pairwise.T, 1.0)
    v = fc.draws["utility"]
    np.testing.assert_allclose(fc.pairwise[0, 1], expit(v[:, 0] - v[:, 1]).mean())
    # A point forecast (one "draw"), as the baselines make: intervals collapse to the point.
    info = pd.DataFrame({"athlete_id": list(MEANS), "athlete": list(MEANS)})
    point = from_strengths(np.array([list(MEANS.values())]), info, sl, rng=0)
    t = point.table
    assert (t["p_win"] == t["p_win_lo"]).all() and (t["p_win"] == t["p_win_hi"]).all()
    np.testing.assert_allclose(t["p_win"], softmax(list(MEANS.values())))
