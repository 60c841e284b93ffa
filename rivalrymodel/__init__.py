"""rivalrymodel: Bayesian forecasts of men's middle-distance races."""

__version__ = "0.1.0"

from .championship import Qualify
from .data import RaceData, load_dataset
from .fitting import ConvergenceWarning, Fit, load_fit
from .forecast import Forecast, StartList, UnknownAthleteError
from .schema import DataValidationError, Event, Round, Status
from .sheet import AddedResults
from .spec import ModelSpec, Prior, variants

__all__ = [
    "AddedResults",
    "ConvergenceWarning",
    "DataValidationError",
    "Event",
    "Fit",
    "Forecast",
    "ModelSpec",
    "Prior",
    "Qualify",
    "RaceData",
    "Round",
    "StartList",
    "Status",
    "UnknownAthleteError",
    "load_dataset",
    "load_fit",
    "variants",
]
