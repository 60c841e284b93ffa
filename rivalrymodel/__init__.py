"""rivalrymodel: Bayesian forecasts of men's middle-distance races."""

from ._version import __version__  # noqa: F401  (rivalrymodel.__version__)
from .data import (
    AddedResults,
    DataValidationError,
    Event,
    RaceData,
    Round,
    Status,
    load_dataset,
)
from .errors import InputError, RivalryModelError
from .forecasting import (
    Fitted,
    Forecast,
    ForecastDateError,
    Forecaster,
    ModelForecaster,
    Qualify,
    StartList,
    UnknownAthleteError,
    forecast,
    head_to_head,
    rivalry,
    simulate_championship,
)
from .inference import (
    ConvergenceWarning,
    Fit,
    FitFileError,
    SamplerSettings,
    fit,
    load_fit,
    prior_predictive,
)
from .spec import ModelSpec, Prior, variants

__all__ = [
    "AddedResults",
    "ConvergenceWarning",
    "DataValidationError",
    "Event",
    "Fit",
    "FitFileError",
    "Fitted",
    "Forecast",
    "ForecastDateError",
    "Forecaster",
    "InputError",
    "ModelForecaster",
    "ModelSpec",
    "Prior",
    "Qualify",
    "RaceData",
    "RivalryModelError",
    "Round",
    "SamplerSettings",
    "StartList",
    "Status",
    "UnknownAthleteError",
    "fit",
    "forecast",
    "head_to_head",
    "load_dataset",
    "load_fit",
    "prior_predictive",
    "rivalry",
    "simulate_championship",
    "variants",
]
