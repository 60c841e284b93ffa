"""Figures from hand-built posteriors: the bars, whiskers, bands and lines carry the numbers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import rivalrymodel as rm
from rivalrymodel.plotting import plot_abilities, plot_forecast, plot_rivalry
from tests.helpers import MEANS, forecast_tree


@pytest.fixture
def fit():
    return rm.Fit(forecast_tree(MEANS))


def test_forecast_bars_show_the_probabilities_and_whiskers(fit):
    fc = rm.forecast(fit, rm.StartList(tuple(MEANS), date="2024-06-01", name="Test final"))
    ax = plot_forecast(fc)
    widths = sorted(p.get_width() for p in ax.patches)
    np.testing.assert_allclose(widths, sorted(100 * fc.table["p_win"]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == fc.table["athlete"].iloc[0]  # the favourite on top
    assert ax.get_title() == "Test final\n2024-06-01"
    assert ax.get_xlim()[1] >= 100 * fc.table["p_win_hi"].max()
    plt.close("all")


def test_championship_table_without_intervals(fit):
    heats = [rm.StartList(("A", "C", "E"), date="2024-06-01", round="heat"),
             rm.StartList(("B", "D"), date="2024-06-01", round="heat")]  # fmt: skip
    champ = rm.simulate_championship(fit, heats, [rm.Qualify(2)], sims=10, random_seed=0)
    ax = plot_forecast(champ, column="p_final")
    assert ax.get_xlim()[1] == pytest.approx(100.0)  # capped: everyone's P(final) is high
    assert len(ax.patches) == 5
    plt.close("all")


def test_ability_bands_and_rivalry_lines(fit):
    ax = plot_abilities(fit, ["Runner A", "E"], seasons=[2024, 2025])
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["Runner A", "Runner E"]
    assert lines[0].get_ydata()[0] == pytest.approx(1.5, abs=0.1)
    r = rm.rivalry(fit, "A", "B", ["2024-06-01", "2025-06-01"], random_seed=0)
    ax = plot_rivalry(r)
    assert len(ax.get_lines()) == 3  # paced, unpaced, the 50% line
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), r[r["paced"]]["p_a_ahead"])
    plt.close("all")
