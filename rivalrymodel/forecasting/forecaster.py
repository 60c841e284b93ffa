"""One protocol for every forecaster, the model and the baselines alike.

``forecaster.fit(data)`` learns from ``data`` (which the caller has cut with
``RaceData.as_of(origin)``: a forecaster never filters dates by itself) and returns a fitted
forecaster; ``fitted.forecast(start_list, random_seed=...)`` returns a
:class:`~rivalrymodel.forecasting.forecast.Forecast`. A backtest needs nothing else.

A new forecaster is one subclass of :class:`Forecaster` whose ``fit`` returns a
:class:`Fitted`; a point-rating baseline is simpler still (``evaluation.baselines.Baseline``).
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod

from ..data.racedata import RaceData
from ..inference import ConvergenceWarning, Fit, cached_fit, fit, quick_data
from ..spec import ModelSpec
from .forecast import Forecast, forecast
from .startlist import StartList

__all__ = ["Forecaster", "Fitted", "ModelForecaster", "FittedModel"]


class Fitted(ABC):
    """A forecaster after ``fit``: forecasts races on or after the data's cutoff."""

    name: str
    notes: tuple[str, ...] = ()  # e.g. failed convergence checks

    @abstractmethod
    def forecast(
        self, start_list: StartList, *, random_seed=None, top_k: int | None = None
    ) -> Forecast:
        """Win, podium and top-k probabilities of one race."""


class Forecaster(ABC):
    """Learns from the races it is given; see the module docstring."""

    name: str

    @abstractmethod
    def fit(self, data: RaceData) -> Fitted:
        """Learn from ``data`` (already ``as_of`` the forecast origin)."""


class FittedModel(Fitted):
    """The Bayesian model after sampling: ``posterior`` is the :class:`~rivalrymodel.Fit`."""

    def __init__(self, name: str, posterior: Fit, notes=()):
        self.name = name
        self.posterior = posterior
        self.notes = tuple(notes)

    def forecast(self, start_list, *, random_seed=None, top_k=None, **kwargs) -> Forecast:
        return forecast(self.posterior, start_list, random_seed=random_seed, top_k=top_k, **kwargs)


class ModelForecaster(Forecaster):
    """The Bayesian model of ``spec`` as a forecaster.

    Parameters
    ----------
    spec
        The model variant.
    cache
        Keep fits on disk (``inference.cached_fit``; ``cache_dir`` overrides where).
    quick_data_months
        Fit only the last months of data before the cutoff (smoke runs).
    random_seed, fit_kwargs
        Sampler seed and settings (draws, tune, chains, ...).
    """

    def __init__(
        self,
        spec: ModelSpec,
        *,
        cache: bool = True,
        cache_dir=None,
        quick_data_months: int | None = None,
        random_seed: int = 0,
        **fit_kwargs,
    ):
        self.spec = spec
        self.name = spec.name
        self.cache, self.cache_dir = cache, cache_dir
        self.quick_data_months = quick_data_months
        self.random_seed = random_seed
        self.fit_kwargs = fit_kwargs

    def fit(self, data: RaceData) -> FittedModel:
        seen = quick_data(data, self.quick_data_months) if self.quick_data_months else data
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            if self.cache:
                posterior = cached_fit(
                    self.spec, seen, cache_dir=self.cache_dir, random_seed=self.random_seed,
                    **self.fit_kwargs,
                )  # fmt: skip
            else:
                posterior = fit(self.spec, seen, random_seed=self.random_seed, **self.fit_kwargs)
        notes = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
        return FittedModel(self.name, posterior, notes)
