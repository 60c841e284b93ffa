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
