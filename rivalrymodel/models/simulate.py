"""Race simulation, vectorised over draws and races: performances to places, Plackett-Luce draws.

Adding independent standard Gumbel noise to each runner's scaled utility and sorting gives a
finishing order distributed exactly as Plackett-Luce (Gumbel-max); so does sorting exponential
finish times with rates exp(utility) (an exponential race), which needs no logarithms and is what
:func:`simulate_places` does. The sampling primitives of the race laws (:mod:`.race_law`,
:mod:`.pl_law`). No Python loop over draws, races or runners.
"""

from __future__ import annotations

import numpy as np

__all__ = ["gumbel", "places", "plackett_luce_scores", "simulate_places"]


def gumbel(rng: np.random.Generator, shape) -> np.ndarray:
    """Standard Gumbel noise as -log of standard exponentials (faster than ``rng.gumbel``)."""
    return -np.log(rng.standard_exponential(size=shape))


def places(scores: np.ndarray) -> np.ndarray:
    """Places (1 = best) along the last axis of performance ``scores`` (higher is better).

    Continuous scores tie with probability 0, so the (faster) unstable sort is exact; padded
    slots scored ``-inf`` come last.
    """
    order = np.argsort(-scores, axis=-1)
    place = np.empty_like(order)
    np.put_along_axis(place, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    return place


def plackett_luce_scores(v: np.ndarray, sims: int, rng: np.random.Generator) -> np.ndarray:
    """(sample, sims, runner) performances whose order is an exact Plackett-Luce draw: the
    scaled utilities ``v`` (sample, runner) plus standard Gumbel noise (Gumbel-max)."""
    return v[:, None, :] + gumbel(rng, (v.shape[0], sims, v.shape[1]))


def simulate_places(
    v: np.ndarray, present: np.ndarray, rng: np.random.Generator | int | None
) -> np.ndarray:
    """Simulated places (1 = winner) for padded races.

    Parameters
    ----------
    v
        Scaled utilities, shape (..., races, slots); any leading axes are draws.
    present
        Boolean (races, slots) or broadcastable to ``v``: False marks a padded slot.
    rng
        A numpy Generator or a seed.

    Returns
    -------
    numpy.ndarray
        int, same shape as ``v``; padded slots get 0.
    """
    # Plackett-Luce as an exponential race: runner i finishes at E_i / exp(v_i) with E_i a
    # standard exponential, and the order of those times is a Plackett-Luce draw (the same
    # law as Gumbel-max, argmax v_i - log E_i, without the logs: ~2.5x faster).
    rng = np.random.default_rng(rng)
    finish = rng.standard_exponential(size=v.shape) * np.exp(-v)
    present = np.broadcast_to(present, v.shape)
    padded = not present.all()
    if padded:
        finish = np.where(present, finish, np.inf)
    place = places(-finish)
    return np.where(present, place, 0) if padded else place
