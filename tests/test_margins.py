"""The margins family: rankings where only the order counts, times where the race was paced."""

from __future__ import annotations

import numpy as np
import pytest

import rivalrymodel as rm
from rivalrymodel.models import build_design, build_model
from rivalrymodel.models.design import SLOT_FINISH
from rivalrymodel.models.margins import ranked_races, timed_rows
from rivalrymodel.models.synthetic import simulate_dataset


@pytest.fixture(scope="module")
def small():
    data, truth = simulate_dataset(
        n_athletes=20, seasons=(2018, 2019), races_per_season=30, margin_scale=0.004,
        random_seed=5,
    )  # fmt: skip
    return data, truth


def test_each_race_is_read_once_as_times_or_as_a_ranking(small):
    data, _ = small
    design = build_design(data, rm.variants()["margins"])
    rows, ranked = timed_rows(design), ranked_races(design)
    timed = np.unique(design.obs_race[rows])
    assert len(timed) and len(ranked)
    assert np.intersect1d(timed, ranked).size == 0
    assert len(timed) + len(ranked) == design.n_races
    paced = design.race_noise_x[:, 2] == 0
    assert paced[timed].all() and not paced[ranked].all()
    # A timed race brings every finisher, each with a time.
    finishers = design.slots[design.slot_kind == SLOT_FINISH]
    in_timed = finishers[np.isin(design.obs_race[finishers], timed)]
    assert np.array_equal(np.sort(in_timed), rows)
    assert np.isfinite(design.obs_log_time[rows]).all()


def test_a_paced_race_with_an_untimed_finisher_stays_a_ranking(small):
    data, _ = small
    paced = data.races.loc[data.races["paced"], "race_id"]
    rid = paced.iloc[0]
    res = data.results.copy()
    res.loc[res.index[res["race_id"].eq(rid)][-1], "time_s"] = np.nan
    data2 = rm.RaceData(data.athletes, data.races, res, data.absences)
    design = build_design(data2, rm.variants()["margins"])
    r = int(np.flatnonzero(design.race_ids == rid)[0])
    assert r in ranked_races(design)
    assert r not in design.obs_race[timed_rows(design)]


def test_margins_model_is_the_rankings_of_some_races_plus_the_times_of_the_rest(small):
    data, _ = small
    model, design = build_model(data, rm.variants()["margins"])
    names = {v.name for v in model.free_RVs}
    assert {"margin_scale", "race_pace", "event_pace", "time_nu"} <= names
    assert "time_sd" not in names  # the noise is the rankings', in utility units
    ranked = ranked_races(design)
    assert list(model.coords["ranked_race"]) == list(design.race_ids[ranked])
    point = model.initial_point()
    logp = model.compile_logp(vars=[model["finish_order"]], sum=False)(point)[0]
    full, _ = build_model(data, rm.variants()["default"])
    shared = {k: v for k, v in point.items() if k in full.initial_point()}
    every = full.compile_logp(vars=[full["finish_order"]], sum=False)(shared)[0]
    np.testing.assert_allclose(logp, every[ranked])


def test_simulated_margins_follow_the_finishing_order(small):
    data, truth = small
    assert truth["margin_scale"] == 0.004
    res = data.results.merge(data.races[["race_id", "event"]], on="race_id")
    for _, race in res.groupby("race_id"):
        t = race.sort_values("place")["time_s"].to_numpy()
        assert (np.diff(t) >= 0).all()
