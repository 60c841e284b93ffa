"""The example scripts run end to end in their --quick mode (the real model, a short fit)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CASES = {
    "tokyo_2025.py": (
        ["Men's 1500m final", "Men's 5000m final", "with and without the injury term"],
        ["tokyo_2025_1500m_final.png", "tokyo_2025_5000m_final.png"],
    ),
    "paris_2024.py": (
        ["repechage", "Men's 1500m final (12 finalists)", "Men's 5000m final"],
        ["paris_2024_1500m_final.png", "paris_2024_5000m_final.png"],
    ),
    "own_results.py": (
        ["added 2 races, 9 results, 0 new athletes", "P(win) in an indoor mile", "Josh KERR"],
        [],
    ),
    "rivalry.py": (
        ["P(Josh Kerr ahead of Jakob Ingebrigtsen)", "Races both finished"],
        ["rivalry_kerr_ingebrigtsen.png", "rivalry_abilities.png"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs_quick(script, tmp_path):
    texts, figures = CASES[script]
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for text in texts:
        assert text in run.stdout
    assert "win %" in run.stdout or "Kerr ahead" in run.stdout
    for name in figures:
        png = tmp_path / name
        assert png.exists() and png.stat().st_size > 10_000


@pytest.mark.slow
def test_tokyo_compare_table_has_a_row_per_variant_with_each_number(tmp_path):
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "tokyo_2025.py"), "--quick", "--compare", "full,static",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith(("| full", "| static"))]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 6 and "not in the race" not in cells
        assert all(c.replace(".", "", 1).split(" ")[0].isdigit() for c in cells[1:]), cells
