"""The yardstick's sets that show where it matters: their target rules, their origins, the
matching of forecasts to targets by origin, the top bins' band and the sets report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rivalrymodel.evaluation import METRICS, SETS, Backtest, backtest, yardstick_targets
from rivalrymodel.evaluation.metrics import top_bins
from rivalrymodel.evaluation.targets import EXTRA_SETS
from rivalrymodel.models.synthetic import simulate_dataset
from rivalrymodel.report import sets_report


@pytest.fixture(scope="module")
def every(bundled):
    return yardstick_targets(bundled, sets=SETS + EXTRA_SETS)


def test_global_championship_is_every_olympic_and_world_race_from_2017(bundled, every):
    g = every[every["set"].eq("global_championship")]
    assert set(g["championship_id"]) == {"WCH2017", "WCH2019", "OG2020", "WCH2022", "WCH2023",
                                         "OG2024", "WCH2025"}  # fmt: skip
    assert g["round"].eq("final").sum() == 14 and g["round"].ne("final").sum() >= 50
    # Every OG/WCH race from 2017 with a winner and three finishers, and only those.
    r = bundled.races[bundled.races["championship_id"].fillna("").str.match(r"^(OG|WCH)\d{4}$")]
    r = r[r["season"].ge(2017)]
    thin = {"2017-08-10_1500m_heat2_bb7263"}  # two known finishers
    assert set(g["race_id"]) == set(r["race_id"]) - thin
    # Same origins as the yardstick's championship races: from the event's first round.
    base = every[every["set"].isin(SETS)].set_index("race_id")["origin"]
    both = g[g["race_id"].isin(base.index)]
    assert len(both) == 49 and (both["origin"].to_numpy() == base[both["race_id"]].to_numpy()).all()
    london = g[g["race_id"].eq("2017-08-13_1500m_final_635397")]
    assert london["origin"].iloc[0] == pd.Timestamp("2017-08-10")


def test_preseason_forecasts_every_target_from_the_first_of_january(every):
    pre = every[every["set"].eq("preseason")]
    base = every[every["set"].isin([*SETS, "season_2026"])]  # the holdout season's too
    assert sorted(pre["race_id"]) == sorted(base["race_id"])
    assert (pre["origin"] == pd.to_datetime(pre["season"].astype(str) + "-01-01")).all()
    assert pre.loc[pre["season"].le(2025), "origin"].nunique() == 5  # a fit per season
    # Tokyo 2020 ran in 2021: its season's origin, not its name's year.
    og = pre[pre["championship_id"].eq("OG2020")]
    assert (og["origin"] == pd.Timestamp("2021-01-01")).all()


def test_in_championship_sees_the_rounds_before_each_final(bundled, every):
    inc = every[every["set"].eq("in_championship")]
    late = every["set"].eq("season_2026") & every["round"].eq("final")
    finals = every[every["set"].eq("championship_final") | late & every["championship_id"].ne("")]
    assert sorted(inc["race_id"]) == sorted(finals["race_id"])
    assert (inc["origin"] == inc["date"]).all()
    paris = inc[inc["race_id"].eq("2024-08-06_1500m_final_c165bd")].iloc[0]
    seen = bundled.as_of(paris["origin"])
    r = bundled.races
    rounds = r[r["championship_id"].eq("OG2024") & r["event"].eq("1500m") & r["round"].ne("final")]
    assert len(rounds) == 7 and set(rounds["race_id"]) <= set(seen.races["race_id"])
    assert paris["race_id"] not in set(seen.races["race_id"])  # never the final itself


def test_season_2026_and_the_holdout_parts_on_a_synthetic_2026():
    sim, _ = simulate_dataset(n_athletes=30, seasons=(2024, 2026), races_per_season=30,
                              random_seed=3)  # fmt: skip
    t = yardstick_targets(sim, sets=SETS + EXTRA_SETS, seasons=(2024, 2025),
                          invitational_seasons=(2024, 2025))  # fmt: skip
    late = t[t["set"].eq("season_2026")]
    assert len(late) >= 5 and late["season"].eq(2026).all()
    assert (late["origin"] == late["date"].map(lambda d: d.replace(day=1))).all()
    assert not t.loc[t["set"].isin(SETS), "season"].eq(2026).any()  # never in `all`
    pre = t[t["set"].eq("preseason")]
    assert set(late["race_id"]) <= set(pre["race_id"])
    assert (pre.loc[pre["season"].eq(2026), "origin"] == pd.Timestamp("2026-01-01")).all()
    with pytest.raises(ValueError, match="unknown target set"):
        yardstick_targets(sim, sets=["preseasons"])


def test_a_backtest_runs_one_origin_per_race(every, bundled):
    two = every[every["race_id"].eq("2024-08-06_1500m_final_c165bd")]
    with pytest.raises(ValueError, match="two origins"):
        backtest(["uniform"], bundled, two, progress=False)
    same = two[two["set"].isin(["championship_final", "global_championship"])]
    bt = backtest(["uniform"], bundled, same, executor=_Inline(), progress=False)
    assert sorted(bt.races["set"]) == ["championship_final", "global_championship"]
    assert bt.summary(reps=10).set_index("set").loc["all", "races"] == 1  # pooled once


class _Inline:
    """An executor that runs each job at once (no processes) for a small backtest."""

    def submit(self, fn, *args):
        import concurrent.futures as cf

        fut = cf.Future()
        fut.set_result(fn(*args))
        return fut


def _run(model, origin, losses, won_p=0.5):
    races = pd.DataFrame([
        {"model": model, "race_id": f"r{i}", "origin": pd.Timestamp(origin), "set": "open_race",
         "date": pd.Timestamp("2024-06-01"), "field_complete": True, "log_loss": x,
         **{k: 0.0 for k in METRICS if k != "log_loss"}}
        for i, x in enumerate(losses)
    ])  # fmt: skip
    probs = races[["model", "race_id"]].assign(
        athlete_id="a", p_win=won_p, won=True, p_podium=1.0, podium=True
    )
    return Backtest(races, probs)


def _targets(origin, sets=("open_race",), n=4):
    return pd.DataFrame([
        {"race_id": f"r{i}", "origin": pd.Timestamp(origin), "set": s, "season": 2024,
         "round": "final", "championship_id": "", "date": pd.Timestamp("2024-06-01")}
        for s in sets for i in range(n)
    ])  # fmt: skip


def test_a_forecast_counts_only_for_the_targets_of_its_origin():
    run = _run("a", "2024-06-01", [1.0, 1.1, 1.2, 1.3])
    t = pd.concat([_targets("2024-06-01"), _targets("2024-01-01", ("preseason",))])
    got = run.for_targets(t)
    assert set(got.races["set"]) == {"open_race"} and len(got.races) == 4
    assert set(got.probabilities["set"]) == {"open_race"}
    assert run.for_targets(_targets("2024-01-01", ("preseason",))).races.empty


def test_the_top_bins_band_flags_an_overconfident_top_bin():
    """Six forecasts of mean 0.94 of which four came true (the issue's count): below the band
    Binomial(6, 0.94) gives; two of 0.85 both true: inside."""
    p = np.r_[np.full(6, 0.94), 0.86, 0.84, 0.3]
    y = np.r_[1, 1, 1, 1, 0, 0, 1, 1, 0]
    t = top_bins(p, y).set_index("bin")
    assert list(t.index) == pytest.approx([0.8, 0.9])
    assert t.loc[0.9, "wins"] == 4 and t.loc[0.9, "band_lo"] == 5 and not t.loc[0.9, "inside"]
    assert t.loc[0.8, "n"] == 2 and t.loc[0.8, "inside"]
    empty = top_bins(np.r_[0.1, 0.2], np.r_[1, 0])
    assert empty["n"].eq(0).all() and empty["inside"].all()


def test_the_sets_report_pairs_each_set_from_its_own_runs():
    base = _run("m", "2024-06-01", [1.0, 1.0, 1.0, 1.0]).combine(
        _run("peer", "2024-06-01", [1.5, 1.5, 1.5, 1.5])
    )
    pre = _run("m", "2024-01-01", [2.0, 2.0, 2.0, 2.0]).combine(
        _run("peer", "2024-01-01", [1.8, 1.8, 1.8, 1.8])
    )
    t = pd.concat([_targets("2024-06-01"), _targets("2024-01-01", ("preseason",)),
                   _targets("2024-03-01", ("in_championship",))])  # fmt: skip
    text = sets_report([base, pre], t, models=["m", "peer"], reference="m", reps=50)
    loss = text.split("## ECE")[0]
    rows = {ln.split(" | ")[0].strip("| "): ln.split(" | ") for ln in loss.splitlines()
            if ln.startswith("| ") and "---" not in ln}  # fmt: skip
    assert rows["all"][4:6] == ["**1.000**", "1.500"]
    assert "-0.500 [-0.500, -0.500]" in rows["all"][7]
    assert rows["preseason"][4:6] == ["2.000", "**1.800**"] and rows["preseason"][6] == "peer"
    assert "+0.200" in rows["preseason"][7]
    assert "in_championship 2024 (0 of 4 targets)" in text  # no run from its origins


def _yardstick(tmp_path, *args):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "yardstick.py"
    run = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path / "out"),
         "--report", str(tmp_path / "report.md"), *args],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    return Backtest.load(tmp_path / "out"), (tmp_path / "report.md").read_text()


def test_the_yardstick_runs_just_the_preseason_set(tmp_path):
    """``--set preseason --quick``: one target, forecast by the peers from 1 January."""
    bt, text = _yardstick(tmp_path, "--set", "preseason", "--variants", "",
                          "--baselines", "uniform,season_best")  # fmt: skip
    assert set(bt.races["set"]) == {"preseason"} and set(bt.races["model"]) == {
        "uniform",
        "season_best",
    }
    origin = bt.races["origin"].iloc[0]
    assert (origin.month, origin.day) == (1, 1) and origin.year == bt.races["date"].iloc[0].year
    assert "in `preseason` every race from 1 January of its season" in text
    assert "| preseason | 1 |" in text


@pytest.mark.slow
def test_the_yardstick_runs_the_model_in_championship(tmp_path):
    """``--sets in_championship --quick``: the model and a peer on a final from its own day."""
    bt, text = _yardstick(tmp_path, "--sets", "in_championship", "--baselines", "choix")
    assert set(bt.races["model"]) == {"default", "choix"}
    assert (bt.races["origin"] == bt.races["date"]).all()
    assert "in `in_championship` each championship final from its own day" in text


def test_a_reference_run_on_part_of_a_set_is_paired_on_its_races_first():
    """The model on 3 of 4 races, the peer on all 4: first both on the 3, then the peer alone."""
    run = _run("m", "2024-06-01", [1.0, 1.0, 1.0]).combine(
        _run("peer", "2024-06-01", [1.5, 1.5, 1.5, 3.5])
    )
    text = sets_report([run], _targets("2024-06-01"), models=["m", "peer"], reference="m", reps=20)
    loss = [
        ln.split(" | ") for ln in text.split("## ECE")[0].splitlines() if ln.startswith("| all")
    ]
    assert [row[3:6] for row in loss] == [["3", "**1.000**", "1.500"], ["4", "", "**2.000**"]]
    assert "-0.500" in loss[0][7] and loss[1][7].strip(" |") == ""
