"""Backtests and metrics: hand-checked scores, leakage, executors (process pool and Dask)."""

from __future__ import annotations

import concurrent.futures as cf
import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import rivalrymodel as rm
from rivalrymodel import evaluation
from rivalrymodel.evaluation import make_baseline
from rivalrymodel.evaluation.metrics import (
    bootstrap_mean,
    expected_calibration_error,
    reliability,
    score_race,
)
from rivalrymodel.forecasting.forecast import from_strengths
from rivalrymodel.models.synthetic import simulate_dataset


def _uniform(n=4):
    sl = rm.StartList(tuple("ABCD"[:n]), date="2024-01-01")
    info = pd.DataFrame({"athlete_id": list("ABCD"[:n]), "athlete": list("ABCD"[:n])})
    return from_strengths(np.zeros((1, n)), info, sl, sims=20000, rng=0)


def test_scores_of_a_uniform_forecast_match_hand_computation():
    fc = _uniform()
    s = score_race(fc, pd.Series({"A": 2.0, "B": 1.0, "C": 4.0, "D": 3.0}))
    assert s["log_loss"] == pytest.approx(np.log(4))
    assert s["brier"] == pytest.approx(0.75**2 + 3 / 16)
    assert s["pair_accuracy"] == 0.5 and s["pair_log_loss"] == pytest.approx(np.log(2))
    # RPS per runner: mean over k = 1..3 of (k/4 - 1[place <= k])^2, averaged over places 1..4.
    want = np.mean([np.mean([(k / 4 - (m <= k)) ** 2 for k in (1, 2, 3)]) for m in (1, 2, 3, 4)])
    assert s["rps"] == pytest.approx(want, abs=0.01)
    top3 = -(3 * np.log(0.75) + np.log(0.25)) / 4
    assert s["top3_log_loss"] == pytest.approx(top3)


def test_a_sharper_correct_forecast_scores_better_and_dnf_is_left_out():
    sl = rm.StartList(tuple("ABCD"), date="2024-01-01")
    info = pd.DataFrame({"athlete_id": list("ABCD"), "athlete": list("ABCD")})
    sharp = from_strengths(np.array([[3.0, 2.0, 1.0, 0.0]]), info, sl, rng=0)
    result = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": np.nan})  # D did not finish
    s, u = score_race(sharp, result), score_race(_uniform(), result)
    assert s["n_finishers"] == 3
    for m in ("log_loss", "brier", "rps", "top3_log_loss", "pair_log_loss"):
        assert s[m] < u[m], m
    assert s["pair_accuracy"] == 1.0
    with pytest.raises(ValueError, match="fewer than two finishers"):
        score_race(sharp, pd.Series({"A": 1.0}))


def test_calibration_tables_and_ece():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 20000)
    y = rng.uniform(0, 1, 20000) < p  # calibrated by construction
    assert expected_calibration_error(p, y) < 0.02
    assert expected_calibration_error(p, rng.uniform(0, 1, 20000) < p**2) > 0.1
    t = reliability(p, y)
    assert len(t) == 10 and t["n"].sum() == 20000
    assert ((t["observed_lo"] <= t["observed"]) & (t["observed"] <= t["observed_hi"])).all()
    # bins where nothing (or everything) happened: the bound is the observed 0 (1), not a
    # rounding error beyond it (which made the reliability plot fail)
    for k in range(1, 400):
        for y_all in (0.0, 1.0):
            e = reliability(np.full(k, 0.95), np.full(k, y_all)).iloc[0]
            assert e["observed_lo"] <= e["observed"] <= e["observed_hi"], (k, y_all)
    mean, lo, hi = bootstrap_mean(np.arange(100.0))
    assert lo < mean == 49.5 < hi


@pytest.fixture(scope="module")
def sim():
    data, _ = simulate_dataset(n_athletes=30, races_per_season=40, random_seed=11)
    races = data.races[data.races["date"] >= "2019-06-01"].head(6)
    targets = races.assign(set="sim")[["race_id", "date", "set", "event"]]
    return data, targets


def test_default_targets_are_the_championship_finals_and_diamond_league(bundled):
    t = evaluation.default_targets(bundled)
    finals = t[t["set"] == "championship_final"]
    assert len(finals) >= 15 and finals["season"].between(2021, 2025).all()
    assert "2021-08-07_1500m_final_2b47a3" in set(finals["race_id"])  # Tokyo 2020 Olympics
    dl = t[t["set"] == "dl"]
    assert len(dl) >= 20 and dl["season"].between(2024, 2025).all()


def _fake_fit(seen: rm.RaceData) -> rm.Fit:
    """A posterior over every athlete of ``seen``, ability 0, for testing the plumbing."""
    ids = seen.athletes["athlete_id"].to_numpy().astype(str)
    n, draws = len(ids), 20
    post = xr.Dataset(
        {"ability": (("chain", "draw", "cell"), np.zeros((1, draws, n)))},
        coords={"chain": [0], "draw": np.arange(draws), "cell": ids,
                "cell_athlete": ("cell", ids), "cell_season": ("cell", np.full(n, 2019)),
                "athlete": ids, "athlete_name": ("athlete", ids)},
    )  # fmt: skip
    tree = xr.DataTree.from_dict({"posterior": post})
    spec = rm.ModelSpec(dynamic=False, distance=False, pacing=False, injury=False)
    tree.attrs.update(spec=spec.to_json(), cutoff=f"{seen.cutoff:%Y-%m-%d}")
    tree.attrs.update(absences=json.dumps([]), athletes=json.dumps([]))
    return rm.Fit(tree)


class _Spy(rm.Forecaster):
    """A baseline that records the data it is fitted on."""

    def __init__(self, name, seen):
        self.name, self.seen = name, seen

    def fit(self, data):
        self.seen.setdefault(self.name, {})[data.cutoff] = data
        return make_baseline(self.name.removeprefix("spy_")).fit(data)


def test_no_target_race_later_result_or_later_absence_reaches_any_forecaster(sim, monkeypatch):
    """The model and every baseline see exactly data.as_of(origin), through one runner."""
    data, targets = sim
    seen = {}

    def fake_cached_fit(spec, data_seen, settings, **kwargs):
        seen.setdefault(spec.name, {})[data_seen.cutoff] = data_seen
        return _fake_fit(data_seen)

    monkeypatch.setattr("rivalrymodel.forecasting.forecaster.cached_fit", fake_cached_fit)
    models = [rm.ModelSpec(name="fake"), *(_Spy(f"spy_{b}", seen) for b in evaluation.BASELINES)]
    with cf.ThreadPoolExecutor(1) as ex:  # in-process, so the patched fit is used
        bt = evaluation.backtest(models, data, targets, refit="monthly", executor=ex,
                                 progress=False)  # fmt: skip
    assert len(bt.races) == len(targets) * len(models)
    assert set(seen) == {m.name for m in models}
    for _, row in bt.races.iterrows():
        got = seen[row["model"]][row["origin"]]
        assert row["origin"] <= row["date"]
        assert (got.races["date"] < row["origin"]).all()
        assert row["race_id"] not in set(got.races["race_id"])
        assert (got.absences["announced"] <= row["origin"]).all()
        assert got.fingerprint() == data.as_of(row["origin"]).fingerprint()
    assert set(bt.races["origin"]) == {d.replace(day=1) for d in pd.to_datetime(targets["date"])}


@pytest.mark.slow  # starts a local Dask cluster
def test_grid_on_a_process_pool_and_on_a_dask_cluster_agree(sim):
    from distributed import Client, LocalCluster

    data, targets = sim
    models = ["uniform", "elo", "openskill", "season_best"]
    with cf.ProcessPoolExecutor(2) as ex:
        local = evaluation.backtest(models, data, targets, executor=ex, progress=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None, processes=True) as cluster:  # fmt: skip
        with Client(cluster) as client:
            remote = evaluation.backtest(models, data, targets, executor=client.get_executor(),
                                         progress=False)  # fmt: skip
    pd.testing.assert_frame_equal(local.races, remote.races)
    summary = local.summary(reps=200)
    assert set(summary["model"]) == set(models)
    d = local.differences("uniform")
    assert set(d["model"]) == {"elo", "openskill", "season_best"}
    assert len(local.calibration("elo")) >= 2


def test_a_saved_backtest_loads_back_and_a_damaged_one_is_named(tmp_path):
    rng = np.random.default_rng(0)
    races = pd.DataFrame(
        {"model": ["m1", "m1", "m2"], "race_id": ["r1", "r2", "r1"],
         "date": pd.to_datetime(["2024-06-01"] * 3), "origin": pd.to_datetime(["2024-06-01"] * 3),
         "set": "open_race", "field_complete": [True, False, True],
         **{k: rng.random(3) for k in evaluation.METRICS}}
    )  # fmt: skip
    probs = pd.DataFrame({"model": ["m1", "m1", "m2"], "race_id": ["r1", "r2", "r1"],
                          "athlete_id": ["007", "1", "007"], "p_win": [0.5, 0.2, 0.4],
                          "won": [True, False, True], "p_podium": [0.9, 0.6, 0.8],
                          "podium": [True, True, True]})  # fmt: skip
    bt = evaluation.Backtest(races, probs, ["m1 @ 2024-06-01: max r_hat 1.020"])
    for compress in (False, True):
        back = evaluation.Backtest.load(bt.save(tmp_path / str(compress), compress=compress))
        assert back.notes == bt.notes  # a re-rendered report keeps the convergence notes
        pd.testing.assert_frame_equal(back.races, races, check_dtype=False)
        assert list(back.probabilities["athlete_id"]) == ["007", "1", "007"]  # ids stay text
        pd.testing.assert_frame_equal(back.summary(reps=50), bt.summary(reps=50))
    # combine: each (model, race) once, the first given
    other = evaluation.Backtest(races.assign(log_loss=9.0), probs.assign(p_win=0.0))
    extra = evaluation.Backtest(
        races.iloc[:1].assign(race_id="r3"), probs.iloc[:1].assign(race_id="r3")
    )
    extra.notes.append("m1 @ 2024-07-01: 3 divergences")
    both = bt.combine(other, extra)
    assert both.notes == ["m1 @ 2024-06-01: max r_hat 1.020", "m1 @ 2024-07-01: 3 divergences"]
    assert len(both.races) == 4 and len(both.probabilities) == 4
    assert not (both.races["log_loss"] == 9.0).any()
    assert set(both.races["race_id"]) == {"r1", "r2", "r3"}
    races.drop(columns="set").to_csv(tmp_path / "True" / "races.csv.gz", index=False)
    with pytest.raises(ValueError, match=r"races.csv.gz: missing column\(s\) \['set'\]"):
        evaluation.Backtest.load(tmp_path / "True")
    with pytest.raises(FileNotFoundError, match="no races.csv"):
        evaluation.Backtest.load(tmp_path / "nowhere")
