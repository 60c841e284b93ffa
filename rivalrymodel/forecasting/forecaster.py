"""One protocol for every forecaster, the model and the baselines alike.

``forecaster.fit(data)`` learns from ``data`` (which the caller has cut with
``RaceData.as_of(origin)``: a forecaster never filters dates by itself) and returns a
:class:`Fitted`; ``fitted.forecast(start_list, random_seed=...)`` returns a
:class:`~rivalrymodel.forecasting.forecast.Forecast`. A backtest needs nothing else.

Two implementations: :class:`ModelForecaster` (whose :class:`FittedModel` holds the sampled
:class:`~rivalrymodel.inference.Fit` as ``fit``) and the baselines
(``rivalrymodel.evaluation.Baseline``, whose ``FittedBaseline`` holds their ratings).
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod

from ..data.racedata import RaceData
from ..inference import DEFAULT, ConvergenceWarning, Fit, SamplerSettings, cached_fit, fit
from ..spec import ModelSpec
from .forecast import Forecast, forecast
from .startlist import StartList

__all__ = ["Forecaster", "Fitted", "ModelForecaster", "FittedModel"]


class Fitted(ABC):
    """A forecaster after ``fit``: forecasts races on or after the data's cutoff.

    ``random_seed`` seeds a forecast's Monte-Carlo draws: the same seed, the same numbers.
    """

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
    """The Bayesian model after sampling: ``fit`` is its :class:`~rivalrymodel.Fit` (whose
    ``posterior`` holds the draws); ``notes`` are the convergence checks it failed."""

    def __init__(self, name: str, fit: Fit, notes=()):
        self.name = name
        self.fit = fit
        self.notes = tuple(notes)

    def forecast(self, start_list, *, random_seed=None, top_k=None, **kwargs) -> Forecast:
        return forecast(self.fit, start_list, random_seed=random_seed, top_k=top_k, **kwargs)


class ModelForecaster(Forecaster):
    """The Bayesian model of ``spec`` as a forecaster.

    Parameters
    ----------
    spec
        The model variant.
    settings
        The sampler's settings (``inference.SamplerSettings``: draws, tune, chains, and the
        data a quick fit sees).
    cache
        Keep fits on disk (``inference.cached_fit``; ``cache_dir`` overrides where).
    random_seed
        The sampler's seed.
    """

    def __init__(
        self,
        spec: ModelSpec,
        settings: SamplerSettings = DEFAULT,
        *,
        cache: bool = True,
        cache_dir=None,
        random_seed: int = 0,
    ):
        self.spec = spec
        self.name = spec.name
        self.settings = settings
        self.cache, self.cache_dir = cache, cache_dir
        self.random_seed = random_seed

    def fit(self, data: RaceData) -> FittedModel:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            if self.cache:
                sampled = cached_fit(self.spec, data, self.settings, cache_dir=self.cache_dir,
                                     random_seed=self.random_seed)  # fmt: skip
            else:
                sampled = fit(self.spec, data, self.settings, random_seed=self.random_seed)
        notes = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
        return FittedModel(self.name, sampled, notes)
