"""The benchmarks' entry point runs in its quick mode (speed itself is never asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.mark.slow
def test_benchmarks_quick_run_prints_every_section():
    out = subprocess.run(
        [sys.executable, str(RUN), "--quick"], capture_output=True, text=True, timeout=1500
    )
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    assert "Plackett-Luce logp+gradient" in text
    sizes = [line.split()[0] for line in text.splitlines() if line.strip()[:1].isdigit()]
    assert sizes[:2] == ["4", "8"]  # one row per race size
    assert "fit.forecast" in text and "Gumbel-max" in text and "championship" in text
    for section in ("likelihood", "forecast", "fit", "samplers", "scaling", "grid"):
        assert f"## {section}" in text
    assert "cold caches" in text and "warm caches" in text  # the acceptance fit, both ways
    assert "naive formulation, nutpie" in text and "PyMC NUTS" in text
    assert "sampling time grows as athletes^" in text
    assert "Dask LocalCluster" in text and "speed-up vs 1 worker" in text


def test_convergence_sweep_order_spreads_every_prefix_over_the_range():
    sys.path.insert(0, str(RUN.parent))
    from convergence import spread

    order = spread(8)
    assert sorted(order) == list(range(8))
    assert order[:2] == [0, 4] and set(order[:4]) == {0, 2, 4, 6}


@pytest.mark.slow
def test_convergence_sweep_quick_run_records_each_origin_once(tmp_path, monkeypatch):
    monkeypatch.setenv("RIVALRYMODEL_CACHE", str(tmp_path / "cache"))
    script = RUN.parent / "convergence.py"
    csv, md = tmp_path / "conv.csv", tmp_path / "conv.md"
    cmd = [sys.executable, str(script), "--quick", "--csv", str(csv), "--report", str(md)]
    for _ in range(2):  # the second run resumes: nothing left to fit
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        assert out.returncode == 0, out.stderr[-3000:]
    import pandas as pd

    rows = pd.read_csv(csv)
    assert len(rows) == 2 and rows["origin"].is_unique
    assert (rows["draws"] == 150).all() and rows["r_hat"].gt(1.0).all()
    assert "2 of 2 origins measured" in md.read_text()


def test_settings_check_reports_paired_differences_between_runs(tmp_path):
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(RUN.parent))
    from settings_check import main

    rng = np.random.default_rng(0)
    base = pd.DataFrame(
        {"model": "default", "race_id": [f"r{i}" for i in range(30)],
         "log_loss": rng.uniform(0.5, 3, 30), "top3_log_loss": rng.uniform(0.3, 0.6, 30),
         "pair_log_loss": rng.uniform(0.4, 0.7, 30), "rps": rng.uniform(0.1, 0.2, 30)}
    )  # fmt: skip
    shifted = base.assign(log_loss=base["log_loss"] + 0.25)
    other = base.assign(model="elo", log_loss=9.0)  # another forecaster: ignored
    for name, frame in {"a": base, "b": base, "d": pd.concat([shifted, other])}.items():
        (tmp_path / name).mkdir()
        frame.to_csv(tmp_path / name / "races.csv", index=False)
    out = tmp_path / "check.md"
    runs = [f"{n}={tmp_path / n}" for n in ("a", "b", "d")]
    assert main([*runs, "--report", str(out)]) == 0
    text = out.read_text()
    assert "| a - b | winner log loss | 30 | +0.0000 [+0.0000, +0.0000] | 0.0000 |" in text
    assert "| d - a | winner log loss | 30 | +0.2500 [+0.2500, +0.2500] | 0.2500 |" in text
    assert "| d - b | top-3 log loss | 30 | +0.0000" in text


def _run_script(name: str, *args: str) -> str:
    out = subprocess.run([sys.executable, str(RUN.parent / name), *args], capture_output=True,
                         text=True, timeout=600, cwd=RUN.parent.parent)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_pair_runs_pairs_a_variant_on_the_targets_it_forecast():
    text = _run_script("pair_runs.py", "--variant", "age_drift", "--with",
                       "benchmarks/yardstick_global_2017_2019_age_drift")  # fmt: skip
    table, favourites = text.split("\n\n")
    rows = {r.split("|")[1].strip(): r.split("|")[2:-1] for r in table.splitlines()[2:]}
    assert set(rows) == {"every race", "heats and semi-finals", "finals", "global championship",
                         "global championship rounds", "global championship finals"}  # fmt: skip
    # The 17 races of London 2017 and Doha 2019 are all global; 4 of them are finals.
    assert rows["every race"][0].strip() == rows["global championship"][0].strip() == "17"
    assert rows["global championship finals"][0].strip() == rows["finals"][0].strip() == "4"
    assert rows["global championship rounds"][0].strip() == "13"
    # The favourites' table: one row per round, races adding up to the 17.
    by_round = {r.split("|")[1].strip(): r.split("|")[2:-1] for r in favourites.splitlines()[2:]}
    assert sum(int(v[0]) for v in by_round.values()) == 17 and by_round["final"][0].strip() == "4"
    p_fav, won = (float(x) for x in by_round["final"][1].split("/"))
    assert 0 < p_fav <= 1 and won in (0, 0.25, 0.5, 0.75, 1)
    mean_v, mean_d = float(rows["every race"][1]), float(rows["every race"][2])
    diff = float(rows["every race"][4].split("[")[0])
    assert diff == pytest.approx(mean_v - mean_d, abs=0.0015)


def test_second_stage_learns_only_from_earlier_seasons():
    text = _run_script("second_stage.py", "--with", "benchmarks/yardstick")
    blend = next(r for r in text.splitlines() if r.startswith("| every race"))
    fitted = blend.split("|")[6]
    # The first season has no earlier races: its forecasts are the raw ones.
    assert fitted.strip().startswith("2021: raw") and "2022:" in fitted
    assert "| heat |" in text and "| final |" in text


def _rest_of_field():
    sys.path.insert(0, str(RUN.parent))
    import rest_of_field

    return rest_of_field


def test_rest_of_field_law_is_plackett_luce_over_the_whole_field():
    """The slot law of benchmarks/rest_of_field.py against every order of the full field."""
    import itertools

    import numpy as np
    from scipy.optimize import check_grad

    rof = _rest_of_field()
    # a 1st, an unseen runner 2nd, b 3rd, one more unseen runner behind; and a plain race
    slots = [("2024-06-01", True, [10, -1, 20], 1), ("2024-06-01", False, [20, 10], 0)]
    model = rof.RestOfField(slots, "2024-06-01", ridge=0.0)
    v_a, v_b, c = 0.7, -0.2, -0.4
    x = np.array([v_a, v_b, c, 0.3])
    mu = (v_a + v_b) / 2 + c
    weights = {"a": np.exp(v_a), "b": np.exp(v_b), "u1": np.exp(mu), "u2": np.exp(mu)}
    total = 0.0
    for order in itertools.permutations(weights):
        if order[0] == "a" and order[1] in ("u1", "u2") and order[2] == "b":
            p, left = 1.0, dict(weights)
            for who in order:
                p *= left[who] / sum(left.values())
                del left[who]
            total += p
    plain = np.exp(v_b) / (np.exp(v_a) + np.exp(v_b))
    value, grad = model.objective(x)
    assert value == pytest.approx(-np.log(total) - np.log(plain), rel=1e-12)
    assert check_grad(lambda z: model.objective(z)[0], lambda z: model.objective(z)[1], x) < 1e-6
    assert grad[3] == 0.0  # no unpaced race has unseen runners: c_unpaced is not in the law


def test_rest_of_field_slots_follow_places_and_starters():
    import pandas as pd

    rof = _rest_of_field()
    races = pd.DataFrame({
        "race_id": ["r1", "r2"], "date": pd.to_datetime(["2024-01-01"] * 2), "paced": [True] * 2,
        "field_complete": [False, False], "starters": [6, None], "event": ["1500m"] * 2,
    })  # fmt: skip
    results = pd.DataFrame({
        "race_id": ["r1", "r1", "r1", "r2", "r2"], "athlete_id": [1, 2, 3, 1, 2],
        "place": [1, 4, None, 2, 3], "status": ["OK", "OK", "DNF", "OK", "OK"],
    })  # fmt: skip
    gaps = rof.race_slots(races, results, "gaps", {"1500m": 12})
    # r1: two unseen between 1st and 4th; 6 starters less 4 slots and the known DNF leave 1
    assert [s[2:] for s in gaps] == [([1, -1, -1, 2], 1), ([-1, 1, 2], 0)]
    typical = rof.race_slots(races, results, "typical", {"1500m": 12})
    assert typical[1][2:] == ([-1, 1, 2], 9)  # no starters: filled to the typical field
    assert [s[2:] for s in rof.race_slots(races, results, "plain", {})] == [
        ([1, 2], 0),
        ([1, 2], 0),
    ]


@pytest.mark.slow
def test_rest_of_field_quick_run_scores_every_mode():
    out = subprocess.run(
        [sys.executable, str(RUN.parent / "rest_of_field.py"), "--quick"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in out.stdout.splitlines() if line.startswith("| ")]
    assert [c.strip() for c in rows[0]][2:5] == ["plain", "gaps", "typical"]
    every = [c.strip() for c in rows[1]]
    assert every[0] == "every target" and int(every[1]) >= 3
    assert all(1e-3 < float(x) < 10 for x in every[2:5])  # a log loss per race, each mode
