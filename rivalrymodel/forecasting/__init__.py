"""The forecasting layer: start lists, race-day projection, race probabilities, head to head,
championships, and the forecaster protocol shared with the baselines."""

from __future__ import annotations

from .championship import Qualify, simulate_championship
from .forecast import Forecast, forecast, format_table, from_law, from_scores, from_strengths
from .forecaster import Fitted, FittedModel, Forecaster, ModelForecaster
from .h2h import head_to_head, rivalry
from .horizon import MAX_YEARS_AHEAD, STALE_DAYS, ForecastDateError, describe_age
from .projection import utility_draws
from .startlist import StartList, UnknownAthleteError, roster_rows

__all__ = [
    "StartList", "UnknownAthleteError", "roster_rows", "Forecast", "forecast", "from_law",
    "from_strengths", "from_scores",
    "format_table", "head_to_head", "rivalry", "Qualify", "simulate_championship",
    "utility_draws", "Forecaster", "Fitted", "ModelForecaster", "FittedModel",
    "ForecastDateError", "STALE_DAYS", "MAX_YEARS_AHEAD", "describe_age",
]  # fmt: skip
