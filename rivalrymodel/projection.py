"""Each runner's utility per posterior draw on a race day, and the race's noise scale.

The ability of the nearest season (one random-walk step per season in between), the distance
profile, the unpaced skill in an unpaced race, and the injury effect of the latest absence
announced by the race day. Forecasts, head-to-heads and championships all start here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .covariates import distance_x
from .startlist import StartList, resolve

if TYPE_CHECKING:
    from .fitting import Fit

__all__ = ["utility_draws", "noise_scale"]


def nearest_cells(
    cell_athlete: np.ndarray, cell_season: np.ndarray, athletes, season: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per athlete: the index of its cell nearest to ``season`` (the earlier on a tie) and the
    number of seasons between, i.e. the random-walk steps a projection adds."""
    order = pd.DataFrame({"a": cell_athlete, "gap": np.abs(np.asarray(cell_season) - season)})
    nearest = order.reset_index().sort_values(["gap", "index"]).drop_duplicates("a")
    nearest = nearest.set_index("a").reindex(list(athletes))
    return nearest["index"].to_numpy(), nearest["gap"].to_numpy()


def _samples(fit: Fit, name: str) -> np.ndarray:
    """Posterior draws of a variable as (sample, ...) with chains stacked."""
    arr = fit.posterior[name].to_numpy()
    return arr.reshape((-1,) + arr.shape[2:])


def _injury_offsets(fit: Fit, ids: np.ndarray, day: pd.Timestamp, absences) -> np.ndarray:
    """(sample, runner) utility change from each runner's latest absence before ``day``."""
    post = fit.posterior
    n_samples = post.sizes["chain"] * post.sizes["draw"]
    out = np.zeros((n_samples, len(ids)))
    if not fit.spec.injury or "injury_mean" not in post:
        return out
    table = _absence_table(fit, absences)
    table = table[(table["announced"] <= day) & (table["start"] < day)]
    mean = _samples(fit, "injury_mean")
    per_len = _samples(fit, "injury_length")
    hurt = post["injured_athlete"].to_numpy().astype(str) if "injury" in post else np.array([])
    for j, a in enumerate(ids):
        mine = table[table["athlete_id"] == a].sort_values("start")
        if mine.empty:
            continue
        last = mine.iloc[-1]
        back = last["returned"]
        # No race since the absence began: the race being forecast is the return.
        if pd.isna(back) or back > day:
            back = day
        days = float((day - back).days)
        length = max(float((back - last["start"]).days), 1.0)
        decay = np.exp(-days / fit.spec.injury_decay_days)
        beta = _samples(fit, "injury")[:, list(hurt).index(a)] if a in hurt else mean
        out[:, j] = (beta + per_len * np.log(length / 90.0)) * decay
    return out


def _absence_table(fit: Fit, absences: pd.DataFrame | None) -> pd.DataFrame:
    """The fit's absences with return dates, or a user's table (returns from the fit's races)."""
    cols = ["athlete_id", "start", "returned", "announced"]
    if absences is None:
        table = pd.DataFrame(json.loads(fit._tree.attrs.get("absences", "[]")), columns=cols)
    else:
        table = absences.rename(columns={"end": "returned"}).reindex(columns=cols)
    for c in ("start", "returned", "announced"):
        table[c] = pd.to_datetime(table[c])
    table["athlete_id"] = table["athlete_id"].astype(str)
    return table


def utility_draws(
    fit: Fit,
    start_list: StartList,
    *,
    injury: bool = True,
    absences: pd.DataFrame | None = None,
    random_seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Each runner's utility per posterior draw on the race day, before the race's noise scale.

    Returns
    -------
    (numpy.ndarray, pandas.DataFrame)
        Draws (sample, runner), and per runner: athlete_id, athlete, known (has results before
        the fit's cutoff), seasons_away (random-walk steps added), injury (mean utility change
        from a recent absence; 0 when none or ``injury=False``).

    Notes
    -----
    An athlete with no results before the cutoff gets the population's draws: ability
    Normal(0, ability_sd), distance and unpaced terms Normal(0, their sd). ``absences`` (the
    format of ``RaceData.absences``; default: those the fit saw) count only when announced by the
    race day, so a forecast cannot see a later announcement.
    """
    rng = np.random.default_rng(random_seed)
    who = resolve(fit, start_list.athletes)
    post = fit.posterior
    day, season = start_list.date, start_list.date.year
    idx = who["index"].to_numpy()
    theta = post["ability"].to_numpy()
    n_samples = theta.shape[0] * theta.shape[1]
    known = idx >= 0
    u = np.zeros((n_samples, len(who)))
    gap = np.zeros(len(who), dtype=int)
    cell, steps = nearest_cells(
        post["cell_athlete"].to_numpy().astype(str),
        post["cell_season"].to_numpy(),
        who.loc[known, "athlete_id"],
        season,
    )
    gap[known] = steps
    u[:, known] = theta[:, :, cell.astype(int)].reshape(n_samples, -1)
    if "step_sd" in post and gap.any():
        u += _samples(fit, "step_sd")[:, None] * np.sqrt(gap) * rng.standard_normal(u.shape)
    x = distance_x(start_list.event)
    terms = [("distance", x, fit.spec.distance), ("unpaced", 1.0, not start_list.paced)]
    for name, weight, on in terms:
        if not on or name not in post or weight == 0:
            continue
        draws = _samples(fit, name)
        u[:, known] += weight * draws[:, idx[known]]
        if (~known).any():
            sd = _samples(fit, f"{name}_sd")[:, None]
            u[:, ~known] += weight * sd * rng.standard_normal((n_samples, int((~known).sum())))
    if (~known).any():
        sd = _samples(fit, "ability_sd")[:, None]
        u[:, ~known] += sd * rng.standard_normal((n_samples, int((~known).sum())))
    offset = np.zeros_like(u)
    if injury:
        offset = _injury_offsets(fit, who["athlete_id"].to_numpy(), day, absences)
    info = pd.DataFrame(
        {
            "athlete_id": who["athlete_id"],
            "athlete": who["name"],
            "known": known,
            "seasons_away": np.where(known, gap, -1),
            "injury": offset.mean(axis=0),
        }
    )
    return u + offset, info


def noise_scale(fit: Fit, start_list: StartList) -> np.ndarray:
    """tau per draw for the race type (1 for a paced outdoor final, or without race noise)."""
    post = fit.posterior
    if "noise" not in post:
        return np.ones(post.sizes["chain"] * post.sizes["draw"])
    gamma = _samples(fit, "noise")  # (sample, noise_term), in NOISE_COLUMNS order
    return np.exp(gamma @ start_list.noise_x)
