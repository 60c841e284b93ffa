"""The yardstick: target sets, the origin rule, the peers as forecasters, paired reporting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rivalrymodel as rm
from rivalrymodel.evaluation import (
    METRICS,
    Backtest,
    make_baseline,
    term_subsets,
    yardstick_targets,
)
from rivalrymodel.evaluation.ratings.protocol import win_probabilities
from rivalrymodel.report import yardstick_report


@pytest.fixture(scope="module")
def targets(bundled):
    return yardstick_targets(bundled)


def test_target_sets_are_large_and_named(targets):
    n = targets.groupby("set").size()
    assert set(n.index) == {"championship_final", "championship_round", "invitational", "open_race"}
    assert n.sum() > 150 and n["championship_final"] >= 20 and n["invitational"] >= 50
    assert targets["race_id"].is_unique


def test_a_championship_race_is_forecast_from_its_event_s_first_round(bundled, targets):
    tokyo = targets[targets["championship_id"].eq("WCH2025") & targets["event"].eq("1500m")]
    assert set(tokyo["round"]) >= {"heat", "final"}
    assert (tokyo["origin"] == pd.Timestamp("2025-09-14")).all()  # the heats' day
    r = bundled.races
    heats = r[r["championship_id"].eq("WCH2025") & r["event"].eq("1500m")]
    assert tokyo["origin"].iloc[0] == heats["date"].min()
    # The final is forecast before the heats were run: as_of(origin) holds none of the rounds.
    seen = bundled.as_of(tokyo["origin"].iloc[0])
    assert not set(heats["race_id"]) & set(seen.races["race_id"])


def test_other_races_are_forecast_from_the_first_of_their_month(targets):
    other = targets[targets["championship_id"].eq("")]
    assert (other["origin"] == other["date"].map(lambda d: d.replace(day=1))).all()
    assert (targets["origin"] <= targets["date"]).all()


def test_the_races_a_term_touches(bundled, targets):
    """Tokyo 2025: Ingebrigtsen back from his Achilles absence (announced before the
    championships) in every round he ran; championship races are unpaced, Diamond League
    races paced; an absence announced after a race's origin does not count for it."""
    subsets = term_subsets(bundled, targets)
    after = set(subsets.loc[subsets["subset"].eq("after_absence"), "race_id"])
    unpaced = set(subsets.loc[subsets["subset"].eq("unpaced"), "race_id"])
    runs = bundled.results.loc[bundled.results["athlete_id"].eq("14653717"), "race_id"]
    tokyo = targets[targets["championship_id"].eq("WCH2025") & targets["race_id"].isin(runs)]
    assert len(tokyo) >= 2 and set(tokyo["race_id"]) <= after
    assert set(targets.loc[targets["set"].str.startswith("championship"), "race_id"]) <= unpaced
    assert not set(targets.loc[targets["set"].eq("invitational"), "race_id"]) & unpaced
    late = targets.assign(origin=pd.Timestamp("2016-01-01"))  # before any announcement
    assert not term_subsets(bundled, late)["subset"].eq("after_absence").any()


def test_a_backtest_refuses_an_origin_after_its_race(bundled, targets):
    bad = targets.head(1).assign(origin=targets["date"].iloc[0] + pd.Timedelta(days=1))
    with pytest.raises(ValueError, match="origin is after its race"):
        rm.evaluation.backtest(["uniform"], bundled, bad, progress=False)


def test_ttt_baseline_forecasts_its_exact_win_probabilities(bundled):
    fin = yardstick_targets(bundled)
    race = fin[fin["set"].eq("championship_final")].iloc[-1]
    sl = rm.StartList.from_race(bundled, race["race_id"])
    seen = bundled.as_of(race["origin"]).since("2024-01-01")
    fitted = make_baseline("ttt", tune=False).fit(seen)
    fc = fitted.forecast(sl, random_seed=1)
    r = fitted.ratings
    mu, sigma = r.skills(list(fc.athlete_ids), sl.date)
    mu, sigma = (
        np.where(np.isfinite(mu), mu, r.prior_mu),
        np.where(np.isfinite(mu), sigma, r.prior_sigma),
    )
    want = win_probabilities(mu, sigma, r.beta)
    got = fc.table.set_index("athlete_id").loc[list(fc.athlete_ids), "p_win"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert fc.table["p_podium"].sum() == pytest.approx(3.0, abs=1e-9)


def test_choix_baseline_forecasts_the_softmax_of_its_strengths(bundled):
    race = yardstick_targets(bundled).query("set == 'invitational'").iloc[-1]
    sl = rm.StartList.from_race(bundled, race["race_id"])
    fitted = make_baseline("choix", tune=False).fit(bundled.as_of(race["origin"]))
    fc = fitted.forecast(sl)
    v = fitted.ratings.strengths(list(fc.athlete_ids))
    v = np.where(np.isfinite(v), v, np.median(v[np.isfinite(v)]))
    got = fc.table.set_index("athlete_id").loc[list(fc.athlete_ids), "p_win"].to_numpy()
    np.testing.assert_allclose(got, np.exp(v) / np.exp(v).sum(), rtol=1e-9)


DAY0, DAY1 = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")


def _toy_backtest():
    """Two forecasters on four races: b is better than a by 0.5 nats on every race."""
    rows = []
    for i, complete in enumerate([True, True, False, False]):
        for model, ll in (("a", 1.0 + 0.1 * i), ("b", 0.5 + 0.1 * i)):
            rows.append({"model": model, "race_id": f"r{i}", "set": "s" if i < 3 else "t",
                         "field_complete": complete, "log_loss": ll, "brier": 0.5, "rps": 0.1,
                         "top3_log_loss": 0.3, "pair_log_loss": 0.6, "pair_accuracy": 0.6,
                         "origin": DAY0, "date": DAY1})  # fmt: skip
    probs = pd.DataFrame(
        [{"model": m, "race_id": f"r{i}", "athlete_id": "x", "p_win": 0.5, "p_podium": 0.9,
          "won": True, "podium": True} for m in "ab" for i in range(4)]
    )  # fmt: skip
    return Backtest(pd.DataFrame(rows), probs)


def test_paired_differences_and_their_intervals_on_a_toy_table():
    bt = _toy_backtest()
    d = bt.differences("a").set_index(["model", "set"])
    assert d.loc[("b", "all"), "mean"] == pytest.approx(-0.5)
    assert d.loc[("b", "all"), "lo"] == pytest.approx(-0.5) and d.loc[
        ("b", "all"), "hi"
    ] == pytest.approx(-0.5)
    assert d.loc[("b", "s"), "races"] == 3 and d.loc[("b", "t"), "races"] == 1
    s = bt.summary().set_index(["model", "set"])
    assert s.loc[("b", "all"), "gm_p_winner"] == pytest.approx(
        np.exp(-np.mean([0.5, 0.6, 0.7, 0.8]))
    )
    complete = bt.summary(complete_only=True).set_index(["model", "set"])
    assert complete.loc[("a", "all"), "races"] == 2


def test_the_report_has_every_section(bundled):
    bt = _toy_backtest()
    targets = pd.DataFrame({"race_id": [f"r{i}" for i in range(4)], "set": ["s", "s", "s", "t"],
                            "field_complete": [True, True, False, False], "origin": DAY0,
                            "date": DAY1, "championship_id": "", "event": "1500m",
                            "finishers": 8})  # fmt: skip
    text = yardstick_report(bt, targets, bundled, reference="a", header="# Title")
    parts = ("# Title", "## Targets", "## Scores: all races", "complete fields only",
             "## Paired differences to a", "| all | b | winner log loss | 4 | -0.500",
             "## Races the covariate terms touch", "## The reliability plot's top two bins",
             "| all | a | none | none | yes |")  # fmt: skip
    for part in parts:
        assert part in text, part
    assert "better" in text


@pytest.mark.slow
def test_the_yardstick_quick_mode_writes_its_report(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "yardstick.py"
    report = tmp_path / "backtest.md"
    run = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path / "out"),
         "--report", str(report)],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    text = report.read_text()
    for part in ("## Targets", "championship_final", "| ttt |", "| choix |", "## P(winner)"):
        assert part in text, part
    assert (tmp_path / "out" / "races.csv").exists()
    assert (tmp_path / "figures" / "yardstick_calibration.png").stat().st_size > 10_000


def test_earlier_runs_of_one_forecaster_on_different_origins_add_up(tmp_path):
    """``--with A,B``: a forecaster's races from A, then those of B that A did not have."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "yardstick.py"
    spec = importlib.util.spec_from_file_location("yardstick_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)

    def run(folder, rows):
        races = pd.DataFrame(
            [
                {
                    "model": m,
                    "race_id": r,
                    "date": "2024-06-01",
                    "origin": "2024-06-01",
                    "set": "open_race",
                    "field_complete": False,
                    "log_loss": x,
                    **{k: 0.0 for k in METRICS if k != "log_loss"},
                }
                for m, r, x in rows
            ]  # fmt: skip
        )
        probs = races[["model", "race_id"]].assign(
            athlete_id="A1", p_win=races["log_loss"], won=True, p_podium=1.0, podium=True
        )
        return Backtest(races, probs).save(folder, compress=folder.name == "b")

    a = run(tmp_path / "a", [("margins", "r1", 0.1), ("full", "r1", 0.2), ("full", "r2", 0.3)])
    b = run(tmp_path / "b", [("margins", "r1", 0.9), ("margins", "r2", 0.4)])
    empty = pd.DataFrame(columns=["model", "race_id"])
    bt = Backtest(empty, empty)
    targets = pd.DataFrame({"race_id": ["r1", "r2"], "origin": pd.Timestamp("2024-06-01")})
    for folder in (a, b):
        bt = script._with_previous(bt, folder, targets)
    other = targets.assign(origin=pd.Timestamp("2024-01-01"))  # e.g. the preseason targets
    assert script._with_previous(Backtest(empty, empty), a, other).races.empty
    got = bt.races.set_index(["model", "race_id"])["log_loss"].sort_index()
    assert got.to_dict() == {("full", "r1"): 0.2, ("full", "r2"): 0.3,
                             ("margins", "r1"): 0.1, ("margins", "r2"): 0.4}  # fmt: skip
    assert len(bt.probabilities) == 4
    renamed = script._with_previous(Backtest(empty, empty), a, targets, {"full": "seasonal"})
    assert sorted(set(renamed.races["model"])) == ["margins", "seasonal"]
    assert sorted(set(renamed.probabilities["model"])) == ["margins", "seasonal"]


def test_scores_say_how_many_races_a_partly_run_forecaster_has():
    from rivalrymodel.report import scores

    rng = np.random.default_rng(1)
    races = pd.DataFrame(
        {"model": ["a"] * 4 + ["b"] * 2, "race_id": ["r1", "r2", "r3", "r4", "r1", "r2"],
         "set": "open_race", "field_complete": True,
         **{k: rng.random(6) for k in METRICS}}
    )  # fmt: skip
    probs = races[["model", "race_id"]].assign(
        athlete_id="A1", p_win=0.5, won=True, p_podium=0.9, podium=True
    )
    text = scores(Backtest(races, probs).summary(reps=20))
    assert "#### open_race (4 races)" in text
    assert "| forecaster | races |" in text
    lines = {ln.split(" | ")[0].strip("| "): ln for ln in text.splitlines() if ln.startswith("| ")}
    assert lines["a"].split(" | ")[1] == "4" and lines["b"].split(" | ")[1] == "2"
    same = scores(Backtest(races[races["model"].eq("a")], probs).summary(reps=20))
    assert "| forecaster | races |" not in same
