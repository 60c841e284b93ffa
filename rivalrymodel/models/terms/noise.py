"""The race-noise term: how random a race type is, as a scale on the utilities.

    tau_r = exp(gamma . [heat, semi, unpaced, indoor]_r)

tau is 1 for a paced outdoor final, which pins the utility scale. The row of a race (its
features), the PyMC scale and the forecast's per-draw scale all live here.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt

from ...schema import Round

__all__ = ["COLUMNS", "noise_rows", "race_noise_scale", "noise_scale"]

COLUMNS = ("heat", "semi", "unpaced", "indoor")


def noise_rows(rounds, paced, indoor) -> np.ndarray:
    """The noise design of races: (n, 4) floats over COLUMNS (scalars give one row, (4,))."""
    scalar = np.ndim(rounds) == 0
    rnd = np.atleast_1d(np.asarray(rounds, dtype=str))
    x = np.column_stack(
        [
            rnd == Round.HEAT.value,
            rnd == Round.SEMI.value,
            ~np.atleast_1d(np.asarray(paced, dtype=bool)),
            np.atleast_1d(np.asarray(indoor, dtype=bool)),
        ]
    ).astype(float)
    return x[0] if scalar else x


def race_noise_scale(design, spec) -> pt.TensorVariable:
    """tau per race in the PyMC model (ones without the term)."""
    if not spec.race_noise:
        return pt.ones(design.n_races)
    gamma = spec.noise.create("noise", dims="noise_term")
    return pt.exp(pt.dot(design.race_noise_x, gamma))


def noise_scale(posterior, row: np.ndarray) -> np.ndarray:
    """tau per posterior draw for one race row (ones when the fit has no noise term)."""
    if not posterior.has("noise"):
        return np.ones(posterior.n_samples)
    return np.exp(posterior.draws("noise") @ row)  # (sample, noise_term) in COLUMNS order
