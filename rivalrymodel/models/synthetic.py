"""Synthetic datasets drawn from the model itself, with the true parameters kept.

Used by the parameter-recovery tests and the benchmarks: the injury effect and the race-noise row
are the terms' own functions, so the simulator and the model cannot drift apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.covariates import distance_x
from ..data.racedata import RaceData, from_tables
from ..data.schema import TABLES, Event
from .terms import ability, injury
from .terms import drift as drift_term
from .terms import noise as race_noise

__all__ = ["simulate_dataset"]


def simulate_dataset(
    n_athletes: int = 80,
    seasons: tuple[int, int] = (2016, 2020),
    races_per_season: int = 120,
    field_size: tuple[int, int] = (8, 14),
    *,
    ability_sd: float = 1.0,
    step_sd: float = 0.3,
    periods_per_season: int = 1,
    distance_sd: float = 0.7,
    pacing_sd: float = 0.5,
    injury_mean: float = -1.0,
    injury_length: float = -0.3,
    injury_sd: float = 0.0,
    injury_decay_days: float = 60.0,
    n_injured: int = 20,
    noise: tuple[float, ...] = (0.3, 0.15, 0.2, 0.0),
    temperature_sd: float = 0.0,
    margin_scale: float | None = None,
    drift: tuple[float, float] | None = None,
    heat_win: float | None = None,
    random_seed: int | None = None,
) -> tuple[RaceData, dict]:
    """A synthetic dataset drawn from the model itself, with the true parameters.

    Races are Plackett-Luce draws (Gumbel-max) from the full model's utilities, with times
    from the times model (or, given ``margin_scale``, each runner's log time is the race's pace
    minus ``margin_scale`` times the performance that ranked him, so that margins carry the
    utilities as the margins family reads them); ability walks over ``periods_per_season``
    periods per season with variance ``step_sd**2`` per season; ``n_injured`` athletes get one
    absence each (30-200 days, announced 3 days in, no race during it). Given ``drift`` =
    (drift_mean, drift_age), athletes get birth dates (17 to 33 years old at the start) and
    each step of the walk the mean of ``models.terms.drift``. Given ``heat_win`` (the log of the
    winner's extra temperature, ``models.terms.heat_win``), the winner of each heat is drawn
    from ``softmax(v * exp(-heat_win))`` and the rest of its order as before. Used by the
    parameter-recovery tests and the benchmarks.

    Returns
    -------
    (RaceData, dict)
        The data, validated as any dataset, and the truth: ``ability`` (DataFrame athlete_id,
        season, period (as ``models.terms.ability.period_of``), ability), ``distance`` and
        ``unpaced`` (Series by athlete_id), ``injury_mean``,
        ``injury_length``, ``injury_sd``, ``injury`` (each absence's beta, by athlete_id),
        ``noise`` (array over heat, semi, unpaced, indoor and, given a fifth value, global:
        then a fifth of the races are global championship races, with a
        ``championship_id``), ``temperature_sd``,
        ``temperature`` (each race's log temperature, by race_id; zeros without) and
        ``margin_scale``, ``drift``, ``born`` (decimal years by athlete_id; NaN without
        ``drift``) and ``heat_win``.
    """
    if heat_win is not None and margin_scale is not None:
        raise ValueError(
            "simulate_dataset: heat_win and margin_scale do not combine (a heat "
            "winner's time would not be the fastest)"
        )
    rng = np.random.default_rng(random_seed)
    # Heat winners from a stream of their own: without heat_win the data are as before.
    win_rng = np.random.default_rng([random_seed or 0, 17])
    ids = np.array([f"S{i:03d}" for i in range(n_athletes)])
    years = np.arange(seasons[0], seasons[1] + 1)
    per = periods_per_season
    n_periods = len(years) * per
    step = step_sd * np.sqrt(1.0 / per)
    theta = ability_sd * rng.standard_normal(n_athletes)[:, None] + np.cumsum(
        np.concatenate(
            [
                np.zeros((n_athletes, 1)),
                step * rng.standard_normal((n_athletes, n_periods - 1)),
            ],
            axis=1,
        ),
        axis=1,
    )
    born = np.full(n_athletes, np.nan)
    if drift is not None:  # from a stream of its own: without drift the data are as before
        born = years[0] - np.random.default_rng([random_seed or 0, 13]).uniform(17, 33, n_athletes)
        # The unit step into period P has its middle at P / per (drift.py's convention).
        middle = (years[0] * per + np.arange(1, n_periods)) / per
        age = (middle[None, :] - born[:, None] - drift_term.AGE_CENTRE) / drift_term.AGE_UNIT
        mean = (drift[0] + drift[1] * age) / per
        theta[:, 1:] += np.cumsum(mean, axis=1)
    delta = distance_sd * rng.standard_normal(n_athletes)
    kappa = pacing_sd * rng.standard_normal(n_athletes)
    gamma = np.asarray(noise, dtype=float)
    # Global championship races from a stream of their own, drawn only with a fifth noise value.
    glob_rng = np.random.default_rng(None if random_seed is None else [random_seed, 11])

    events = [Event.M1500, Event.MILE, Event.M3000, Event.M5000]
    dates = np.sort(
        np.concatenate(
            [
                pd.Timestamp(f"{y}-02-01").to_datetime64()
                + rng.integers(0, 270, races_per_season).astype("timedelta64[D]")
                for y in years
            ]
        )
    ).astype("datetime64[D]")

    injured = rng.choice(n_athletes, size=min(n_injured, n_athletes), replace=False)
    span = dates[-1] - dates[0]
    start = dates[0] + (rng.uniform(0.1, 0.8, len(injured)) * span.astype(float)).astype(
        "timedelta64[D]"
    )
    length = rng.integers(30, 200, len(injured)).astype("timedelta64[D]")
    # Each absence's own effect, from a stream of its own: injury_sd=0 leaves the data as before.
    own = np.random.default_rng(None if random_seed is None else [random_seed, 7])
    beta = injury_mean + injury_sd * own.standard_normal(len(injured))

    race_rows, result_rows = [], []
    last_return = {}
    temperatures = []
    champ_ids = {}
    for r, day in enumerate(dates):
        away = injured[(start <= day) & (day < start + length)]
        pool = np.setdiff1d(np.arange(n_athletes), away)
        n = min(len(pool), int(rng.integers(field_size[0], field_size[1] + 1)))
        field = rng.choice(pool, size=n, replace=False)
        event = events[int(rng.integers(len(events)))]
        paced = bool(rng.random() < 0.7)
        glob = len(gamma) > 4 and bool(glob_rng.random() < 0.2)
        indoor = bool(rng.random() < 0.2)
        rnd = "heat" if rng.random() < 0.15 else "final"
        s = int(ability.period_of([day], per)[0]) - seasons[0] * per
        u = theta[field, s] + delta[field] * distance_x(event) + kappa[field] * (not paced)
        for k, a in enumerate(field):
            hit = np.flatnonzero(injured == a)
            if len(hit) and day >= start[hit[0]] + length[hit[0]]:
                back = last_return.setdefault(a, day)
                days = float((day - back).astype(int))
                decay, loglen = injury.features(
                    days, float(length[hit[0]].astype(int)), injury_decay_days
                )
                u[k] = injury.with_effect(u[k], beta[hit[0]], injury_length, decay, loglen)
        tau = np.exp(gamma @ race_noise.noise_rows(rnd, paced, indoor, glob)[: len(gamma)])
        # drawn only when asked for, so the other terms' draws are as before
        log_temp = temperature_sd * rng.standard_normal() if temperature_sd > 0 else 0.0
        temperatures.append(log_temp)
        perf = u / (tau * np.exp(log_temp)) + rng.gumbel(size=n)
        order = np.argsort(-perf, kind="stable")
        if heat_win is not None and rnd == "heat":
            hot = u / (tau * np.exp(log_temp)) * np.exp(-heat_win) + win_rng.gumbel(size=n)
            winner = int(np.argmax(hot))
            order = np.r_[winner, order[order != winner]]
        pace = np.log(0.16) + 0.01 * rng.standard_normal()
        base = np.exp(np.log(event.distance_m) + pace - 0.01 * u / tau)
        times = np.sort(base * np.exp(0.003 * rng.standard_normal(n)))
        if margin_scale is not None:
            # 5% slower than the times model's pace: the best performances stay legal times.
            times = np.exp(np.log(event.distance_m) + pace + 0.05 - margin_scale * perf[order])
        rid = f"sim{r:05d}"
        if glob:
            champ_ids[rid] = f"WCH{str(day)[:4]}"
        race_rows.append(
            [
                rid,
                str(day),
                str(day)[:4],
                "Simulated meet",
                "Nowhere",
                event.value,
                str(indoor).lower(),
                rnd,
                "1" if rnd == "heat" else "0",
                str(paced).lower(),
                str(not paced or glob).lower(),
                "true",
                "simulated",
            ]
        )
        for place, k in enumerate(order, start=1):
            result_rows.append(
                [rid, ids[field[k]], str(place), f"{times[place - 1]:.2f}", "OK", "simulated"]
            )

    # The columns every table must have (later additions may be absent and read as empty).
    cols = {f: [c.name for c in TABLES[f] if not c.may_be_absent] for f in TABLES}
    birth = ["" if np.isnan(b) else _date_of(b) for b in born]
    athletes = pd.DataFrame(
        [
            [i, f"Sim Runner {i}", "SIM", b, "", "simulated"]
            for i, b in zip(ids, birth, strict=True)
        ],
        columns=cols["athletes.csv"],
    )
    announced = start + np.timedelta64(3, "D")
    absences = pd.DataFrame(
        [
            [ids[a], str(s0), "", "injury", "simulated layoff", str(an), "day", "simulated"]
            for a, s0, an in zip(injured, start, announced, strict=True)
        ],
        columns=cols["absences.csv"],
    )
    races = pd.DataFrame(race_rows, columns=cols["races.csv"])
    if champ_ids:
        races["championship_id"] = races["race_id"].map(champ_ids).fillna("")
    data = from_tables(
        athletes,
        races,
        pd.DataFrame(result_rows, columns=cols["results.csv"]),
        absences,
    )
    truth = {
        "ability": pd.DataFrame(
            {
                "athlete_id": np.repeat(ids, n_periods),
                "season": np.tile(np.repeat(years, per), n_athletes),
                "period": np.tile(seasons[0] * per + np.arange(n_periods), n_athletes),
                "ability": theta.ravel(),
            }
        ),
        "distance": pd.Series(delta, index=ids),
        "unpaced": pd.Series(kappa, index=ids),
        "injury_mean": injury_mean,
        "injury_length": injury_length,
        "injury_sd": injury_sd,
        "injury": pd.Series(beta, index=ids[injured]),
        "noise": gamma,
        "temperature_sd": temperature_sd,
        "temperature": pd.Series(temperatures, index=[f"sim{r:05d}" for r in range(len(dates))]),
        "margin_scale": margin_scale,
        "drift": drift,
        "born": pd.Series(drift_term.decimal_years(pd.to_datetime(birth)), index=ids),
        "heat_win": heat_win,
    }
    return data, truth


def _date_of(year: float) -> str:
    """A decimal year as the date (YYYY-MM-DD) that ``drift.decimal_years`` reads back."""
    day = pd.Timestamp(f"{int(year)}-01-01") + pd.Timedelta(days=int((year % 1) * 365.25))
    return f"{day:%Y-%m-%d}"
