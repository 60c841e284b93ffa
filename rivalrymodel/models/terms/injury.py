"""The injury term: the utility change of racing soon after a known absence.

    effect = beta_i * decay + beta_len * log(length / 90 d) * decay
    decay = exp(-days / decay_days)

with ``days`` the days since the athlete's return (first race back) and ``length`` the absence's
length. beta is hierarchical, Normal(injury_mean, injury_sd), over units: the athletes seen
racing after an absence (default; everyone else gets the population mean), or with
``spec.injury_per_absence`` each absence on its own, so that a layoff is uncertainty as well as
a mean shift: an absence the fit has not seen a race after draws a fresh beta per posterior
draw, which widens the runner's forecast by injury_sd times the decay. The features (for the
fit and for a race day), the PyMC piece and the forecast's per-draw offsets all live here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

__all__ = [
    "features", "absence_label", "with_effect", "utility", "units", "race_day_features",
    "offsets",
]  # fmt: skip

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


def absence_label(athlete_ids, starts) -> np.ndarray:
    """``id@YYYY-MM-DD`` of each absence (its athlete and start day); '' where there is none."""
    start = pd.Series(pd.to_datetime(np.asarray(starts, dtype="datetime64[ns]")))
    label = pd.Series(np.asarray(athlete_ids, dtype=str)) + "@" + start.dt.strftime("%Y-%m-%d")
    return label.where(start.notna(), "").to_numpy(dtype=str)


def with_effect(u, beta, per_len, decay, loglen_decay):
    """``u`` plus the injury effect (numpy or PyTensor alike): the formula's one home."""
    return u + beta * decay + per_len * loglen_decay


def utility(u: pt.TensorVariable, design, spec) -> pt.TensorVariable:
    """Add the term to the per-observation utility ``u`` in the PyMC model."""
    mean = spec.injury_mean.create("injury_mean")
    per_len = spec.injury_length.create("injury_length")
    dim, labels, unit = units(design, spec)
    if len(labels):
        sd = spec.injury_sd.create("injury_sd")
        z = pm.Normal("injury_z", 0.0, 1.0, dims=dim)
        beta = pm.Deterministic("injury", mean + sd * z, dims=dim)
        # Observations of no unit get the population mean (their decay is 0).
        beta_obs = pt.concatenate([beta, pt.stack([mean])])[unit]
    else:
        beta_obs = mean
    return with_effect(u, beta_obs, per_len, design.obs_inj_decay, design.obs_inj_loglen)


def units(design, spec) -> tuple[str, np.ndarray, np.ndarray]:
    """The units beta is per: (coordinate name, labels, each observation's unit index, with
    ``len(labels)`` for an observation of none)."""
    if spec.injury_per_absence:
        hurt = design.obs_injured
        labels = np.unique(design.obs_absence[hurt])
        unit = np.full(design.n_obs, len(labels))
        unit[hurt] = np.searchsorted(labels, design.obs_absence[hurt])
        return "injured_absence", labels, unit
    hurt = design.injured_athletes
    lookup = np.full(design.n_athletes, len(hurt))
    lookup[hurt] = np.arange(len(hurt))
    return "injured_athlete", design.athlete_ids[hurt], lookup[design.obs_athlete]


def race_day_features(
    absences: pd.DataFrame, athlete_ids, day: pd.Timestamp, decay_days: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(decay, log-length times decay, absence label) per runner on ``day``, from the latest
    absence each had that was announced by ``day`` and began before it.

    ``absences``: athlete_id, start, returned (first race back; NaT when none yet), announced.
    An athlete with no race since the absence began returns in the race being forecast.
    """
    table = absences[(absences["announced"] <= day) & (absences["start"] < day)]
    latest = table.sort_values("start", kind="stable").drop_duplicates("athlete_id", keep="last")
    latest = latest.set_index("athlete_id").reindex([str(a) for a in athlete_ids])
    back = latest["returned"].where(latest["returned"].notna() & (latest["returned"] <= day), day)
    days = np.where(latest["start"].notna(), (day - back).dt.days.to_numpy(dtype=float), np.nan)
    length = np.maximum((back - latest["start"]).dt.days.to_numpy(dtype=float), 1.0)
    decay, loglen_decay = features(days, length, decay_days)
    return decay, loglen_decay, absence_label(latest.index, latest["start"])


def offsets(
    posterior,
    athlete_ids,
    decay: np.ndarray,
    loglen_decay: np.ndarray,
    *,
    absence: np.ndarray | None = None,
    per_absence: bool = False,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """(sample, runner) injury effect per posterior draw; zeros without the term.

    A unit (athlete, or with ``per_absence`` the runner's latest absence, labelled as in
    ``absence``) the fit saw racing after the absence uses its own draws of beta. Any other
    gets the population: the mean, or with ``per_absence`` a fresh Normal(injury_mean,
    injury_sd) per draw (drawn with ``rng``), the layoff's uncertainty.
    """
    out = np.zeros((posterior.n_samples, len(athlete_ids)))
    if not posterior.has("injury_mean"):
        return out
    mean = posterior.draws("injury_mean")
    per_len = posterior.draws("injury_length")
    coord = "injured_absence" if per_absence else "injured_athlete"
    seen = list(posterior.coord(coord).astype(str)) if posterior.has("injury") else []
    keys = list(absence) if per_absence else [str(a) for a in athlete_ids]
    rng = rng if rng is not None else np.random.default_rng()
    for j, key in enumerate(keys):
        if decay[j] == 0.0:
            continue
        if key in seen:
            beta = posterior.draws("injury")[:, seen.index(key)]
        elif per_absence and posterior.has("injury_sd"):
            beta = mean + posterior.draws("injury_sd") * rng.standard_normal(len(mean))
        else:
            beta = mean
        out[:, j] = with_effect(0.0, beta, per_len, decay[j], loglen_decay[j])
    return out
