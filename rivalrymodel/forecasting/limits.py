"""Limits checked before a forecast does any work: whole-number options, the memory its arrays
would take, the kind of file it is written to."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import InputError

__all__ = ["check_options", "check_count", "check_memory", "forecast_bytes", "check_out_suffix"]


def check_options(*, top_k: int | None = None, sims: int = 1) -> None:
    """Refuse a top-k or a number of simulations that is not a whole number >= 1 (before any
    work is done)."""
    if top_k is not None:
        check_count("top_k", top_k)
    check_count("sims", sims)


def check_count(name: str, value, low: int = 1) -> None:
    """Refuse ``value`` unless it is a whole number (int, not bool) >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(f"{name} must be a whole number >= {low}, not {value!r}")
    if value < low:
        raise InputError(f"{name} must be >= {low}, not {value}")


def _memory_budget() -> int:
    """Bytes a forecast may take: half the machine's memory (4 GB where it cannot be read)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):
        return 4 * 2**30


def check_memory(what: str, nbytes: float) -> None:
    """Refuse, before any work, a computation whose arrays would not fit in memory."""
    budget = _memory_budget()
    if nbytes > budget:
        raise InputError(
            f"{what} needs about {nbytes / 2**30:.1f} GB of memory, more than the "
            f"{budget / 2**30:.1f} GB allowed (half this machine's): fewer runners, sims or draws"
        )


def forecast_bytes(n_samples: int, n_runners: int, sims: int, *, exact: bool) -> float:
    """Peak bytes of a forecast's arrays: (sample, sims, runner) simulated places, and the
    closed form's (sample, runner, runner) pairs and (runner, runner, runner) masks, or the
    simulated pairwise comparisons."""
    n, s = float(n_runners), float(n_samples)
    places_ = 24 * s * sims * n
    pairs = 40 * s * n * n + 32 * n**3 if exact else s * sims * n * n + 8 * s * n * n
    return places_ + pairs


OUT_SUFFIXES = (".csv", ".json")


def check_out_suffix(path: str | Path) -> None:
    """Refuse a forecast file that is not .csv or .json (before any work is done)."""
    if Path(path).suffix not in OUT_SUFFIXES:
        raise InputError(f"{path}: write a forecast to .csv or .json")
