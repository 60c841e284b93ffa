"""The interval of every printed number: the central 90% (of posterior draws, or of bootstrap
means), its one home; forecasts, head to head, the backtest's bootstrap, the report's and the
CLI's text and the plots take it from here. It sits in the models layer so that every layer
that summarises draws (inference too) can import it."""

from __future__ import annotations

import numpy as np

__all__ = ["LEVEL", "LABEL", "TAIL", "interval"]

LEVEL = 0.9  # the interval's mass
LABEL = f"{LEVEL:.0%}"  # "90%", as tables and reports print it
TAIL = (1 - LEVEL) / 2  # the mass left out on each side


def interval(values, axis=0) -> np.ndarray:
    """The central ``LEVEL`` interval of ``values`` along ``axis``: (lo, hi) stacked first."""
    return np.quantile(values, [TAIL, 1 - TAIL], axis=axis)
