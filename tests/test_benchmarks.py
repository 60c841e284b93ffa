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
