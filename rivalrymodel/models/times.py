"""Log finish times: a race effect, the shared athlete terms and Student-t noise.

    log t_ir = log d_e + eta_r - time_scale * u_ir / tau_r + eps_ir,   eps ~ StudentT(nu, 0, s_r)

eta_r (log seconds per metre of race r: pace, conditions, tactics) is hierarchical around an
event mean; the heavy tails absorb a runner who jogs in. Winning margins now inform ability,
which a ranking throws away. Only timed finishers count.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from ..schema import Event
from ..spec import ModelSpec
from .design import Design
from .terms import athlete_utility, race_noise_scale

__all__ = ["build"]

# Typical log pace (log seconds per metre) of a men's elite middle-distance race, about 2:40/km:
# the centre of the event means' prior, not a fitted number.
_LOG_PACE = float(np.log(0.16))


def build(design: Design, spec: ModelSpec, *, keep_utility: bool = False) -> None:
    """The times model on ``design`` (coords must be set by the caller's context)."""
    u = athlete_utility(design, spec)
    tau = race_noise_scale(design, spec)
    if keep_utility:
        pm.Deterministic("utility", u, dims="result")
        pm.Deterministic("race_tau", tau, dims="race")
    events = [e.value for e in Event]
    event_idx = np.array([events.index(e) for e in design.race_event])
    event_mean = pm.Normal("event_pace", _LOG_PACE, 0.2, dims="event")
    race_sd = spec.race_sd.create("race_sd")
    race_z = pm.Normal("race_z", 0.0, 1.0, dims="race")
    eta = pm.Deterministic("race_pace", event_mean[event_idx] + race_sd * race_z, dims="race")
    # Heats and semis are jogged in more often than finals: their own noise scale.
    rough = design.race_noise_x[:, 0] + design.race_noise_x[:, 1]
    sd = spec.time_sd.create("time_sd")
    sd_heat = pm.Normal("time_sd_heat", 0.0, 0.5)
    obs_sd = sd * pt.exp(sd_heat * rough)[design.obs_race]
    mu = design.obs_log_distance + eta[design.obs_race] - spec.time_scale * u / tau[design.obs_race]
    nu = spec.time_nu.create("time_nu")
    pm.StudentT("log_time", nu=nu, mu=mu, sigma=obs_sd, observed=design.obs_log_time, dims="result")
