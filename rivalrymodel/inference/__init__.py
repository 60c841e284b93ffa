"""The inference layer: the sampler settings, sampling, the fit result and its posterior
interface, diagnostics, save/load and the fit cache."""

from __future__ import annotations

from .cache import CacheWarning, cached_fit, default_cache_dir
from .diagnostics import THRESHOLDS
from .posterior import ConvergenceWarning, Fit, load_fit
from .sampling import fit, forecast_attrs, prior_predictive
from .settings import DEFAULT, QUICK, SamplerSettings, SettingsError
from .storage import FitFileError

__all__ = [
    "Fit", "ConvergenceWarning", "THRESHOLDS", "fit", "prior_predictive", "forecast_attrs",
    "SamplerSettings", "SettingsError", "DEFAULT", "QUICK", "cached_fit", "default_cache_dir",
    "CacheWarning", "load_fit", "FitFileError",
]  # fmt: skip
