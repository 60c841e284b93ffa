"""Baselines: same Forecast as the model, only the past, and their rating arithmetic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rivalrymodel as rm
from rivalrymodel.evaluation import BASELINES, make_baseline
from rivalrymodel.evaluation.ratings.elo import Elo
from rivalrymodel.forecasting.forecast import CSV_COLUMNS, DATA_COLUMNS
from rivalrymodel.models.synthetic import simulate_dataset


@pytest.fixture(scope="module")
def sim():
    data, truth = simulate_dataset(n_athletes=30, races_per_season=60, random_seed=5)
    return data, truth


def _fitted(name, data, date):
    """A baseline fitted, as every forecaster is, on the data as of the race date."""
    return make_baseline(name).fit(data.as_of(date))


def _start(data, date, n=8, seed=0):
    ids = np.random.default_rng(seed).choice(data.athletes["athlete_id"], n, replace=False)
    return rm.StartList(tuple(ids), date=date, paced=True)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baseline_forecast_is_a_point_forecast_of_the_same_shape(sim, name):
    data, _ = sim
    fc = _fitted(name, data, "2019-06-01").forecast(_start(data, "2019-06-01"))
    t = fc.table
    assert set(CSV_COLUMNS) - set(DATA_COLUMNS) <= set(t.columns)
    assert t["p_win"].sum() == pytest.approx(1.0) and t["p_podium"].sum() == pytest.approx(3.0)
    assert (t["p_win_lo"] == t["p_win"]).all() and (t["p_win_hi"] == t["p_win"]).all()
    assert fc.pairwise.shape == (8, 8) and fc.place_probs.shape == (8, 8)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baselines_use_only_the_data_they_are_fitted_on(sim, name):
    """Fitted on data.as_of(D), nothing after D reaches a baseline: reversing the order of
    every later race changes no forecast, and a rating fitted on all the data does differ."""
    data, _ = sim
    sl = _start(data, "2018-07-01", seed=1)
    res = data.results
    later = res["race_id"].isin(data.races.loc[data.races["date"] >= sl.date, "race_id"])
    n = res.groupby("race_id")["place"].transform("max")
    flipped = res.assign(
        place=res["place"].where(~later, n + 1 - res["place"]),
        time_s=res["time_s"].where(~later),
    )
    other = rm.RaceData(data.athletes, data.races, flipped, data.absences)
    past = _fitted(name, data, sl.date).forecast(sl).table
    pd.testing.assert_frame_equal(past, _fitted(name, other, sl.date).forecast(sl).table)
    if name in ("elo", "openskill"):  # the others look only at the year before the race
        whole = make_baseline(name).fit(data).forecast(sl).table
        assert not np.allclose(whole["p_win"], past["p_win"])


def test_informative_baselines_beat_uniform_on_simulated_races(sim):
    """On races drawn from the model, every rating baseline puts the winner above 1/n."""
    data, _ = sim
    races = data.races[data.races["date"] >= "2019-01-01"].head(40)
    res = data.results
    for name in ("season_best", "elo", "openskill"):
        b = make_baseline(name).fit(data.as_of("2019-01-01"))
        losses = []
        for rid in races["race_id"]:
            sl = rm.StartList.from_race(data, rid)
            winner = res[(res["race_id"] == rid) & (res["place"] == 1)]["athlete_id"].iloc[0]
            p = b.forecast(sl).table.set_index("athlete_id")["p_win"][winner]
            n = len(sl.athletes)
            losses.append(-np.log(p) + np.log(1.0 / n))
        assert np.mean(losses) < 0, name  # lower log loss than uniform


def test_elo_arithmetic_on_a_two_runner_race():
    b, rating = Elo(), {}
    b.update(rating, ["A", "B"])  # A ahead of B, both new at 1500: expected 0.5 each
    assert rating == {"A": pytest.approx(1516.0), "B": pytest.approx(1484.0)}
    b.update(rating, ["A", "B", "C"])
    # Three runners: K/(n-1) = 16 per pair; C new at 1500.
    e_ab = 1 / (1 + 10 ** ((1484 - 1516) / 400))
    e_ac = 1 / (1 + 10 ** ((1500 - 1516) / 400))
    assert rating["A"] == pytest.approx(1516 + 16 * ((1 - e_ab) + (1 - e_ac)))


def test_openskill_strengths_reproduce_its_win_probabilities(sim):
    data, _ = sim
    sl = _start(data, "2020-01-01", seed=3)
    b = _fitted("openskill", data, sl.date)
    fc = b.forecast(sl)
    teams = [[b.ratings.by_athlete[a]] for a in fc.athlete_ids]
    want = np.array(b.ratings.model.predict_win(teams))
    got = fc.table.set_index("athlete_id").loc[list(fc.athlete_ids), "p_win"].to_numpy()
    np.testing.assert_allclose(got, want / want.sum(), rtol=1e-9)


def test_season_best_converts_distances_and_fits_a_temperature(sim):
    data, _ = sim
    sl = _start(data, "2019-06-01", seed=4)
    b = _fitted("season_best", data, sl.date)
    t = b.ratings.temperature(2019)
    assert 0.05 < t < 20
    best = b.ratings.best(list(sl.athletes), sl.date)
    p = b.forecast(sl).table.set_index("athlete_id").loc[list(sl.athletes), "p_win"]
    known = np.isfinite(best)
    order_time = np.argsort(best[known])
    order_p = np.argsort(-p.to_numpy()[known])
    assert list(order_time) == list(order_p)  # the faster season's best, the likelier win


def test_baselines_resolve_names_like_the_model(sim):
    data, _ = sim
    b = _fitted("elo", data, "2019-06-01")
    named = rm.StartList(("sim runner s001", "S002"), date="2019-06-01")
    by_name = b.forecast(named).table
    assert set(by_name["athlete_id"]) == {"S001", "S002"}
    by_id = b.ratings.law(["S001", "S002"], named).strengths
    np.testing.assert_array_equal(b.law(named).strengths, by_id)  # the law, names resolved
    with pytest.raises(rm.UnknownAthleteError, match=r"close matches: Sim Runner S001"):
        b.forecast(rm.StartList(("Sim Runer S001", "S002"), date="2019-06-01"))
    with pytest.raises(rm.UnknownAthleteError, match=r"same athlete \(id S001\)"):
        b.forecast(rm.StartList(("sim runner s001", "S001"), date="2019-06-01"))


@pytest.mark.parametrize("name", ["elo", "ttt"])
def test_a_baseline_honours_its_seed(sim, name):
    """The Monte-Carlo parts of a forecast (the place table; for TTT, the podium too) follow
    the seed: the same seed, the same numbers; another seed, other draws. The exact parts
    (the win probabilities) do not depend on it."""
    data, _ = sim
    sl = _start(data, "2019-06-01", seed=6)
    fitted = make_baseline(name, **({"tune": False} if name == "ttt" else {})).fit(
        data.as_of(sl.date)
    )
    a, again, other = (fitted.forecast(sl, random_seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.place_probs, again.place_probs)
    pd.testing.assert_frame_equal(a.table, again.table)
    assert not np.array_equal(a.place_probs, other.place_probs)
    np.testing.assert_allclose(a.table["p_win"], other.table["p_win"], rtol=1e-12)
    if name == "ttt":
        assert not np.array_equal(a.table["p_podium"], other.table["p_podium"])


def test_make_baseline_takes_the_baseline_s_options_and_names_a_wrong_one():
    assert make_baseline("elo", k=16.0).k == 16.0
    assert make_baseline("choix", alpha=0.01, tune=False).alpha == 0.01
    with pytest.raises(rm.InputError, match=r"baseline 'elo': .*'alpha'"):
        make_baseline("elo", alpha=0.01)
    with pytest.raises(rm.InputError, match="unknown baseline 'glicko'; choose from uniform"):
        make_baseline("glicko")


def test_the_baseline_of_docs_model_md_runs_as_written(sim):
    """The "A baseline" example of docs/model.md, executed as written: its forecast is the
    Plackett-Luce law it states (P(win) proportional to 1 + wins before the race)."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "model.md").read_text()
    block = text.split("**A baseline**")[1].split("```python\n")[1].split("```")[0]
    namespace: dict = {}
    exec(block, namespace)  # the repository's own documentation
    data, _ = sim
    sl = _start(data, "2019-06-01", seed=7)
    seen = data.as_of(sl.date)
    fc = namespace["MostWins"]().fit(seen).forecast(sl)
    res = seen.results[seen.results["status"].eq("OK") & seen.results["place"].notna()]
    ranked = res.groupby("race_id")["athlete_id"].transform("size") >= 2
    wins = res[ranked & res["place"].eq(1)]["athlete_id"].value_counts()
    w = 1.0 + wins.reindex(list(fc.athlete_ids), fill_value=0).to_numpy(float)
    got = fc.table.set_index("athlete_id").loc[list(fc.athlete_ids), "p_win"].to_numpy()
    np.testing.assert_allclose(got, w / w.sum(), rtol=1e-9)
