"""rivalrymodel: Bayesian forecasts of men's middle-distance races."""

from .data import RaceData, load_dataset
from .schema import DataValidationError, Event, Round, Status

__all__ = ["DataValidationError", "Event", "RaceData", "Round", "Status", "load_dataset"]
__version__ = "0.1.0"
