"""Sample a ModelSpec on RaceData, diagnose the run, and keep the result as a :class:`Fit`.

nutpie is the default sampler: it samples the compiled PyMC model directly, about twice as fast
end to end as ``pm.sample`` (DESIGN.md section 7). ``sampler="pymc"`` uses PyMC's own NUTS.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Literal

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from . import __version__
from . import championship as _championship
from . import diagnostics as _diag
from . import forecast as _forecast
from .covariates import absence_returns, distance_x
from .data import RaceData
from .models import Design, build_model
from .models.design import SLOT_PAD
from .projection import nearest_cells
from .simulate import simulate_places
from .spec import ModelSpec

__all__ = [
    "Fit", "ConvergenceWarning", "fit", "cached_fit", "load_fit", "prior_predictive", "THRESHOLDS",
]  # fmt: skip

THRESHOLDS = {"r_hat": 1.01, "ess_bulk": 400.0, "ess_tail": 400.0, "divergences": 0}


class ConvergenceWarning(UserWarning):
    """The sampler's diagnostics fail a threshold (r_hat, ESS or divergences)."""


def _observed_name(spec: ModelSpec) -> str:
    return "log_time" if spec.family == "times" else "finish_order"


def _observed(design: Design, spec: ModelSpec) -> xr.Dataset:
    if spec.family == "times":
        return xr.Dataset({"log_time": (("result",), design.obs_log_time)})
    return xr.Dataset({"finish_order": (("race", "slot"), design.slot_kind)})


def _label(tree: xr.DataTree, design: Design) -> None:
    """Give athletes their names and cells their athlete and season, as coordinates."""
    cell_athlete = design.athlete_ids[design.cell_athlete]
    for group in ("posterior", "log_likelihood", "observed_data", "prior"):
        if group not in tree.children:
            continue
        ds = tree[group].to_dataset()
        if "athlete" in ds.dims:
            ds = ds.assign_coords(athlete_name=("athlete", design.athlete_names))
        if "cell" in ds.dims:
            ds = ds.assign_coords(
                cell_athlete=("cell", cell_athlete), cell_season=("cell", design.cell_season)
            )
        if "race" in ds.dims:
            ds = ds.assign_coords(race_date=("race", design.race_dates.astype("datetime64[ns]")))
        tree[group] = xr.DataTree(ds)


def fit(
    spec: ModelSpec,
    data: RaceData,
    *,
    draws: int = 1000,
    tune: int = 500,
    chains: int = 4,
    random_seed: int | None = None,
    sampler: Literal["nutpie", "pymc"] = "nutpie",
    progress: bool | None = None,
) -> Fit:
    """Sample the posterior of ``spec`` on ``data``.

    Parameters
    ----------
    spec, data
        The model and the data it sees (use ``data.as_of(date)`` for a forecast as of a date).
    draws, tune, chains
        Posterior draws and warm-up iterations per chain, and the number of chains. 500
        warm-up iterations are enough for nutpie's mass-matrix adaptation on the bundled data
        (the acceptance fit passes every diagnostic with them; ``benchmarks/README.md``).
    random_seed
        Same seed, data and spec: same draws.
    sampler
        ``"nutpie"`` (default) or ``"pymc"``.
    progress
        Show a progress bar; default: only when stderr is a terminal.

    Returns
    -------
    Fit
        The posterior with its log-likelihood and observed data. Emits a
        :class:`ConvergenceWarning` with the numbers when a diagnostic fails.
    """
    if progress is None:
        progress = sys.stderr.isatty()
    clock = _Clock()
    model, design = build_model(data, spec)
    clock("build")
    if sampler == "nutpie":
        import nutpie

        compiled = nutpie.compile_pymc_model(model)
        clock("compile")
        tree = nutpie.sample(
            compiled,
            draws=draws,
            tune=tune,
            chains=chains,
            seed=random_seed,
            progress_bar=progress,
            save_warmup=False,
        )
    elif sampler == "pymc":
        with model:
            tree = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                random_seed=random_seed,
                progressbar=progress,
                nuts_sampler="pymc",
                compute_convergence_checks=False,
            )
    else:
        raise ValueError(f"sampler must be 'nutpie' or 'pymc', not {sampler!r}")
    clock("sample")
    tree = pm.compute_log_likelihood(tree, model=model, progressbar=False)
    clock("log_likelihood")
    tree["observed_data"] = xr.DataTree(_observed(design, spec))
    # nutpie keeps free-text divergence messages as Python objects, which netCDF cannot store.
    stats = tree["sample_stats"].to_dataset()
    stats = stats.drop_vars([v for v in stats.data_vars if stats[v].dtype == object])
    tree["sample_stats"] = xr.DataTree(stats)
    _label(tree, design)
    tree.attrs.update(
        spec=spec.to_json(),
        cutoff="" if data.cutoff is None else f"{data.cutoff:%Y-%m-%d}",
        data_fingerprint=data.fingerprint(),
        rivalrymodel_version=__version__,
        sampler=sampler,
        random_seed=-1 if random_seed is None else int(random_seed),
        **forecast_attrs(data),
    )
    result = Fit(tree)
    result.check()
    clock("diagnostics")
    result._tree.attrs["timings_s"] = json.dumps(clock.laps)
    return result


def forecast_attrs(data: RaceData) -> dict[str, str]:
    """What a forecast needs besides the draws, as JSON attributes of the fit's tree: the
    athletes' names, and the absences the data know (announced by their cutoff) with returns."""
    returns = absence_returns(data)[["athlete_id", "start", "returned", "announced"]]
    return {
        "athletes": data.athletes[["athlete_id", "name"]].to_json(orient="records"),
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


class Fit:
    """A sampled posterior: ``fit.tree`` is the ArviZ DataTree; helpers answer the usual questions.

    Build one with :meth:`ModelSpec.fit` or :func:`load_fit`; it is not changed afterwards.
    """

    def __init__(self, tree: xr.DataTree):
        self._tree = tree
        self._diagnostics: pd.DataFrame | None = None
        self._cache: dict = {}  # derived lookups (forecast roster, posterior view); never the draws
        self.spec = ModelSpec.from_json(tree.attrs["spec"])
        cut = tree.attrs.get("cutoff", "")
        self.cutoff = pd.Timestamp(cut) if cut else None

    @property
    def tree(self) -> xr.DataTree:
        """The DataTree (posterior, sample_stats, log_likelihood, observed_data); a copy."""
        return self._tree.copy(deep=True)

    @property
    def posterior(self) -> xr.Dataset:
        if "posterior" not in self._cache:
            self._cache["posterior"] = self._tree["posterior"].to_dataset()
        return self._cache["posterior"]

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent building, compiling, sampling, ... (empty for a hand-built tree)."""
        return json.loads(self._tree.attrs.get("timings_s", "{}"))

    def __repr__(self) -> str:
        post = self.posterior
        cut = f", as of {self.cutoff:%Y-%m-%d}" if self.cutoff is not None else ""
        return (
            f"Fit({self.spec.name!r}, {post.sizes['chain']} chains x {post.sizes['draw']} draws, "
            f"{post.sizes['athlete']} athletes{cut})"
        )

    def diagnostics(self) -> pd.DataFrame:
        """r_hat, ess_bulk and ess_tail per parameter (worst element), divergences, pass/fail.

        One row per named parameter, then a row ``all`` with the worst values overall and the
        number of divergent transitions; ``passed`` says whether each row meets THRESHOLDS.
        The raw standard-normal variables of the non-centred terms (``*_z``) are left out:
        each is the named term divided by its scale. Computed once, then kept.
        """
        if self._diagnostics is None:
            self._diagnostics = self._compute_diagnostics()
        return self._diagnostics.copy()

    def _compute_diagnostics(self) -> pd.DataFrame:
        post = self.posterior
        names = [v for v in post.data_vars if post[v].size > 0 and not str(v).endswith("_z")]
        # Vectorised r_hat and ESS (equal to arviz.rhat/arviz.ess, ~5x faster at 8,000 parameters).
        rows = _diag.by_parameter(post, names)
        df = pd.DataFrame(rows)
        div = int(self._tree["sample_stats"]["diverging"].sum())
        overall = {
            "parameter": "all",
            "size": int(df["size"].sum()),
            "r_hat": df["r_hat"].max(),
            "ess_bulk": df["ess_bulk"].min(),
            "ess_tail": df["ess_tail"].min(),
        }
        df = pd.concat([df, pd.DataFrame([overall])], ignore_index=True)
        df["divergences"] = pd.array([pd.NA] * (len(df) - 1) + [div], dtype="Int64")
        df["passed"] = (
            (df["r_hat"] <= THRESHOLDS["r_hat"])
            & (df["ess_bulk"] >= THRESHOLDS["ess_bulk"])
            & (df["ess_tail"] >= THRESHOLDS["ess_tail"])
        )
        df.loc[df.index[-1], "passed"] = (
            bool(df["passed"].all()) and div <= THRESHOLDS["divergences"]
        )
        return df.set_index("parameter")

    def check(self) -> bool:
        """Warn (ConvergenceWarning) with numbers when a diagnostic fails; True when all pass."""
        d = self.diagnostics()
        worst = d.loc["all"]
        if bool(worst["passed"]):
            return True
        failing = d.index[~d["passed"].astype(bool)].drop("all", errors="ignore")
        warnings.warn(
            f"{self.spec.name}: max r_hat {worst['r_hat']:.3f} (want <= {THRESHOLDS['r_hat']}), "
            f"min ess_bulk {worst['ess_bulk']:.0f} and ess_tail {worst['ess_tail']:.0f} "
            f"(want >= {THRESHOLDS['ess_bulk']:.0f}), {worst['divergences']} divergences; "
            f"failing: {', '.join(failing) or 'divergences only'}. See fit.diagnostics().",
            ConvergenceWarning,
            stacklevel=3,
        )
        return False

    def loo(self, **kwargs):
        """PSIS-LOO (``arviz.loo``) over the pointwise log-likelihood (races; times: results)."""
        return az.loo(self._tree, var_name=_observed_name(self.spec), **kwargs)

    def ability_draws(
        self,
        date: str | pd.Timestamp | None = None,
        *,
        event: str = "1500m",
        unpaced: bool = False,
        random_seed: int | None = 0,
    ) -> xr.DataArray:
        """Posterior draws (chain, draw, athlete) of each athlete's utility on ``date``.

        An athlete seen last in an earlier season (or first in a later one) is carried by the
        random walk: one step of ``step_sd`` per season in between, drawn with ``random_seed``.
        """
        post = self.posterior
        day = pd.Timestamp(date) if date is not None else self.cutoff
        if day is None:
            day = pd.Timestamp(f"{int(post['cell_season'].max())}-12-31")
        season = day.year
        theta = post["ability"]
        cell, steps = nearest_cells(
            post["cell_athlete"].to_numpy(),
            post["cell_season"].to_numpy(),
            post["athlete"].to_numpy(),
            season,
        )
        u = theta.isel(cell=cell.astype(int)).rename(cell="athlete")
        u = u.drop_vars(["cell", "cell_athlete", "cell_season"], errors="ignore").assign_coords(
            athlete=post["athlete"], athlete_name=post["athlete_name"]
        )
        gap = xr.DataArray(steps.astype(float), dims="athlete")
        if "step_sd" in post and float(gap.max()) > 0:
            rng = np.random.default_rng(random_seed)
            noise = rng.standard_normal(u.shape)
            u = u + post["step_sd"] * np.sqrt(gap) * noise
        if "distance" in post:
            u = u + post["distance"] * distance_x(event)
        if "unpaced" in post and unpaced:
            u = u + post["unpaced"]
        return u.rename("utility").assign_coords(seasons_away=("athlete", gap.to_numpy()))

    def abilities(
        self,
        date: str | pd.Timestamp | None = None,
        *,
        event: str = "1500m",
        unpaced: bool = False,
        max_gap: int | None = 1,
        random_seed: int | None = 0,
    ) -> pd.DataFrame:
        """Each athlete's ability on ``date`` in ``event``: mean and 90% interval, best first.

        Default date: the fit's cutoff (or the end of its last season). Only athletes who raced
        within ``max_gap`` seasons of the date's season are listed (None: everyone ever seen).
        Columns: athlete_id, name, event, season, seasons_away (seasons between the date and the
        athlete's nearest season with races), mean, q05, q95. Utilities are on the
        Plackett-Luce scale: a difference of 1 multiplies the odds of finishing ahead by e in a
        paced final (times family: units of ``spec.time_scale`` of finish time).
        """
        u = self.ability_draws(date, event=event, unpaced=unpaced, random_seed=random_seed)
        q = u.quantile([0.05, 0.95], dim=("chain", "draw"))
        day = pd.Timestamp(date) if date is not None else self.cutoff
        season = day.year if day is not None else int(self.posterior["cell_season"].max())
        df = pd.DataFrame(
            {
                "athlete_id": u["athlete"].to_numpy(),
                "name": u["athlete_name"].to_numpy(),
                "event": event,
                "season": season,
                "seasons_away": u["seasons_away"].to_numpy().astype(int),
                "mean": u.mean(("chain", "draw")).to_numpy(),
                "q05": q.sel(quantile=0.05).to_numpy(),
                "q95": q.sel(quantile=0.95).to_numpy(),
            }
        )
        if max_gap is not None:
            df = df[df["seasons_away"] <= max_gap]
        return df.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)

    def forecast(self, start_list: _forecast.StartList, **kwargs) -> _forecast.Forecast:
        """Win, podium and top-k probabilities of a race: :func:`rivalrymodel.forecast.forecast`."""
        return _forecast.forecast(self, start_list, **kwargs)

    def head_to_head(self, a: str, b: str, **kwargs) -> pd.DataFrame:
        """P(a ahead of b) with an interval: :func:`rivalrymodel.forecast.head_to_head`."""
        return _forecast.head_to_head(self, a, b, **kwargs)

    def rivalry(self, a: str, b: str, dates, **kwargs) -> pd.DataFrame:
        """Head to head over dates: :func:`rivalrymodel.forecast.rivalry`."""
        return _forecast.rivalry(self, a, b, dates, **kwargs)

    def simulate_championship(self, heats, rules, **kwargs) -> pd.DataFrame:
        """Heats to final: :func:`rivalrymodel.championship.simulate_championship`."""
        return _championship.simulate_championship(self, heats, rules, **kwargs)

    def save(self, path: str | Path) -> Path:
        """Write the DataTree to netCDF (or zarr when ``path`` ends in .zarr); no pickle."""
        path = Path(path)
        if path.suffix == ".zarr":
            self._tree.to_zarr(path, mode="w", consolidated=False)
        else:
            self._tree.to_netcdf(path)
        return path


QUICK = {"draws": 150, "tune": 150, "chains": 2}
"""Sampler settings of a smoke run (examples and CLI ``--quick``): it will not converge."""


def quick_data(data: RaceData, months: int = 18) -> RaceData:
    """The last ``months`` of ``data`` before its cutoff (or last race), for a smoke run."""
    end = data.cutoff if data.cutoff is not None else data.races["date"].max()
    return data.since(pd.Timestamp(end) - pd.DateOffset(months=months))


def default_cache_dir() -> Path:
    """``RIVALRYMODEL_CACHE``, else ~/.cache/rivalrymodel."""
    override = os.environ.get("RIVALRYMODEL_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "rivalrymodel"


def cached_fit(
    spec: ModelSpec, data: RaceData, *, cache_dir: str | Path | None = None, **kwargs
) -> Fit:
    """:func:`fit`, kept on disk by (spec, data fingerprint, cutoff, sampler settings).

    The second call with the same arguments loads the saved fit instead of sampling again (a
    fit is reproducible, so this changes nothing but the time). ``kwargs`` go to :func:`fit`;
    ``random_seed`` must be given, as an unseeded fit is not reproducible.
    """
    if kwargs.get("random_seed") is None:
        raise ValueError("cached_fit needs a random_seed: an unseeded fit cannot be reused")
    key = json.dumps(
        {"spec": spec.to_json(), "data": data.fingerprint(), "cutoff": str(data.cutoff),
         "version": __version__, **{k: kwargs[k] for k in sorted(kwargs) if k != "progress"}},
        sort_keys=True,
    )  # fmt: skip
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    path = Path(cache_dir or default_cache_dir()) / f"{spec.name}-{digest}.nc"
    if path.exists():
        return load_fit(path)
    result = fit(spec, data, **kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.nc")
    result.save(tmp)
    tmp.replace(path)  # never leave a half-written fit under the final name
    return result


def load_fit(path: str | Path) -> Fit:
    """Read a fit written by :meth:`Fit.save`."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no saved fit at {path}")
    if path.suffix == ".zarr":
        tree = xr.open_datatree(path, engine="zarr", consolidated=False).load()
    else:
        tree = xr.open_datatree(path).load()
    if "spec" not in tree.attrs:
        raise ValueError(f"{path}: not a rivalrymodel fit (no 'spec' attribute)")
    return Fit(tree)


def prior_predictive(
    spec: ModelSpec, data: RaceData, *, draws: int = 500, random_seed: int | None = None
) -> xr.DataTree:
    """Simulate the observed races from the prior.

    The tree's ``prior`` group holds each draw's ``utility`` per observation and ``race_tau``
    per race. Plackett-Luce: ``prior_predictive['place']`` (chain, draw, result) is a finishing
    order simulated exactly by Gumbel-max, and ``observed_data['place']`` the real one (places
    among the modelled runners of each race). Times: ``log_time`` simulated and observed.
    ``constant_data`` holds each observation's race index.
    """
    model, design = build_model(data, spec, keep_utility=True)
    names = ["utility", "race_tau"] + (["log_time"] if spec.family == "times" else [])
    with model:
        tree = pm.sample_prior_predictive(draws=draws, var_names=names, random_seed=random_seed)
    tree["constant_data"] = xr.DataTree(xr.Dataset({"race_index": (("result",), design.obs_race)}))
    if spec.family == "times":
        tree["observed_data"] = xr.DataTree(_observed(design, spec))
        return tree
    u = tree["prior"]["utility"].to_numpy()  # (chain, draw, result)
    tau = tree["prior"]["race_tau"].to_numpy()
    v = np.append(u / tau[..., design.obs_race], np.zeros(u.shape[:-1] + (1,)), axis=-1)
    padded = v[..., design.slots]  # (chain, draw, race, slot)
    present = design.slot_kind != SLOT_PAD
    sim = simulate_places(padded, present, np.random.default_rng(random_seed))
    place = np.zeros(u.shape, dtype=np.int64)
    r, slot = np.nonzero(present)
    place[..., design.slots[r, slot]] = sim[..., r, slot]
    real = np.zeros(design.n_obs, dtype=np.int64)
    real[design.slots[r, slot]] = slot + 1
    tree["prior_predictive"] = xr.DataTree(
        xr.Dataset({"place": (("chain", "draw", "result"), place)})
    )
    tree["observed_data"] = xr.DataTree(xr.Dataset({"place": (("result",), real)}))
    return tree
