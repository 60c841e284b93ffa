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
