"""The inference layer: sampling, the fit result and its posterior interface, diagnostics,
save/load and the fit cache."""

from __future__ import annotations

from .cache import CacheWarning, cached_fit, default_cache_dir
from .posterior import THRESHOLDS, ConvergenceWarning, Fit
from .sampling import DEFAULTS, QUICK, draw_plan, fit, forecast_attrs, prior_predictive, quick_data
from .storage import FitFileError, load_fit

__all__ = [
    "Fit", "ConvergenceWarning", "THRESHOLDS", "fit", "prior_predictive", "forecast_attrs",
    "DEFAULTS", "QUICK", "draw_plan", "quick_data", "cached_fit", "default_cache_dir",
    "CacheWarning", "load_fit", "FitFileError",
]  # fmt: skip
