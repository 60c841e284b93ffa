"""The injury term: the utility change of racing soon after a known absence.

    effect = beta_i * decay + beta_len * log(length / 90 d) * decay
    decay = exp(-days / decay_days)

with ``days`` the days since the athlete's return (first race back) and ``length`` the absence's
length. beta_i is hierarchical over the athletes seen racing after an absence; everyone else gets
the population mean. The features (for the fit and for a race day), the PyMC piece and the
forecast's per-draw offsets all live here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

__all__ = ["features", "with_effect", "utility", "race_day_features", "offsets"]

_REFERENCE_DAYS = 90.0  # the absence length at which beta_len contributes nothing


def features(days_since_return, absence_days, decay_days: float) -> tuple[np.ndarray, np.ndarray]:
    """(decay, log-length times decay) per row; 0 where there was no absence (NaN days).

    An absence of unknown length counts as the reference length; lengths are at least a day.
    """
    since = np.asarray(days_since_return, dtype=float)
    injured = np.isfinite(since)
    decay = np.where(injured, np.exp(-np.nan_to_num(since) / decay_days), 0.0)
    length = np.nan_to_num(np.asarray(absence_days, dtype=float), nan=_REFERENCE_DAYS)
    loglen = np.where(injured, np.log(np.clip(length, 1.0, None) / _REFERENCE_DAYS), 0.0)
    return decay, loglen * decay


def with_effect(u, beta, per_len, decay, loglen_decay):
    """``u`` plus the injury effect (numpy or PyTensor alike): the formula's one home."""
    return u + beta * decay + per_len * loglen_decay


def utility(u: pt.TensorVariable, design, spec) -> pt.TensorVariable:
    """Add the term to the per-observation utility ``u`` in the PyMC model."""
    mean = spec.injury_mean.create("injury_mean")
    per_len = spec.injury_length.create("injury_length")
    hurt = design.injured_athletes
    if len(hurt):
        sd = spec.injury_sd.create("injury_sd")
        z = pm.Normal("injury_z", 0.0, 1.0, dims="injured_athlete")
        beta = pm.Deterministic("injury", mean + sd * z, dims="injured_athlete")
        # Athletes never seen after an absence get the population mean (their decay is 0).
        lookup = np.full(design.n_athletes, len(hurt))
        lookup[hurt] = np.arange(len(hurt))
        beta_obs = pt.concatenate([beta, pt.stack([mean])])[lookup[design.obs_athlete]]
    else:
        beta_obs = mean
    return with_effect(u, beta_obs, per_len, design.obs_inj_decay, design.obs_inj_loglen)


def race_day_features(
    absences: pd.DataFrame, athlete_ids, day: pd.Timestamp, decay_days: float
) -> tuple[np.ndarray, np.ndarray]:
    """(decay, log-length times decay) per runner on ``day``, from the latest absence each had
    that was announced by ``day`` and began before it.

    ``absences``: athlete_id, start, returned (first race back; NaT when none yet), announced.
    An athlete with no race since the absence began returns in the race being forecast.
    """
    table = absences[(absences["announced"] <= day) & (absences["start"] < day)]
    latest = table.sort_values("start", kind="stable").drop_duplicates("athlete_id", keep="last")
    latest = latest.set_index("athlete_id").reindex([str(a) for a in athlete_ids])
    back = latest["returned"].where(latest["returned"].notna() & (latest["returned"] <= day), day)
    days = np.where(latest["start"].notna(), (day - back).dt.days.to_numpy(dtype=float), np.nan)
    length = np.maximum((back - latest["start"]).dt.days.to_numpy(dtype=float), 1.0)
    return features(days, length, decay_days)


def offsets(posterior, athlete_ids, decay: np.ndarray, loglen_decay: np.ndarray) -> np.ndarray:
    """(sample, runner) injury effect per posterior draw; zeros without the term."""
    out = np.zeros((posterior.n_samples, len(athlete_ids)))
    if not posterior.has("injury_mean"):
        return out
    mean = posterior.draws("injury_mean")
    per_len = posterior.draws("injury_length")
    hurt = list(posterior.coord("injured_athlete").astype(str)) if posterior.has("injury") else []
    for j, a in enumerate(athlete_ids):
        if decay[j] == 0.0:
            continue
        beta = posterior.draws("injury")[:, hurt.index(a)] if a in hurt else mean
        out[:, j] = with_effect(0.0, beta, per_len, decay[j], loglen_decay[j])
    return out
