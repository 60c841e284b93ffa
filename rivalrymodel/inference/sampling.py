"""Sample a ModelSpec on RaceData and keep the result as a :class:`~.posterior.Fit`.

nutpie is the default sampler: it samples the compiled PyMC model directly, about twice as fast
end to end as ``pm.sample`` (docs/model.md); ``SamplerSettings(sampler="pymc")`` uses PyMC's own
NUTS. :func:`until_converged` is the one doubling loop of the fit and the fit cache; with nutpie
a doubled attempt extends the chains of the one before (:mod:`~.chains`).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import pymc as pm
import xarray as xr

from .._version import __version__
from ..data.covariates import absence_returns
from ..data.racedata import RaceData
from ..models import Design, build_model, family_of
from ..spec import ModelSpec
from .chains import chains_of
from .diagnostics import table as diagnostics_table
from .posterior import Fit
from .settings import DEFAULT, SamplerSettings
from .storage import compact

__all__ = ["fit", "prior_predictive", "forecast_attrs", "until_converged", "Sampler"]


def _label(tree: xr.DataTree, design: Design) -> None:
    """Give athletes their names and cells their athlete and season, as coordinates."""
    cell_athlete = design.athlete_ids[design.cell_athlete]
    day = pd.Series(design.race_dates.astype("datetime64[ns]"), index=design.race_ids)
    for group in ("posterior", "log_likelihood", "observed_data", "prior"):
        if group not in tree.children:
            continue
        ds = tree[group].to_dataset()
        if "athlete" in ds.dims:
            ds = ds.assign_coords(athlete_name=("athlete", design.athlete_names))
            if "drift_age" in ds:  # a forecast projects the age drift from the birth dates
                ds = ds.assign_coords(athlete_born=("athlete", design.athlete_born))
        if "cell" in ds.dims:
            ds = ds.assign_coords(
                cell_athlete=("cell", cell_athlete),
                cell_season=("cell", design.cell_season),
                cell_period=("cell", design.cell_period),
            )
        for dim in ("race", "ranked_race", "timed_race"):  # every family's races
            if dim in ds.dims:
                when = day.reindex(ds[dim].to_numpy()).to_numpy()
                ds = ds.assign_coords({f"{dim}_date": (dim, when)})
        tree[group] = xr.DataTree(ds)


def fit(
    spec: ModelSpec,
    data: RaceData,
    settings: SamplerSettings = DEFAULT,
    *,
    random_seed: int | None = None,
    progress: bool | None = None,
) -> Fit:
    """Sample the posterior of ``spec`` on ``data``.

    Parameters
    ----------
    spec, data
        The model and the data it sees (use ``data.as_of(date)`` for a forecast as of a date).
        The fit records where the data end (``fit.data_end``, the last race date) and its
        ``cutoff`` (``data.earliest_as_of``: the day after the last race, or a later
        announcement): a forecast of an earlier date is a hindcast and is refused unless asked
        for, whether or not ``as_of`` was called.
    settings
        Draws, warm-up, chains, sampler, and the data a quick fit sees
        (:class:`~.settings.SamplerSettings`; default :data:`~.settings.DEFAULT`). While a
        diagnostic fails the fit is sampled again with twice the draws, up to
        ``settings.max_draws`` (:func:`until_converged`). With nutpie the chains go on from
        where they stopped: the attempt of 4000 draws samples 2000 more, not a warm-up and
        4000 again (:mod:`~.chains`), and its draws are those of a run of 4000. With
        ``sampler="pymc"`` each attempt is a fresh run of the same chains (same seed). Either
        way a fit is reproducible; ``fit.attempts`` lists the attempts judged.
    random_seed
        Same seed, data, spec and settings: same draws.
    progress
        Show a progress bar; default: only when stderr is a terminal. nutpie's bar counts
        towards the plan's largest draws (8000 by default) and stops where a checkpoint passes.

    Returns
    -------
    Fit
        The posterior (draws as stored by :func:`~.storage.compact`) with its log-likelihood
        and observed data. Emits a :class:`ConvergenceWarning` with the numbers when a
        diagnostic fails.
    """
    sampler = Sampler(spec, settings.data(data), settings, random_seed, progress)
    attempts = []

    def attempt(draws: int):
        drawn = sampler.sample(draws)
        attempts.append(drawn.summary)
        return drawn, drawn.summary["passed"]

    with sampler:  # the chains stop once an attempt is kept
        drawn = until_converged(settings.plan, attempt)
    result = sampler.finish(drawn, attempts)
    result.check()
    return result


def until_converged[T](plan: Sequence[int], attempt: Callable[[int], tuple[T, bool]]) -> T:
    """The convergence policy, one home for the fit and the fit cache: ``attempt(draws)`` for
    each draws of ``plan`` in turn (each twice the one before) until one passes its checks;
    returns the result of the last attempt made. ``attempt`` returns (result, passed)."""
    for draws in plan:
        result, passed = attempt(draws)
        if passed:
            break
    return result


@dataclass(frozen=True)
class _Drawn:
    """One sampling run: its raw tree, its diagnostics table and their summary."""

    tree: xr.DataTree
    table: pd.DataFrame
    summary: dict


class Sampler:
    """The model of ``spec`` on ``data``, built and compiled once (on first use), sampled at
    any number of draws with the warm-up, chains and seed given: with nutpie the draws of one
    run that goes on as more are asked for (up to ``settings.plan``'s last, more if asked),
    with PyMC a fresh run each time (:mod:`~.chains`). Used as a context manager, which stops
    the chains at its end.

    ``data`` are taken as given (:func:`fit` applies ``settings.data`` first).
    """

    def __init__(self, spec: ModelSpec, data: RaceData, settings: SamplerSettings,
                 random_seed: int | None, progress: bool | None = None):  # fmt: skip
        self.spec, self.data, self.settings = spec, data, settings
        self.random_seed = random_seed
        self.progress = sys.stderr.isatty() if progress is None else progress
        self._clock = _Clock()
        self._run = None

    def _compiled(self):
        if self._run is None:
            self._clock = _Clock()  # from here: entries loaded before are not this fit's time
            self._model, self._design = build_model(self.data, self.spec)
            self._clock("build")
            with _ctrl_c_kept():  # numba's compile runs Python callbacks that swallow Ctrl-C
                s = self.settings
                self._run = chains_of(self._model, s.sampler, s.tune, s.chains, s.plan[-1],
                                      self.random_seed, self.progress)  # fmt: skip
            self._clock("compile")
        return self._run

    def compile(self) -> None:
        """Build and compile the model now (else on the first :meth:`sample`)."""
        self._compiled()

    def __enter__(self) -> Sampler:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the chains (a later :meth:`sample` starts them again, from the warm-up)."""
        if self._run is not None:
            self._run.close()

    def sample(self, draws: int) -> _Drawn:
        """The first ``draws`` per chain, judged as Fit.diagnostics judges the stored
        (compacted) draws."""
        tree = self._compiled().first(draws)
        table = diagnostics_table(compact(tree["posterior"].to_dataset()), tree["sample_stats"])
        worst = table.loc["all"]
        summary = {"draws": draws, "r_hat": round(float(worst["r_hat"]), 4),
                   "ess_bulk": round(float(worst["ess_bulk"])),
                   "ess_tail": round(float(worst["ess_tail"])),
                   "divergences": int(worst["divergences"]),
                   "passed": bool(worst["passed"])}  # fmt: skip
        self._clock("sample", add=True)
        return _Drawn(tree, table, summary)

    def finish(self, drawn: _Drawn, attempts: list[dict]) -> Fit:
        """The Fit of one run: log-likelihood, observed data, labels, compact draws, attrs
        (``attempts``: the runs made for it, the last this one). Not checked: the caller warns."""
        tree = _complete(drawn.tree, self._model, self._design, self.spec, self.data,
                         self.settings.sampler, self.random_seed)  # fmt: skip
        tree.attrs["attempts"] = json.dumps(attempts)
        self._clock("log_likelihood")
        result = Fit(tree, diagnostics=drawn.table)  # the table judged above: not computed twice
        self._clock("diagnostics")
        tree.attrs["timings_s"] = json.dumps(self._clock.laps)  # the tree the Fit holds
        self._clock = _Clock()  # the next fit made here times its own stages
        return result

    def fit_at(self, draws: int) -> Fit:
        """The Fit of one run of ``draws`` per chain (a fit cache entry), unchecked."""
        drawn = self.sample(draws)
        return self.finish(drawn, [drawn.summary])


@contextlib.contextmanager
def _ctrl_c_kept():
    """Re-raise a Ctrl-C that arrived inside the block even if a C callback swallowed it
    (ctypes prints "Exception ignored" and carries on)."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    ):
        yield
        return
    pressed = []

    def handler(signum, frame):
        pressed.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def _complete(tree, model, design, spec, data, sampler, random_seed) -> xr.DataTree:
    """The sampled ``tree`` with log-likelihood, observed data, labels, compact draws, attrs."""
    tree = pm.compute_log_likelihood(tree, model=model, progressbar=False)
    tree["observed_data"] = xr.DataTree(family_of(spec).observed_data(design))
    # nutpie keeps free-text divergence messages as Python objects, which netCDF cannot store.
    stats = tree["sample_stats"].to_dataset()
    stats = stats.drop_vars([v for v in stats.data_vars if stats[v].dtype == object])
    tree["sample_stats"] = xr.DataTree(stats)
    _label(tree, design)
    tree["posterior"] = xr.DataTree(compact(tree["posterior"].to_dataset()))
    tree.attrs.update(
        spec=spec.to_json(),
        data_fingerprint=data.fingerprint(),
        rivalrymodel_version=__version__,
        sampler=sampler,
        random_seed=-1 if random_seed is None else int(random_seed),
        **forecast_attrs(data, design.absences),
    )
    return tree


def forecast_attrs(data: RaceData, returns: pd.DataFrame | None = None) -> dict[str, str]:
    """What a forecast needs besides the draws, as attributes of the fit's tree: where the data
    end (``data_end``, the last race date) and the first day they could have been known
    (``cutoff``: ``data.earliest_as_of``, whatever date ``as_of`` was called with, so the
    fit of the same data is the same fit), the athletes' names (with countries and aliases, for
    the name resolver), and the absences the data know (announced by their cutoff) with
    returns, as JSON. ``returns`` is ``absence_returns(data)`` when the caller has it (a fit:
    its design's)."""
    returns = absence_returns(data) if returns is None else returns
    returns = returns[["athlete_id", "start", "returned", "announced"]]

    def day(value):
        return "" if value is None else f"{value:%Y-%m-%d}"

    return {
        "data_end": day(data.data_end),
        "cutoff": day(data.earliest_as_of),
        "athletes": data.athletes[["athlete_id", "name", "country", "aliases"]].to_json(
            orient="records"
        ),
        "absences": returns.to_json(orient="records", date_format="iso"),
    }


class _Clock:
    """Wall-clock seconds per stage of a fit, kept in the fit (``fit.timings``)."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, stage: str, add: bool = False) -> None:
        """The time since the last call is ``stage``'s (``add``: added to it)."""
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last + (self.laps.get(stage, 0.0) if add else 0), 3)
        self._last = now


def prior_predictive(
    spec: ModelSpec, data: RaceData, *, draws: int = 500, random_seed: int | None = None
) -> xr.DataTree:
    """Simulate the observed races from the prior.

    The tree's ``prior`` group holds each draw's ``utility`` per observation and ``race_tau``
    per race. Plackett-Luce: ``prior_predictive['place']`` (chain, draw, result) is a finishing
    order simulated exactly, and ``observed_data['place']`` the real one (places among the
    modelled runners of each race). Times: ``log_time`` simulated and observed.
    ``constant_data`` holds each observation's race index.
    """
    model, design = build_model(data, spec, keep_utility=True)
    tree = family_of(spec).prior_predictive(model, design, draws, random_seed)
    tree["constant_data"] = xr.DataTree(xr.Dataset({"race_index": (("result",), design.obs_race)}))
    return tree
