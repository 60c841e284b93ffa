"""Log finish times: a race effect, the shared athlete terms and Student-t noise.

    log t_ir = log d_e + eta_r - time_scale * u_ir / tau_r + eps_ir,   eps ~ StudentT(nu, 0, s_r)

eta_r (log seconds per metre of race r: pace, conditions, tactics) is hierarchical around an
event mean; the heavy tails absorb a runner who jogs in. Winning margins now inform ability,
which a ranking throws away. Only timed finishers count.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from ..data.schema import Event, Round, Status
from ..errors import InputError
from ..spec import ModelSpec
from .design import SLOT_FINISH, Design
from .families import Family, register
from .plackett_luce import two_ranked
from .race_law import RaceLaw
from .terms import athlete_utility, race_noise_scale

__all__ = ["build", "log_time_likelihood", "Times", "TimesLaw"]

# Typical log pace (log seconds per metre) of a men's elite middle-distance race, about 2:40/km:
# the centre of the event means' prior, not a fitted number.
_LOG_PACE = float(np.log(0.16))


def build(design: Design, spec: ModelSpec, *, keep_utility: bool = False) -> None:
    """The times model on ``design`` (coords must be set by the caller's context)."""
    if spec.heat_win:
        raise InputError("ModelSpec.heat_win needs a ranking family (plackett_luce or margins): "
                         "the times family has no finishing order to temper")  # fmt: skip
    u = athlete_utility(design, spec)
    tau = race_noise_scale(design, spec)
    if keep_utility:
        pm.Deterministic("utility", u, dims="result")
        pm.Deterministic("race_tau", tau, dims="race")
    rows = np.arange(design.n_obs)
    log_time_likelihood(design, spec, u, tau, spec.time_scale, rows, dim="race", obs_dim="result")


def log_time_likelihood(
    design, spec, u, tau, scale, rows: np.ndarray, *, dim: str, obs_dim: str, noise_sd=None
) -> pt.TensorVariable:
    """Student-t log times of the observations ``rows``, each race with its own pace: the
    formula's one home (this family, and the margins family on its paced races).

    ``scale`` is the fraction of finish time one utility unit is worth (a number, or a random
    variable where it is learned); ``dim`` names the races of ``rows`` (in race order) and
    ``obs_dim`` the rows. ``noise_sd`` fixes the noise scale; by default it is learned
    (``time_sd``, larger in heats and semis by ``exp(time_sd_heat)``). Returns the paces eta
    (``race_pace``, log seconds per metre) of those races.
    """
    races, race_of = np.unique(design.obs_race[rows], return_inverse=True)
    events = [e.value for e in Event]
    event_idx = np.array([events.index(e) for e in design.race_event[races]])
    event_mean = pm.Normal("event_pace", _LOG_PACE, 0.2, dims="event")
    race_sd = spec.race_sd.create("race_sd")
    # Centred: a race's few finish times pin its pace far more tightly (sd about 0.4%) than the
    # spread of paces (about 2%), where the non-centred form mixes slowly.
    eta = pm.Normal("race_pace", event_mean[event_idx], race_sd, dims=dim)
    if noise_sd is None:
        # Heats and semis are jogged in more often than finals: their own noise scale.
        rough = design.race_noise_x[races, 0] + design.race_noise_x[races, 1]
        sd = spec.time_sd.create("time_sd")
        sd_heat = pm.Normal("time_sd_heat", 0.0, 0.5)
        noise_sd = sd * pt.exp(sd_heat * rough)[race_of]
    mu = design.obs_log_distance[rows] + eta[race_of] - scale * u[rows] / tau[races][race_of]
    nu = spec.time_nu.create("time_nu")
    pm.StudentT(
        "log_time", nu=nu, mu=mu, sigma=noise_sd, observed=design.obs_log_time[rows], dims=obs_dim
    )
    return eta


class TimesLaw(RaceLaw):
    """The times family's race: minus each runner's log finish time relative to the pace, with
    Student-t result noise (larger in heats and semis); each section of a championship round
    has its own pace. ``repeats``: each posterior draw's rows in ``v`` (a championship's
    simulations)."""

    def __init__(self, v, posterior, spec, round: str, repeats: int = 1):
        super().__init__(v)
        self.posterior, self.scale = posterior, spec.time_scale
        self.round, self.repeats = round, repeats

    def _draws(self, name: str) -> np.ndarray:
        return np.repeat(self.posterior.draws(name), self.repeats)

    @cached_property
    def _result_sd(self) -> np.ndarray:
        """The result noise sd per row: heats and semis have their own (larger) scale."""
        sd = self.posterior.draws("time_sd")
        if self.round != Round.FINAL.value:
            sd = sd * np.exp(self.posterior.draws("time_sd_heat"))
        return np.repeat(sd, self.repeats)

    def sample(self, rng, n):
        # Minus the log finish time relative to the race's pace (which all runners share).
        shape = (self.v.shape[0], n, self.v.shape[1])
        nu = self._draws("time_nu")[:, None, None]
        sd = self._result_sd[:, None, None]
        return self.scale * self.v[:, None, :] - sd * rng.standard_t(nu, size=shape)

    def section_scores(self, v, rng, pad=None):
        sd, nu, race_sd = self._result_sd, self._draws("time_nu"), self._draws("race_sd")
        noise = sd[:, None, None] * rng.standard_t(nu, size=v.shape[::-1]).T
        pace = race_sd[:, None, None] * rng.standard_normal(v.shape[:2])[..., None]
        return self.scale * v - noise - pace  # the fastest losers by this score, across sections


class Times(Family):
    """Log finish times of the timed finishers (Student-t noise, a pace per race)."""

    name = "times"
    observed = "log_time"
    law = TimesLaw

    def select(self, df, spec):
        ok = (df["status"] == Status.OK.value) & df["place"].notna() & df["time_s"].notna()
        df = df[ok].assign(kind=SLOT_FINISH)
        return two_ranked(df, df)

    def build(self, design, spec, *, keep_utility=False, **options):
        build(design, spec, keep_utility=keep_utility, **options)

    def observed_data(self, design):
        return xr.Dataset({self.observed: (("result",), design.obs_log_time)})

    def race_law(self, posterior, spec, v, round, repeats=1):
        return TimesLaw(v, posterior, spec, round, repeats)

    def prior_predictive(self, model, design, draws, random_seed):
        with model:
            tree = pm.sample_prior_predictive(
                draws=draws, var_names=["utility", "race_tau", "log_time"], random_seed=random_seed
            )
        tree["observed_data"] = xr.DataTree(self.observed_data(design))
        return tree


register(Times())
