"""The evaluation layer: baselines, scores and rolling-origin backtests."""

from __future__ import annotations

from .backtest import DIAMOND_LEAGUE, METRICS, Backtest, backtest, default_targets
from .metrics import bootstrap_mean, expected_calibration_error, reliability, score_race
from .ratings import (
    BASELINES,
    Baseline,
    FittedBaseline,
    GaussianLaw,
    PlackettLucePoint,
    Ratings,
    TunedBaseline,
    make_baseline,
)
from .targets import SETS, term_subsets, yardstick_targets

__all__ = [
    "backtest", "default_targets", "Backtest", "METRICS", "DIAMOND_LEAGUE", "BASELINES",
    "Baseline", "FittedBaseline", "Ratings", "PlackettLucePoint", "GaussianLaw", "TunedBaseline",
    "make_baseline", "score_race", "reliability",
    "expected_calibration_error", "bootstrap_mean", "SETS", "yardstick_targets",
    "term_subsets",
]  # fmt: skip
