"""Rolling-origin backtests: forecast real start lists from only what was known before each race.

Every forecaster, the model and the baselines alike, is fitted at each origin on
``data.as_of(origin)`` (the same information for all): per season (1 January of the race's
season), per month (the 1st) or per race (the race day itself), always strictly before the
race. Every forecast is scored against the result (:mod:`.metrics`).

The (model x origin) grid runs through any ``concurrent.futures.Executor``: a local process pool
by default, or a Dask ``distributed`` client's executor (``client.get_executor()``) for more than
one machine. Fits are cached on disk by (spec, data, cutoff, sampler settings), so a rerun costs
nothing but loading them.
"""

from __future__ import annotations

import concurrent.futures as cf
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.files import write_table, write_text_atomically
from ..data.racedata import RaceData
from ..errors import InputError
from ..forecasting import Forecaster, ModelForecaster, StartList
from ..inference import DEFAULT, SamplerSettings
from ..spec import ModelSpec
from .metrics import bootstrap_mean, expected_calibration_error, reliability, score_race
from .ratings import BASELINES, TunedBaseline, make_baseline
from .targets import DIAMOND_LEAGUE, default_targets, refit_origin

__all__ = ["default_targets", "backtest", "Backtest", "METRICS", "DIAMOND_LEAGUE"]

METRICS = ["log_loss", "brier", "rps", "top3_log_loss", "pair_log_loss", "pair_accuracy"]
_RACE_COLUMNS = ["model", "race_id", "set", "field_complete", *METRICS]
_PROB_COLUMNS = ["model", "race_id", "athlete_id", "p_win", "won", "p_podium", "podium"]


def _places(data: RaceData, race_id: str) -> pd.Series:
    res = data.results
    rows = res[res["race_id"].eq(race_id) & res["status"].eq("OK")]
    return rows.set_index("athlete_id")["place"].astype(float)


def _score(name, fc, data, race_id) -> tuple[dict, pd.DataFrame]:
    places = _places(data, race_id)
    row = {"model": name, "race_id": race_id, **score_race(fc, places)}
    ids = list(fc.athlete_ids)
    t = fc.table.set_index("athlete_id").loc[ids]
    rank = places.reindex(ids).rank(method="first")
    probs = pd.DataFrame(
        {
            "model": name,
            "race_id": race_id,
            "athlete_id": ids,
            "p_win": t["p_win"].to_numpy(),
            "p_podium": t["p_podium"].to_numpy(),
            "won": (rank == 1).to_numpy(),
            "podium": (rank <= 3).to_numpy(),
        }
    )
    return row, probs


def _run(forecaster: Forecaster, data, origin, race_ids, seed):
    """One grid cell: fit the forecaster on ``data.as_of(origin)`` and score its targets."""
    fitted = forecaster.fit(data.as_of(origin))
    rows, probs = [], []
    for rid in race_ids:
        sl = StartList.from_race(data, rid)
        row, p = _score(forecaster.name, fitted.forecast(sl, random_seed=seed), data, rid)
        rows.append(row | {"origin": origin, "converged": not fitted.notes})
        probs.append(p)
    return rows, probs, list(fitted.notes)


@dataclass(frozen=True, eq=False)
class Backtest:
    """Backtest results: ``races`` (one row per model x race), ``probabilities`` (one row per
    model x race x runner) and the notes of fits that failed their convergence checks."""

    races: pd.DataFrame
    probabilities: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def pooled(self, complete_only: bool = False) -> pd.DataFrame:
        """The races with a set column; ``all`` pools every set, each race once."""
        races = self.races
        if complete_only:
            races = races[races["field_complete"].astype(bool)]
        pooled = races.drop_duplicates(["model", "race_id"]).assign(set="all")
        return pd.concat([races, pooled], ignore_index=True)

    def summary(self, *, reps: int = 2000, complete_only: bool = False) -> pd.DataFrame:
        """Per model and target set (and ``all``): mean of each metric with a 90% bootstrap
        interval over races, the geometric-mean probability of the winner, and the expected
        calibration error of win and podium probabilities. ``complete_only``: only races whose
        every starter is known."""
        rows = []
        for (model, tset), g in self.pooled(complete_only).groupby(["model", "set"]):
            row = {"model": model, "set": tset, "races": len(g)}
            for m in METRICS:
                mean, lo, hi = bootstrap_mean(g[m].to_numpy(), reps=reps)
                row.update({m: mean, f"{m}_lo": lo, f"{m}_hi": hi})
            row["gm_p_winner"] = float(np.exp(-g["log_loss"].mean()))
            p = self.probabilities
            p = p[p["model"].eq(model) & p["race_id"].isin(g["race_id"])]
            row["ece_win"] = expected_calibration_error(p["p_win"], p["won"])
            row["ece_podium"] = expected_calibration_error(p["p_podium"], p["podium"])
            rows.append(row)
        return pd.DataFrame(rows)

    def differences(
        self,
        reference: str,
        metric: str = "log_loss",
        *,
        reps: int = 2000,
        complete_only: bool = False,
    ):
        """Mean of (model - reference) per race, paired, with a 90% bootstrap interval over
        races, per set and ``all``; negative: the model scores lower than the reference (better
        for a loss; for pair_accuracy, higher is better)."""
        wide = self.pooled(complete_only).pivot_table(
            index=["race_id", "set"], columns="model", values=metric
        )
        rows = []
        for model in wide.columns:
            if model == reference:
                continue
            for tset, g in wide.groupby(level="set"):
                d = (g[model] - g[reference]).dropna().to_numpy()
                mean, lo, hi = bootstrap_mean(d, reps=reps)
                rows.append({"model": model, "set": tset, "races": len(d), "mean": mean,
                             "lo": lo, "hi": hi})  # fmt: skip
        return pd.DataFrame(rows)

    def by_subset(self, subsets: pd.DataFrame) -> Backtest:
        """The races of ``subsets`` (columns race_id, subset; e.g.
        :func:`~rivalrymodel.evaluation.term_subsets`) with the subset as their set: a race is
        there once per subset it is in."""
        races = self.races.drop(columns="set").merge(subsets.rename(columns={"subset": "set"}))
        return Backtest(races, self.probabilities, list(self.notes))

    def for_targets(self, targets: pd.DataFrame) -> Backtest:
        """The forecasts of ``targets`` (columns race_id, origin, set; e.g.
        :func:`~rivalrymodel.evaluation.yardstick_targets` with its extra sets), each with the
        target's set: a forecast counts for a target only if made from the target's origin, and
        a race is there once per set it is in. The probabilities carry the set too."""
        keys = targets[["race_id", "origin", "set"]].assign(
            origin=pd.to_datetime(targets["origin"]).astype("datetime64[ns]")
        )
        races = self.races.drop(columns="set").assign(
            origin=pd.to_datetime(self.races["origin"]).astype("datetime64[ns]")
        )
        races = races.merge(keys, on=["race_id", "origin"])
        probs = self.probabilities.merge(
            races[["model", "race_id", "set"]], on=["model", "race_id"]
        )
        return Backtest(races, probs, list(self.notes))

    def save(self, folder: str | Path, *, compress: bool = False) -> Path:
        """Write ``races.csv`` and ``probabilities.csv`` (``.csv.gz`` with ``compress``) and the
        convergence notes (``notes.txt``, one a line) into ``folder``, each atomically;
        :meth:`load` reads them back."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        ext = ".csv.gz" if compress else ".csv"
        for name, df in (("races", self.races), ("probabilities", self.probabilities)):
            write_table(folder / f"{name}{ext}", df)
        write_text_atomically(folder / "notes.txt", "".join(f"{n}\n" for n in self.notes))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Backtest:
        """The backtest written by :meth:`save` (or ``yardstick.py``, the CLI) into ``folder``."""
        folder = Path(folder)
        tables = {}
        for name, needed in (("races", _RACE_COLUMNS), ("probabilities", _PROB_COLUMNS)):
            path = next((folder / f"{name}{e}" for e in (".csv", ".csv.gz")
                         if (folder / f"{name}{e}").exists()), None)  # fmt: skip
            if path is None:
                raise FileNotFoundError(f"{folder}: no {name}.csv or {name}.csv.gz")
            df = pd.read_csv(path, dtype={"athlete_id": str, "race_id": str, "model": str})
            missing = [c for c in needed if c not in df.columns]
            if missing:
                raise InputError(f"{path}: missing column(s) {missing}")
            for c in ("date", "origin"):
                if c in df.columns:
                    df[c] = pd.to_datetime(df[c])
            tables[name] = df
        notes = folder / "notes.txt"  # absent from a run saved before notes were kept
        kept = notes.read_text().splitlines() if notes.exists() else []
        return cls(tables["races"], tables["probabilities"], kept)

    def combine(self, *others: Backtest) -> Backtest:
        """These forecasts with those of ``others`` that add a (model, race) pair not yet here
        (the first one given wins), so runs of one forecaster on different origins add up; the
        notes of every run, each once."""
        races, probs = [self.races], [self.probabilities]
        have = set(zip(self.races["model"], self.races["race_id"], strict=True))
        for o in others:
            pairs = pd.Series(list(zip(o.races["model"], o.races["race_id"], strict=True)))
            new = o.races[~pairs.isin(have).to_numpy()]
            added = set(zip(new["model"], new["race_id"], strict=True))
            keys = zip(o.probabilities["model"], o.probabilities["race_id"], strict=True)
            probs.append(o.probabilities[[k in added for k in keys]])
            races.append(new)
            have |= added
        notes = list(dict.fromkeys([*self.notes, *(n for o in others for n in o.notes)]))
        return Backtest(pd.concat(races, ignore_index=True),
                        pd.concat(probs, ignore_index=True), notes)  # fmt: skip

    def calibration(self, model: str, what: str = "p_win") -> pd.DataFrame:
        """Reliability table of one model's win (``p_win``) or podium (``p_podium``) forecasts."""
        p = self.probabilities[self.probabilities["model"].eq(model)]
        outcome = "won" if what == "p_win" else "podium"
        return reliability(p[what].to_numpy(), p[outcome].to_numpy())


def backtest(
    models: Sequence[ModelSpec | str],
    data: RaceData,
    targets: pd.DataFrame | None = None,
    *,
    refit: str | None = None,
    executor: cf.Executor | None = None,
    settings: SamplerSettings = DEFAULT,
    cache_dir: str | None = None,
    random_seed: int = 0,
    progress: bool = True,
) -> Backtest:
    """Forecast and score every target race with every model and baseline.

    Parameters
    ----------
    models
        Forecasters (:class:`~rivalrymodel.forecasting.Forecaster`), model specs (a
        :class:`~rivalrymodel.forecasting.ModelForecaster` with ``settings``) and baseline
        names (keys of :data:`~rivalrymodel.evaluation.BASELINES`, built by ``make_baseline``);
        each is fitted at every origin on ``data.as_of(origin)``.
    data
        All the data; each forecast sees only ``data.as_of`` its origin.
    targets
        Target races (a table with race_id, date, set); default :func:`default_targets`. A
        race in several sets is forecast once per origin, and one backtest holds one origin
        per race (``preseason`` and ``in_championship`` each run on their own).
    refit
        When forecasters are refitted: ``None`` (default) uses the targets' ``origin`` column
        when it has one (:func:`~.targets.yardstick_targets`), else ``"season"``; or
        ``"season"``, ``"monthly"``, ``"per_race"``.
    executor
        Where the grid runs; default a local process pool. Pass ``client.get_executor()`` of a
        ``dask.distributed.Client`` to use a cluster.
    settings
        The model fits' sampler settings (``inference.SamplerSettings``; ``inference.QUICK``
        for a smoke run: short fits on the last 18 months of data before each origin).
    cache_dir
        Where the model's fits and the named baselines' tunings are cached (default
        ``inference.default_cache_dir()``).
    """
    targets = default_targets(data) if targets is None else targets
    targets = targets.assign(date=pd.to_datetime(targets["date"]))
    if refit is None and "origin" in targets:
        origins = pd.to_datetime(targets["origin"])
    else:
        origins = targets["date"].map(lambda d: refit_origin(d, refit or "season"))
    if (origins > targets["date"]).any():
        raise InputError("a target's origin is after its race: it would see the race")
    pairs = pd.DataFrame({"race_id": targets["race_id"], "origin": origins}).drop_duplicates()
    twice = pairs.loc[pairs["race_id"].duplicated(), "race_id"]
    if len(twice):
        raise InputError(
            f"race {twice.iloc[0]} has two origins here (sets with different origin rules): "
            "run them in separate backtests"
        )
    forecasters = [_as_forecaster(m, settings, cache_dir, random_seed) for m in models]
    jobs = []
    for f in forecasters:
        for origin, group in pairs.groupby("origin"):
            args = (f, data, origin, list(group["race_id"]), random_seed)
            jobs.append((f"{f.name} as of {origin:%Y-%m-%d}", _run, args))
    own = executor is None
    executor = executor or cf.ProcessPoolExecutor()
    rows, probs, notes = [], [], []
    try:
        futures = {executor.submit(fn, *args): label for label, fn, args in jobs}
        for i, fut in enumerate(cf.as_completed(futures), start=1):
            r, p, n = fut.result()
            rows += r
            probs += p
            notes += [f"{futures[fut]}: {text}" for text in n]
            if progress:
                print(f"backtest: {i}/{len(jobs)} done ({futures[fut]})", file=sys.stderr)
    finally:
        if own:
            executor.shutdown()
    keep = [c for c in ("race_id", "date", "set", "event", "field_complete") if c in targets]
    races = pd.DataFrame(rows).merge(targets[keep], on="race_id")
    races = races.sort_values(["model", "date", "race_id"]).reset_index(drop=True)
    return Backtest(races, pd.concat(probs, ignore_index=True), notes)


def _as_forecaster(m, settings, cache_dir, seed) -> Forecaster:
    if isinstance(m, Forecaster):
        return m
    if isinstance(m, ModelSpec):
        return ModelForecaster(m, settings, cache_dir=cache_dir, random_seed=seed)
    # A tuned baseline keeps its tunings in the cache folder the model's fits use.
    tuned = isinstance(BASELINES.get(m), type) and issubclass(BASELINES[m], TunedBaseline)
    return make_baseline(m, **({"cache_dir": cache_dir} if tuned and cache_dir else {}))
