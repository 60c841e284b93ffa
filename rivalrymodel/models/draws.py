"""What the numpy (forecast) side of a term reads from a posterior: draws and coordinates by name.

:class:`~rivalrymodel.inference.Fit` implements it; :class:`ArrayDraws` is a hand-built one for
tests and for posteriors that come from elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

__all__ = ["PosteriorDraws", "ArrayDraws"]


class PosteriorDraws(Protocol):
    """Posterior draws with the chains stacked: ``draws(name)`` is (sample, ...)."""

    @property
    def n_samples(self) -> int: ...

    def has(self, name: str) -> bool: ...

    def draws(self, name: str) -> np.ndarray: ...

    def coord(self, name: str) -> np.ndarray: ...

    def has_coord(self, name: str) -> bool: ...


class ArrayDraws:
    """A :class:`PosteriorDraws` from plain arrays: ``ArrayDraws({"ability": a}, {"cell_athlete":
    ids, ...})``; every array's first axis is the sample."""

    def __init__(self, draws: Mapping[str, np.ndarray], coords: Mapping[str, np.ndarray]):
        self._draws = {k: np.asarray(v, dtype=float) for k, v in draws.items()}
        self._coords = {k: np.asarray(v) for k, v in coords.items()}

    @property
    def n_samples(self) -> int:
        return len(next(iter(self._draws.values())))

    def has(self, name: str) -> bool:
        return name in self._draws

    def draws(self, name: str) -> np.ndarray:
        return self._draws[name]

    def coord(self, name: str) -> np.ndarray:
        return self._coords[name]

    def has_coord(self, name: str) -> bool:
        return name in self._coords
