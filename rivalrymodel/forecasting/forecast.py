"""Forecasts from posterior draws: who wins this race, who makes the podium, who beats whom.

A :class:`StartList` names the runners and the race (event, date, round, paced, indoor). Each
posterior draw gives every runner a utility on the race date (:func:`utility_draws`): the ability
of the nearest season (one random-walk step per season between), the distance profile, the
unpaced skill in an unpaced race, and the injury effect of the latest absence announced by the
date. Divided by the race type's noise scale, they give the fit's family's race law
(:mod:`rivalrymodel.models.race_law`), which answers per draw: in closed form where it can
(Plackett-Luce: win, podium, pairwise, expected place), else from races it simulates,
vectorised over draws. This module only summarises: each probability is the posterior mean
over draws, with a 90% interval (:mod:`rivalrymodel.models.intervals`) of the per-draw
probabilities: the uncertainty about the athletes, not about the race.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.files import write_table
from ..models.intervals import LABEL, interval
from ..models.pl_law import PlackettLuceLaw
from ..models.race_law import RaceLaw, SampledLaw
from .horizon import check_date, data_age, describe_age
from .limits import check_memory, check_options, check_out_suffix, forecast_bytes
from .projection import race_law, utility_draws
from .startlist import StartList

__all__ = [
    "Forecast", "forecast", "from_law", "from_strengths", "from_scores", "check_out_suffix",
]  # fmt: skip


# --- the forecast -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Forecast:
    """A race forecast: ``table`` (one row per runner) and the per-draw probabilities behind it.

    Attributes
    ----------
    table
        athlete_id, athlete, known, p_win, p_win_lo, p_win_hi, p_podium, p_podium_lo,
        p_podium_hi, p_top_k, p_top_k_lo, p_top_k_hi, expected_place, expected_place_lo,
        expected_place_hi, utility (posterior mean), injury (mean utility change from a recent
        absence), seasons_away; sorted by p_win. ``_lo``/``_hi``: 5% and 95% over draws.
    draws
        (sample, runner) arrays: ``p_win``, ``p_podium``, ``p_top_k``, ``expected_place``,
        ``utility`` (scaled by the race's noise), as a long DataFrame via :meth:`draws_frame`.
    start_list, k
        The race and the k of ``p_top_k``.
    athlete_ids
        The runners in the order of the draws' last axis (the start list's order).
    place_probs
        (runner, place) probability of each finishing place, simulated (``sims`` races per
        draw), in ``athlete_ids`` order: what a ranked probability score needs.
    pairwise
        (runner, runner) P(row runner ahead of column runner), averaged over draws; exact for
        Plackett-Luce.
    data_end
        The last race date of the data the fit saw (None for a forecaster that does not say);
        :attr:`data_age` is the days from it to the race, and the printed table, ``to_file``
        and ``plot_forecast`` state both.
    """

    table: pd.DataFrame
    draws: dict[str, np.ndarray]
    start_list: StartList
    k: int
    athlete_ids: tuple[str, ...]
    place_probs: np.ndarray | None = None
    pairwise: np.ndarray | None = None
    data_end: pd.Timestamp | None = None

    @property
    def data_age(self) -> int | None:
        """Days from the data end to the race (negative: a hindcast; None: unknown)."""
        return data_age(self.data_end, self.start_list.date)

    @property
    def data_note(self) -> str:
        """``data to 2026-09-13, 94 days before the race`` (empty when unknown)."""
        return describe_age(self.data_end, self.start_list.date)

    def __repr__(self) -> str:
        sl = self.start_list
        head = f"Forecast: {sl.name or sl.event} on {sl.date:%Y-%m-%d}, top_k = {self.k}"
        if self.data_note:
            head += f" ({self.data_note})"
        return head + "\n" + format_table(self.table)

    def _repr_html_(self) -> str:
        return self.table._repr_html_()

    def draws_frame(self) -> pd.DataFrame:
        """Per-draw probabilities, long: sample, athlete_id, p_win, p_podium, p_top_k, ..."""
        ids = np.asarray(self.athlete_ids)
        n_samples = self.draws["p_win"].shape[0]
        return pd.DataFrame(
            {
                "sample": np.repeat(np.arange(n_samples), len(ids)),
                "athlete_id": np.tile(ids, n_samples),
                **{k: v.reshape(-1) for k, v in self.draws.items()},
            }
        )

    def to_file(self, path: str | Path) -> Path:
        """Write the CLI columns to .csv or .json (records), atomically; ``data_end`` and
        ``data_age_days`` repeat on every row (empty when unknown); names that a spreadsheet
        would run as a formula are neutralised (:func:`~rivalrymodel.data.files.neutralise`)."""
        path = Path(path)
        check_out_suffix(path)
        end = "" if self.data_end is None else f"{self.data_end:%Y-%m-%d}"
        df = self.table.assign(data_end=end, data_age_days=self.data_age)[CSV_COLUMNS]
        extra = {"float_format": "%.4f"} if path.suffix == ".csv" else {}
        return write_table(path, df, **extra)


DATA_COLUMNS = ["data_end", "data_age_days"]  # the forecast's, repeated on every row

CSV_COLUMNS = [
    "athlete_id", "athlete", "known", "p_win", "p_win_lo", "p_win_hi",
    "p_podium", "p_podium_lo", "p_podium_hi", "expected_place", *DATA_COLUMNS,
]  # fmt: skip


def format_table(table: pd.DataFrame, *, rows: int | None = None) -> str:
    """A printable forecast table: percentages with their 90% intervals; a runner without
    results before the fit's cutoff (population draws) is marked ``*``."""

    def pct(col):
        return [
            f"{100 * m:5.1f} [{100 * lo:4.1f}, {100 * hi:5.1f}]"
            for m, lo, hi in zip(table[col], table[f"{col}_lo"], table[f"{col}_hi"], strict=True)
        ]

    out = pd.DataFrame(
        {
            "athlete": [
                a if known else f"{a} *"
                for a, known in zip(table["athlete"], table["known"], strict=True)
            ],
            f"win % [{LABEL}]": pct("p_win"),
            f"podium % [{LABEL}]": pct("p_podium"),
            f"top-k % [{LABEL}]": pct("p_top_k"),
            "E[place]": table["expected_place"].map("{:.1f}".format),
            "injury": table["injury"].map(lambda x: f"{x:+.2f}" if abs(x) >= 0.005 else ""),
        }
    )
    if rows is not None:
        out = out.head(rows)
    return out.to_string(index=False)


_SUMMARISED = ("p_win", "p_podium", "p_top_k", "expected_place")


def _summaries(draws: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    stacked = np.stack([draws[name] for name in _SUMMARISED], axis=1)  # (sample, what, runner)
    lo, hi = interval(stacked, axis=0)
    mean = stacked.mean(axis=0)
    # Simulated frequencies have an atom at 0 or 1: the equal-tailed interval of a top-k of
    # mean 0.999 is [1, 1]. The interval is widened to hold the mean it is printed with.
    lo, hi = np.minimum(lo, mean), np.maximum(hi, mean)
    cols = {}
    for j, name in enumerate(_SUMMARISED):
        cols.update({name: mean[j], f"{name}_lo": lo[j], f"{name}_hi": hi[j]})
    return cols


def forecast(
    fit,
    start_list: StartList,
    *,
    top_k: int | None = None,
    sims: int = 20,
    injury: bool = True,
    absences: pd.DataFrame | None = None,
    hindcast: bool = False,
    random_seed: int | np.random.Generator | None = None,
) -> Forecast:
    """Win, podium and top-k probabilities with 90% intervals for one race.

    Parameters
    ----------
    fit
        A fit whose cutoff is on or before ``start_list.date``: a fit that saw the race (or
        later data) raises ``ForecastDateError``, as does a race more than
        :data:`~.horizon.MAX_YEARS_AHEAD` years after the fit's data end.
    start_list
        The race.
    top_k
        The k of ``p_top_k``; default ``start_list.advance`` (the places that qualify from a
        heat or semi) when given, else 8 (a final's finalists' places), at most the field size.
    sims
        Simulated races per draw where no closed form exists (top-k for k > 3, the times
        family); the per-draw probabilities of those carry binomial noise of at most
        0.5 / sqrt(sims), which slightly widens their intervals.
    injury
        Apply the injury term of absences announced by the race day (False: as if none).
    absences
        Absences to use instead of those the fit saw (RaceData.absences format).
    hindcast
        Forecast a race the fit saw (its numbers have seen the result).
    random_seed
        Same seed, same numbers.
    """
    check_date(fit, start_list.date, hindcast=hindcast)
    check_options(top_k=top_k, sims=sims)
    n = len(start_list.athletes)
    need = forecast_bytes(fit.n_samples, n, sims, exact=fit.family.law.exact)
    check_memory(f"a forecast of {n} runners x {fit.n_samples} draws x {sims} sims", need)
    rng = np.random.default_rng(random_seed)
    u, info = utility_draws(fit, start_list, injury=injury, absences=absences, random_seed=rng)
    fc = from_law(race_law(fit, start_list, u, rng), info, start_list, top_k=top_k, sims=sims,
                  rng=rng)  # fmt: skip
    return dataclasses.replace(fc, data_end=fit.data_end)


def from_law(
    law: RaceLaw,
    info: pd.DataFrame,
    start_list: StartList,
    *,
    top_k: int | None = None,
    sims: int = 20,
    rng: np.random.Generator | int | None = None,
) -> Forecast:
    """A :class:`Forecast` that summarises a race law (:mod:`rivalrymodel.models.race_law`).

    The law answers per draw (in closed form where it can, else from ``sims`` races per draw
    it simulates with ``rng``); the forecast is the mean over draws with its interval.
    ``info`` has one row per runner with at least athlete_id and athlete (missing
    known/injury/seasons_away columns are filled in).
    """
    races = law.simulate(np.random.default_rng(rng), sims)
    v = law.v
    n = v.shape[1]
    k = min(top_k or start_list.advance or 8, n)
    place = races.places  # (sample, sims, runner)
    # (runner, place) frequencies over all simulated races, by counting.
    cells = (np.arange(n) * n + place - 1).reshape(-1)
    place_probs = np.bincount(cells, minlength=n * n).reshape(n, n) / (place.size / n)
    pair = law.pairwise(races)
    draws = {
        "p_win": law.top(1, races),
        "p_podium": law.top(3, races),
        "p_top_k": law.top(k, races),
        "expected_place": law.expected_place(races),
        "utility": v,
    }
    summaries = _summaries(draws)
    defaults = {"known": True, "injury": 0.0, "seasons_away": 0}
    info = info.assign(**{c: val for c, val in defaults.items() if c not in info})
    table = info.assign(**summaries, utility=v.mean(axis=0))
    order = ["athlete_id", "athlete", "known"] + list(summaries) + ["utility", "injury"]
    table = table[order + ["seasons_away"]]
    table = table.sort_values("p_win", ascending=False, kind="stable")
    return Forecast(
        table.reset_index(drop=True),
        draws,
        start_list,
        k,
        tuple(info["athlete_id"]),
        place_probs=place_probs,
        pairwise=pair.mean(axis=0),
    )


def from_strengths(v: np.ndarray, info: pd.DataFrame, start_list: StartList, **options) -> Forecast:
    """A :class:`Forecast` from Plackett-Luce strengths ``v`` (sample, runner): the
    Plackett-Luce law's summary (``options`` as :func:`from_law`'s).

    A point-estimate method (the baselines) passes one row, and its intervals collapse to the
    point. ``info`` as in :func:`from_law`.
    """
    return from_law(PlackettLuceLaw(v), info, start_list, **options)


def from_scores(
    scores: np.ndarray,
    v: np.ndarray,
    info: pd.DataFrame,
    start_list: StartList,
    *,
    top_k: int | None = None,
    p_win: np.ndarray | None = None,
) -> Forecast:
    """A :class:`Forecast` from simulated performances ``scores`` (sample, sims, runner),
    higher is better, for a forecaster that is not Plackett-Luce (e.g. Thurstonian skills).

    ``v`` (sample, runner) is reported as the utility; ``p_win`` (sample, runner), when the
    forecaster has it exactly, replaces the simulated win probabilities.
    """
    law = SampledLaw(v, scores, p_win)
    return from_law(law, info, start_list, top_k=top_k, sims=law.scores.shape[1])
