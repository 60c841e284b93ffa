"""The fit result: a sampled posterior behind a small documented interface.

Forecasting, baselines and plots read a :class:`Fit` only through this interface: ``draws(name)``
(chains stacked), ``has(name)``, ``coord(name)``, ``n_samples``, ``roster`` (the athletes it can
name), ``absences`` (the absences it saw, with returns), ``cutoff``, ``data_end``, ``spec`` and
``family``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from ..models import family_of
from ..models.terms import race_day_utility
from ..spec import ModelSpec
from . import diagnostics as _diag
from . import storage

__all__ = ["Fit", "ConvergenceWarning", "load_fit"]


class ConvergenceWarning(UserWarning):
    """The sampler's diagnostics fail a threshold (r_hat, ESS or divergences)."""


class Fit:
    """A sampled posterior: ``fit.tree`` is the ArviZ DataTree; helpers answer the usual questions.

    Build one with :func:`rivalrymodel.fit` or :func:`load_fit`; it is not changed afterwards.
    Forecasts: ``rm.forecast(fit, start_list)``, ``rm.head_to_head(fit, a, b, ...)``.
    """

    def __init__(self, tree: xr.DataTree, diagnostics: pd.DataFrame | None = None):
        """``diagnostics``: the table of :meth:`diagnostics` when the caller has judged these
        draws already (the sampler does, while it decides whether to sample again)."""
        self._tree = tree
        self._diagnostics = diagnostics
        self._memo: dict = {}  # derived lookups (stacked draws, roster); never new draws
        self.spec = ModelSpec.from_json(tree.attrs["spec"])
        self.family = family_of(self.spec)
        end = tree.attrs.get("data_end", "")
        #: The date of the last race of the data the fit saw (None when unknown).
        self.data_end = pd.Timestamp(end) if end else _observed_end(tree)
        cut = tree.attrs.get("cutoff", "")
        #: The first day the fit's data could have been known (``RaceData.earliest_as_of``):
        #: a forecast of an earlier race is refused. Files saved before fits recorded it for
        #: every fit: the day after the last race they observed.
        self.cutoff = pd.Timestamp(cut) if cut else None
        if self.cutoff is None and self.data_end is not None:
            self.cutoff = self.data_end + pd.Timedelta(days=1)

    # --- the posterior interface -----------------------------------------------------------

    @property
    def posterior(self) -> xr.Dataset:
        if "posterior" not in self._memo:
            self._memo["posterior"] = self._tree["posterior"].to_dataset()
        return self._memo["posterior"]

    @property
    def n_samples(self) -> int:
        """Posterior draws over all chains."""
        return self.posterior.sizes["chain"] * self.posterior.sizes["draw"]

    def has(self, name: str) -> bool:
        """True when the posterior has a variable ``name``."""
        return name in self.posterior.data_vars

    def draws(self, name: str) -> np.ndarray:
        """Posterior draws of ``name`` as float64 (sample, ...), the chains stacked."""
        key = ("draws", name)
        if key not in self._memo:
            arr = self.posterior[name].to_numpy().astype(float)
            self._memo[key] = arr.reshape((-1,) + arr.shape[2:])
        return self._memo[key]

    def coord(self, name: str) -> np.ndarray:
        """A coordinate of the posterior (``athlete``, ``cell_athlete``, ``injured_athlete``...)."""
        return self.posterior[name].to_numpy()

    def has_coord(self, name: str) -> bool:
        """True when the posterior has a coordinate ``name`` (``cell_period`` since periods)."""
        return name in self.posterior.coords

    @property
    def roster(self) -> pd.DataFrame:
        """Every athlete the fit can name, once: athlete_id, name, index (posterior athlete
        index; -1 for an athlete of the data with no modelled result before the cutoff), and
        country and aliases where the fit keeps them (for the name resolver)."""
        if "roster" not in self._memo:
            post = self.posterior
            extra = pd.DataFrame(json.loads(self._tree.attrs.get("athletes", "[]")))
            seen = pd.DataFrame(
                {
                    "athlete_id": post["athlete"].to_numpy().astype(str),
                    "name": post["athlete_name"].to_numpy().astype(str),
                    "index": np.arange(post.sizes["athlete"]),
                }
            )
            if not extra.empty:
                extra = extra.assign(athlete_id=extra["athlete_id"].astype(str))
                extra = extra.drop_duplicates("athlete_id")
                more = [c for c in ("country", "aliases") if c in extra]
                seen = seen.merge(extra[["athlete_id", *more]], how="left", on="athlete_id")
                extra = extra[~extra["athlete_id"].isin(seen["athlete_id"])].assign(index=-1)
            roster = pd.concat([seen, extra], ignore_index=True)
            self._memo["roster"] = roster.fillna({"country": "", "aliases": ""})
        return self._memo["roster"]

    @property
    def absences(self) -> pd.DataFrame:
        """The absences the fit saw (announced by its cutoff): athlete_id, start, returned,
        announced."""
        cols = ["athlete_id", "start", "returned", "announced"]
        table = pd.DataFrame(json.loads(self._tree.attrs.get("absences", "[]")), columns=cols)
        for c in ("start", "returned", "announced"):
            table[c] = pd.to_datetime(table[c])
        return table.assign(athlete_id=table["athlete_id"].astype(str))

    # --- results ----------------------------------------------------------------------------

    @property
    def tree(self) -> xr.DataTree:
        """The DataTree (posterior, sample_stats, log_likelihood, observed_data); a copy."""
        return self._tree.copy(deep=True)

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent building, compiling, sampling, ... (empty for a hand-built tree)."""
        return json.loads(self._tree.attrs.get("timings_s", "{}"))

    @property
    def attempts(self) -> list[dict]:
        """Each sampling run of the fit: draws per chain and its worst diagnostics (the last
        is the one kept; see the ``max_draws`` of :func:`~.sampling.fit`)."""
        return json.loads(self._tree.attrs.get("attempts", "[]"))

    def __repr__(self) -> str:
        post = self.posterior
        cut = f", as of {self.cutoff:%Y-%m-%d}" if self.cutoff is not None else ""
        if self.data_end is not None:
            cut = f", data to {self.data_end:%Y-%m-%d}" + cut
        return (
            f"Fit({self.spec.name!r}, {post.sizes['chain']} chains x {post.sizes['draw']} draws, "
            f"{post.sizes['athlete']} athletes{cut})"
        )

    def diagnostics(self) -> pd.DataFrame:
        """r_hat, ess_bulk and ess_tail per parameter (worst element), divergences, pass/fail.

        One row per named parameter, then a row ``all`` with the worst values overall and the
        number of divergent transitions; ``passed`` says whether each row meets
        ``diagnostics.THRESHOLDS``.
        The raw standard-normal variables of the non-centred terms (``*_z``) are left out:
        each is the named term divided by its scale. Computed once, then kept.
        """
        if self._diagnostics is None:
            stats = self._tree.children.get("sample_stats")  # absent from a hand-built tree
            self._diagnostics = _diag.table(self.posterior, stats)
        return self._diagnostics.copy()

    def check(self) -> bool:
        """Warn (ConvergenceWarning) with numbers when a diagnostic fails; True when all pass."""
        d = self.diagnostics()
        worst = d.loc["all"]
        if bool(worst["passed"]):
            return True
        failing = d.index[~d["passed"].astype(bool)].drop("all", errors="ignore")
        want = _diag.THRESHOLDS
        warnings.warn(
            f"{self.spec.name}: max r_hat {worst['r_hat']:.3f} (want <= {want['r_hat']}), "
            f"min ess_bulk {worst['ess_bulk']:.0f} and ess_tail {worst['ess_tail']:.0f} "
            f"(want >= {want['ess_bulk']:.0f}), {worst['divergences']} divergences; "
            f"failing: {', '.join(failing) or 'divergences only'}. See fit.diagnostics().",
            ConvergenceWarning,
            stacklevel=3,
        )
        return False

    def loo(self, **kwargs):
        """PSIS-LOO (``arviz.loo``) over the pointwise log-likelihood (races; times: results).

        A fit saved without its log-likelihood (the default of :meth:`save`) has none: save
        with ``log_likelihood=True`` to compare loaded fits by LOO.
        """
        if "log_likelihood" not in self._tree.children:
            raise ValueError(
                f"the fit {self.spec.name!r} has no pointwise log-likelihood (saved without it): "
                "refit, or save with fit.save(path, log_likelihood=True)"
            )
        return az.loo(self._tree, var_name=self.family.observed, **kwargs)

    def ability_draws(
        self,
        date: str | pd.Timestamp | None = None,
        *,
        event: str = "1500m",
        unpaced: bool = False,
        random_seed: int | None = 0,
    ) -> xr.DataArray:
        """Posterior draws (chain, draw, athlete) of each athlete's utility on ``date``.

        An athlete seen last in an earlier period (or first in a later one) is carried by the
        random walk (variance ``step_sd**2`` per season in between), drawn with ``random_seed``.
        """
        post = self.posterior
        ids = post["athlete"].to_numpy().astype(str)
        u, gap = race_day_utility(
            self, self.spec, ids, np.arange(len(ids)), day=self._day(date),
            event=event, paced=not unpaced, rng=np.random.default_rng(random_seed),
        )  # fmt: skip
        shape = (post.sizes["chain"], post.sizes["draw"], len(ids))
        return xr.DataArray(
            u.reshape(shape),
            dims=("chain", "draw", "athlete"),
            coords={
                "chain": post["chain"],
                "draw": post["draw"],
                "athlete": post["athlete"],
                "athlete_name": ("athlete", post["athlete_name"].to_numpy()),
                "seasons_away": ("athlete", gap.astype(float)),
            },
            name="utility",
        )

    def _day(self, date) -> pd.Timestamp:
        """``date``, else the cutoff, else the middle of the last season with races."""
        if date is not None:
            return pd.Timestamp(date)
        if self.cutoff is not None:
            return self.cutoff
        return pd.Timestamp(f"{int(self.posterior['cell_season'].max())}-07-01")

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
        Columns: athlete_id, name, event, season, seasons_away (seasons between the date's period
        and the athlete's nearest period with races; fractions with periods shorter than a
        season), mean, q05, q95. Utilities are on the Plackett-Luce scale: a difference of 1
        multiplies the odds of finishing ahead by e in a paced final (times family: units of
        ``spec.time_scale`` of finish time).
        """
        u = self.ability_draws(date, event=event, unpaced=unpaced, random_seed=random_seed)
        q = u.quantile([0.05, 0.95], dim=("chain", "draw"))
        df = pd.DataFrame(
            {
                "athlete_id": u["athlete"].to_numpy(),
                "name": u["athlete_name"].to_numpy(),
                "event": event,
                "season": self._day(date).year,
                "seasons_away": u["seasons_away"].to_numpy(),
                "mean": u.mean(("chain", "draw")).to_numpy(),
                "q05": q.sel(quantile=0.05).to_numpy(),
                "q95": q.sel(quantile=0.95).to_numpy(),
            }
        )
        if max_gap is not None:
            df = df[df["seasons_away"] <= max_gap]
        return df.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)

    def save(self, path, *, log_likelihood: bool = False) -> Path:
        """Write the fit (netCDF, or zarr for a ``.zarr`` path) with a checksum, atomically;
        see :func:`rivalrymodel.inference.storage.save`. :func:`load_fit` reads it back."""
        return storage.save(self.tree, path, log_likelihood=log_likelihood)


def load_fit(path: str | Path) -> Fit:
    """Read a fit written by :meth:`Fit.save`, verifying its checksum.

    Raises
    ------
    FitFileError
        One line naming the file and what is wrong with it (:func:`~.storage.load`).
    """
    return Fit(storage.load(path))


def _observed_end(tree: xr.DataTree) -> pd.Timestamp | None:
    """The last race date among the observed races (fits saved before ``data_end`` was kept)."""
    if "observed_data" not in tree.children:
        return None
    obs = tree["observed_data"].to_dataset()
    days = [obs[c].to_numpy().max() for c in obs.coords if str(c).endswith("race_date")]
    days = [d for d in days if not pd.isna(d)]
    return pd.Timestamp(max(days)) if days else None
