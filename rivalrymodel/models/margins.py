"""Rankings and margins: the finishing order of every race, the finish times of paced ones.

The same utilities explain both. A paced race with two or more timed finishers is read from its
log finish times, as a Thurstonian race whose performances are the Plackett-Luce ones::

    log t_ir = log d_e + eta_r - margin_scale * (u_ir / tau_r + e_ir),   e ~ StudentT(nu, 0, s)

with eta_r the race's pace, ``margin_scale`` (the fraction of finish time one utility unit is
worth) learned, and s fixed so that e spreads as the Gumbel noise of a Plackett-Luce
performance does (the same interquartile range at 6 degrees of freedom; heavier tails, for
the runner who jogs in). The noise in utility units is the rankings', so the rankings' scale
(tau = 1 in a paced outdoor final) still pins the utilities. Every other race (tactical, or
without every finisher's time) is ranked as in :mod:`.plackett_luce`. Each race counts once:
a paced race's order is not counted again beside the times that imply it. Paced races only:
in a tactical race the gaps say more about the last lap than about ability. Forecasts rank
as Plackett-Luce does.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr
from scipy import stats

from .design import SLOT_FINISH
from .families import register
from .plackett_luce import PlackettLuce
from .plackett_luce import build as build_rankings
from .times import log_time_likelihood

__all__ = ["timed_rows", "ranked_races", "Margins", "PERFORMANCE_SCALE"]

# The Student-t scale with a standard Gumbel's interquartile range at 6 degrees of freedom.
PERFORMANCE_SCALE = float(
    (stats.gumbel_r.ppf(0.75) - stats.gumbel_r.ppf(0.25)) / (2.0 * stats.t.ppf(0.75, 6))
)


def timed_rows(design) -> np.ndarray:
    """The observations read as times: the timed finishers of paced races with two or more."""
    paced = design.race_noise_x[:, 2] == 0.0  # the noise row's "unpaced" column
    finisher = np.zeros(design.n_obs, dtype=bool)
    finisher[design.slots[design.slot_kind == SLOT_FINISH]] = True
    ok = finisher & np.isfinite(design.obs_log_time) & paced[design.obs_race]
    n = np.bincount(design.obs_race[ok], minlength=design.n_races)
    timed_race = (n >= 2) & (n == np.bincount(design.obs_race[finisher], minlength=design.n_races))
    return np.flatnonzero(ok & timed_race[design.obs_race])


def ranked_races(design) -> np.ndarray:
    """The races read as rankings: those with no timed rows."""
    timed = np.unique(design.obs_race[timed_rows(design)])
    return np.setdiff1d(np.arange(design.n_races), timed)


class Margins(PlackettLuce):
    """Rankings where only the order counts, Thurstonian log times where the race was paced."""

    name = "margins"

    def build(self, design, spec, *, keep_utility=False, **options):
        rows, ranked = timed_rows(design), ranked_races(design)
        model = pm.modelcontext(None)
        model.add_coord("ranked_race", design.race_ids[ranked])
        model.add_coord("timed_race", design.race_ids[np.unique(design.obs_race[rows])])
        model.add_coord("timed_result", rows)
        u, tau = build_rankings(
            design, spec, keep_utility=keep_utility, races=ranked, race_dim="ranked_race",
            **options,
        )  # fmt: skip
        scale = spec.margin_scale.create("margin_scale")
        log_time_likelihood(
            design, spec, u, tau, scale, rows, dim="timed_race", obs_dim="timed_result",
            noise_sd=scale * PERFORMANCE_SCALE,
        )  # fmt: skip

    def observed_data(self, design):
        rows, ranked = timed_rows(design), ranked_races(design)
        return xr.Dataset(
            {
                self.observed: (("ranked_race", "slot"), design.slot_kind[ranked]),
                "log_time": (("timed_result",), design.obs_log_time[rows]),
            },
            coords={"ranked_race": design.race_ids[ranked], "timed_result": rows},
        )


register(Margins())
