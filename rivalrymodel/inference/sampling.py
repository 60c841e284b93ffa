"""Sample a ModelSpec on RaceData and keep the result as a :class:`~.posterior.Fit`.

nutpie is the default sampler: it samples the compiled PyMC model directly, about twice as fast
end to end as ``pm.sample`` (docs/model.md). ``sampler="pymc"`` uses PyMC's own NUTS.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
import time
from typing import Literal

import pandas as pd
import pymc as pm
import xarray as xr

from .._version import __version__
from ..data.covariates import absence_returns
from ..data.racedata import RaceData
from ..errors import InputError
from ..models import Design, build_model, family_of
from ..spec import ModelSpec
from .posterior import Fit, _diagnostics_table
from .storage import compact

__all__ = [
    "fit", "prior_predictive", "forecast_attrs", "draw_plan", "DEFAULTS", "QUICK", "quick_data",
]  # fmt: skip

DEFAULTS = {"draws": 2000, "tune": 500, "chains": 2, "max_draws": 8000}
"""The default sampler settings: 2 chains of 2000 draws after 500 warm-up, doubled (up to 8000)
while a diagnostic fails. Two chains because the warm-up is paid per chain: on a 2-core machine
2 x (500 + 2000) samples the default model of the bundled data in about 60% of the time of
4 x (500 + 1500), with r_hat (on four split half-chains) and ESS still passing
(``benchmarks/README.md``). ``benchmarks/convergence_default.md`` checks every yardstick
cut-off at these settings; doubling only where needed leaves the other fits at their cost."""

QUICK = {"draws": 150, "tune": 150, "chains": 2}
"""Sampler settings of a smoke run (examples and CLI ``--quick``): it will not converge."""


def quick_data(data: RaceData, months: int = 18) -> RaceData:
    """The last ``months`` of ``data`` before its cutoff (or last race), for a smoke run."""
    end = data.cutoff if data.cutoff is not None else data.races["date"].max()
    return data.since(pd.Timestamp(end) - pd.DateOffset(months=months))


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
    *,
    draws: int | None = None,
    tune: int = DEFAULTS["tune"],
    chains: int = DEFAULTS["chains"],
    max_draws: int | None = None,
    random_seed: int | None = None,
    sampler: Literal["nutpie", "pymc"] = "nutpie",
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
    draws, tune, chains
        Posterior draws and warm-up iterations per chain, and the number of chains. 500
        warm-up iterations are enough for nutpie's mass-matrix adaptation on the bundled data
        (``benchmarks/README.md``). ``draws=None`` (default) starts at 2000 and doubles the
        draws while a diagnostic fails, up to ``max_draws``; a number is taken as given.
    max_draws
        Resample with twice the draws while a diagnostic fails, up to this many (default:
        8000 when ``draws`` is None, else ``draws``: no resampling). Each attempt is a fresh
        run of the same chains (same seed), so a fit is reproducible; ``fit.attempts`` lists
        them.
    random_seed
        Same seed, data and spec: same draws.
    sampler
        ``"nutpie"`` (default) or ``"pymc"``.
    progress
        Show a progress bar; default: only when stderr is a terminal.

    Returns
    -------
    Fit
        The posterior (draws as stored by :func:`~.storage.compact`) with its log-likelihood
        and observed data. Emits a :class:`ConvergenceWarning` with the numbers when a
        diagnostic fails.
    """
    if progress is None:
        progress = sys.stderr.isatty()
    plan = draw_plan(draws, max_draws)
    for name, value in (("tune", tune), ("chains", chains)):
        if int(value) < (0 if name == "tune" else 1):
            raise InputError(f"{name} must be >= {0 if name == 'tune' else 1}, not {value}")
    if sampler not in ("nutpie", "pymc"):
        raise InputError(f"sampler must be 'nutpie' or 'pymc', not {sampler!r}")
    clock = _Clock()
    model, design = build_model(data, spec)
    clock("build")
    with _ctrl_c_kept():  # numba's compile runs Python callbacks that swallow Ctrl-C
        run = _sampler(model, sampler, tune, chains, random_seed, progress)
    clock("compile")
    attempts = []
    for n in plan:
        tree = run(n)
        # judged as Fit.diagnostics judges the stored (compacted) draws
        table = _diagnostics_table(compact(tree["posterior"].to_dataset()), tree["sample_stats"])
        worst = table.loc["all"]
        attempts.append({"draws": n, "r_hat": round(float(worst["r_hat"]), 4),
                         "ess_bulk": round(float(worst["ess_bulk"])),
                         "ess_tail": round(float(worst["ess_tail"])),
                         "divergences": int(worst["divergences"]),
                         "passed": bool(worst["passed"])})  # fmt: skip
        if attempts[-1]["passed"]:
            break
    clock("sample")
    tree = _complete(tree, model, design, spec, data, sampler, random_seed)
    tree.attrs["attempts"] = json.dumps(attempts)
    clock("log_likelihood")
    result = Fit(tree)
    result._diagnostics = table  # the same draws as judged above: not computed twice
    result.check()
    clock("diagnostics")
    tree.attrs["timings_s"] = json.dumps(clock.laps)  # the tree the Fit holds
    return result


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


def draw_plan(draws: int | None = None, max_draws: int | None = None) -> list[int]:
    """The draws per chain of each attempt: ``draws``, doubled while at most ``max_draws``.

    ``draws=None`` means the defaults (2000 up to 8000); a given ``draws`` without
    ``max_draws`` is one attempt.
    """
    if draws is None:
        draws, max_draws = DEFAULTS["draws"], max_draws or DEFAULTS["max_draws"]
    draws = int(draws)
    max_draws = draws if max_draws is None else int(max_draws)
    if draws < 1:
        raise InputError(f"draws must be >= 1, not {draws}")
    if max_draws < draws:
        raise InputError(f"max_draws ({max_draws}) must be >= draws ({draws})")
    plan = [draws]
    while plan[-1] * 2 <= max_draws:
        plan.append(plan[-1] * 2)
    return plan


def _sampler(model, sampler: str, tune: int, chains: int, seed, progress: bool):
    """A function of the draws per chain that samples ``model`` (compiled once)."""
    if sampler == "nutpie":
        import nutpie

        compiled = nutpie.compile_pymc_model(model)

        def run_nutpie(draws):
            sampler = nutpie.sample(
                compiled, draws=draws, tune=tune, chains=chains, seed=seed,
                progress_bar=progress, save_warmup=False, blocking=False,
            )  # fmt: skip
            try:
                return sampler.wait()
            except KeyboardInterrupt:
                # nutpie's own blocking call would return the draws so far as if complete
                sampler.cancel()
                raise

        return run_nutpie

    def run(draws):
        with model:
            return pm.sample(
                draws=draws, tune=tune, chains=chains, random_seed=seed,
                progressbar=progress, nuts_sampler="pymc", compute_convergence_checks=False,
            )  # fmt: skip

    return run


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
        **forecast_attrs(data),
    )
    return tree


def forecast_attrs(data: RaceData) -> dict[str, str]:
    """What a forecast needs besides the draws, as attributes of the fit's tree: where the data
    end (``data_end``, the last race date) and the first day they could have been known
    (``cutoff``: ``data.earliest_as_of``, whatever date ``as_of`` was called with, so the
    fit of the same data is the same fit), the athletes' names (with countries and aliases, for
    the name resolver), and the absences the data know (announced by their cutoff) with
    returns, as JSON."""
    returns = absence_returns(data)[["athlete_id", "start", "returned", "announced"]]

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

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last, 3)
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
