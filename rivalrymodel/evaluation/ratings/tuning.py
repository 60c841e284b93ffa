"""Past-only tuning of a baseline's options, kept on the baseline and in a keyed disk cache.

A :class:`TunedBaseline` with ``tune=True`` fits, at an origin in season s, the options chosen
on ``data.as_of(1 January of s)``: each point of its ``grid`` is fitted once on that data less
its last year and scored on the winners of that year (:func:`tuning_split`). One tuning so
serves all the season's origins and never sees a target.

A tuning takes about a minute on the bundled data, and a backtest's grid cells run in separate
processes, so the choice is cached twice, under one key (the baseline's class and options, the
grid, the past's fingerprint, the package version): in the baseline's ``tunings`` (this
process) and as a small JSON file in ``cache_dir`` (default ``inference.default_cache_dir()``,
``tuning/`` under it; ``cache_dir=False``: none), written atomically and checked against its
key when read (a damaged entry is tuned again, with a ``CacheWarning``). Tuning is
deterministic, so the cache changes nothing but the time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from itertools import product
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from ..._version import __version__
from ...data.files import write_text_atomically
from ...data.racedata import RaceData
from ...data.schema import Status
from ...forecasting import StartList
from ...inference import CacheWarning, default_cache_dir
from .protocol import Baseline, FittedBaseline, Ratings, cutoff_of

__all__ = ["TunedBaseline", "tuning_split", "winner_log_loss"]

TUNING_DAYS = 365


def tuning_split(data: RaceData, days: int = TUNING_DAYS) -> tuple[RaceData, pd.DataFrame]:
    """The past for a tuning fit and the races it is scored on.

    Returns ``data.as_of(cutoff - days)`` and the races of the last ``days`` before the
    cutoff with a single winner and at least two runners who started (not DNS, not pacers):
    columns ``race_id``, ``date``, ``event``, ``runners`` (tuple of ids), ``winner``. Every
    race of the scored year is forecast from the one fit before the year: affordable (one fit
    per grid point), and never looks past ``data.cutoff``.
    """
    split = cutoff_of(data) - pd.Timedelta(days=days)
    races = data.races
    scored = races.loc[races["date"] >= split, ["race_id", "date", "event"]]
    res = data.results
    res = res[res["race_id"].isin(scored["race_id"])]
    started = res[~res["status"].isin([Status.DNS.value, Status.PACER.value])]
    rows = []
    for rid, g in started.groupby("race_id", sort=False):
        winners = g.loc[g["place"].eq(1), "athlete_id"]
        if len(g) >= 2 and len(winners) == 1:
            rows.append((rid, tuple(g["athlete_id"]), winners.iloc[0]))
    out = pd.DataFrame(rows, columns=["race_id", "runners", "winner"])
    out = scored.merge(out, on="race_id").sort_values(["date", "race_id"], kind="stable")
    return data.as_of(split), out.reset_index(drop=True)


def winner_log_loss(scored: pd.DataFrame, ratings: Ratings) -> float:
    """Mean -log P(winner) over the ``scored`` races of :func:`tuning_split`."""
    losses = []
    for race in scored.itertuples(index=False):
        sl = StartList(race.runners, event=race.event, date=race.date)
        p = ratings.law(list(race.runners), sl).p_win()
        losses.append(-np.log(max(p[race.runners.index(race.winner)], 1e-300)))
    return float(np.mean(losses)) if losses else float("nan")


@dataclasses.dataclass(eq=False)
class TunedBaseline(Baseline):
    """A baseline (a dataclass of its options) whose ``grid`` options can be tuned on the past.

    Subclasses add their options as fields and set ``GRID`` (option -> values tried).
    """

    GRID: ClassVar[dict] = {}  # option -> values tried, per class
    tune: bool = dataclasses.field(default=True, kw_only=True)
    grid: dict | None = dataclasses.field(default=None, kw_only=True)
    cache_dir: str | Path | bool | None = dataclasses.field(default=None, kw_only=True)
    # The scores of the tuning that chose these options (a Series by grid point), if any.
    tuning: pd.Series | None = dataclasses.field(default=None, init=False, repr=False)
    # This process's tunings: key -> the tuned baseline (see the module docstring).
    tunings: dict = dataclasses.field(default_factory=dict, init=False, repr=False)

    def fit(self, data: RaceData) -> FittedBaseline:
        chosen = self.season_tuned(data) if self.tune else self
        return FittedBaseline(chosen, data, chosen.rate(data))

    def options(self) -> dict:
        """The constructor arguments of this baseline."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}

    def season_tuned(self, data: RaceData) -> TunedBaseline:
        """This baseline tuned on ``data`` as of 1 January of its cutoff's season."""
        cutoff = data.cutoff if data.cutoff is not None else data.races["date"].max()
        start = pd.Timestamp(f"{pd.Timestamp(cutoff).year}-01-01")
        past = data.as_of(min(start, pd.Timestamp(cutoff)))
        grid = self.grid or self.GRID
        fixed = {k: v for k, v in self.options().items() if k not in grid}
        key = json.dumps(
            {"baseline": type(self).__name__, "fixed": {k: fixed[k] for k in fixed
             if k not in ("tune", "cache_dir")}, "grid": grid, "data": past.fingerprint(),
             "version": __version__}, sort_keys=True, default=str,
        )  # fmt: skip
        if key not in self.tunings:
            self.tunings[key] = self._cached(key, past, grid)
        return self.tunings[key]

    def _cached(self, key: str, past: RaceData, grid: dict) -> TunedBaseline:
        if self.cache_dir is False:
            return self.tuned(past, grid)
        folder = Path(self.cache_dir or default_cache_dir()) / "tuning"
        path = folder / f"{self.name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
        try:
            entry = json.loads(path.read_text())
            if entry["key"] == key:
                points = [tuple(p) for p in entry["points"]]
                index = pd.MultiIndex.from_tuples(points, names=list(grid))
                return self._with(entry["chosen"], pd.Series(entry["scores"], index=index))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as e:
            warnings.warn(f"{path}: a damaged tuning entry ({e}); tuning again", CacheWarning,
                          stacklevel=2)  # fmt: skip
        chosen = self.tuned(past, grid)
        scores = chosen.tuning
        entry = {"key": key, "chosen": {k: getattr(chosen, k) for k in grid},
                 "points": list(scores.index), "scores": scores.tolist()}  # fmt: skip
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomically(path, json.dumps(entry))
        except OSError as e:
            warnings.warn(f"{path}: the tuning could not be cached ({e})", CacheWarning,
                          stacklevel=2)  # fmt: skip
        return chosen

    def _with(self, point: dict, scores: pd.Series) -> TunedBaseline:
        chosen = dataclasses.replace(self, **point, tune=False)
        chosen.tuning = scores.rename("winner_log_loss")
        return chosen

    def tuned(self, data: RaceData, grid: dict | None = None, *, days: int = TUNING_DAYS):
        """This baseline with the grid point of the lowest winner log loss on ``data``'s past.

        Each grid point (default ``grid``, else the class's ``GRID``; option -> values, tried
        in every combination) is fitted once on the data before the last ``days`` of ``data``
        and scored on the winners of the races in those days (:func:`tuning_split`). A point
        the package fails on numerically scores NaN and is never chosen; ties go to the first
        in grid order. The scores are kept in the returned baseline's ``tuning``.
        """
        grid = grid or self.grid or self.GRID
        past, scored = tuning_split(data, days)
        keys, scores = list(grid), {}
        for values in product(*grid.values()):
            point = dict(zip(keys, values, strict=True))
            try:
                ratings = dataclasses.replace(self, **point, tune=False).rate(past)
            except (ValueError, ZeroDivisionError):  # the packages' math domain errors
                scores[values] = float("nan")
                continue
            scores[values] = winner_log_loss(scored, ratings)
        best = min(scores, key=lambda k: np.nan_to_num(scores[k], nan=np.inf))
        tuning = pd.Series(scores).rename_axis(keys)
        return self._with(dict(zip(keys, best, strict=True)), tuning)
