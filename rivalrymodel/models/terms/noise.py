"""The race-noise term: how random a race type is, as a scale on the utilities.

    tau_r = exp(gamma . [heat, semi, unpaced, indoor, global]_r)

tau is 1 for a paced outdoor final, which pins the utility scale. ``global`` (Olympic and
outdoor World Championship races, heats to final) is a column only with the spec's
``race_class``: its gamma, under the same zero-mean prior as the others, says how much more
(or less) random the global championships run than other races of their round and pacing.
With the spec's ``race_temperature`` every race also has its own temperature,
``tau_r *= exp(sigma_T z_r)``, ``z_r ~ Normal(0, 1)``: a forecast draws one for the new race
per posterior draw. The row of a race (its features), the PyMC scale and the forecast's
per-draw scale all live here.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from ...data.schema import Round

__all__ = ["COLUMNS", "columns", "noise_rows", "race_noise_scale", "noise_scale", "temperature"]

# Every column a spec can have; a spec's own are a prefix (``columns``), so a fit's draws of
# gamma line up with the first columns of any row.
COLUMNS = ("heat", "semi", "unpaced", "indoor", "global")


def columns(spec) -> tuple[str, ...]:
    """The noise columns of ``spec``'s model, in COLUMNS order."""
    return COLUMNS if spec.race_class else COLUMNS[:4]


def noise_rows(rounds, paced, indoor, global_championship=False) -> np.ndarray:
    """The noise design of races: (n, 5) floats over COLUMNS (scalars give one row, (5,))."""
    scalar = np.ndim(rounds) == 0
    rnd = np.atleast_1d(np.asarray(rounds, dtype=str))
    flags = [paced, indoor, global_championship]
    paced, indoor, glob = (np.broadcast_to(np.asarray(f, dtype=bool), rnd.shape) for f in flags)
    x = np.column_stack(
        [rnd == Round.HEAT.value, rnd == Round.SEMI.value, ~paced, indoor, glob]
    ).astype(float)
    return x[0] if scalar else x


def race_noise_scale(design, spec) -> pt.TensorVariable:
    """tau per race in the PyMC model (ones without the term)."""
    log_tau = pt.zeros(design.n_races)
    if spec.race_noise:
        gamma = spec.noise.create("noise", dims="noise_term")
        log_tau = pt.dot(design.race_noise_x, gamma)
    if spec.race_temperature:
        sd = spec.temperature_sd.create("temperature_sd")
        z = pm.Normal("temperature_z", 0.0, 1.0, dims="race")  # non-centred
        log_tau = log_tau + sd * z
    return pt.exp(log_tau)


def noise_scale(posterior, row: np.ndarray, rng=None, repeats: int = 1) -> np.ndarray:
    """tau per posterior draw (each ``repeats`` times) for one race row: ones when the fit has
    no noise term (1 for a paced outdoor final in any case), times a new race temperature drawn
    with ``rng`` when the fit has one (``ModelSpec.race_temperature``)."""
    if posterior.has("noise"):
        gamma = posterior.draws("noise")  # (sample, noise_term): the first columns of COLUMNS
        by_type = np.exp(gamma @ row[: gamma.shape[1]])
    else:
        by_type = np.ones(posterior.n_samples)
    return np.repeat(by_type, repeats) * temperature(posterior, rng, repeats)


def temperature(posterior, rng, repeats: int = 1) -> np.ndarray:
    """A new race's temperature factor ``exp(sigma_T z)``, per draw (each draw ``repeats``
    times, a fresh z each); ones when the fit has no race temperature."""
    n = posterior.n_samples * repeats
    if not posterior.has("temperature_sd"):
        return np.ones(n)
    sd = np.repeat(posterior.draws("temperature_sd"), repeats)
    return np.exp(sd * np.random.default_rng(rng).standard_normal(n))
