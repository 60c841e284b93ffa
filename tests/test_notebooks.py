"""The notebooks run top to bottom in their quick mode (RIVALRYMODEL_QUICK=1)."""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_in_quick_mode(path, monkeypatch):
    monkeypatch.setenv("RIVALRYMODEL_QUICK", "1")
    nb = jupytext.read(path)
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "elpd" in text and "log_loss" in text and "p_a_ahead" in text


def test_there_is_a_notebook():
    assert NOTEBOOKS, "notebooks/ should hold the variant-comparison notebook"
    assert os.path.basename(NOTEBOOKS[0]) == "compare_variants.py"
