"""How a fit samples: one frozen object for the draw plan, warm-up, chains, sampler and the data a
quick fit sees, validated once when it is made.

``DEFAULT`` is the library's plan, ``QUICK`` the smoke run of the examples, the notebook, the
benchmarks and the CLI's ``--quick``. A variation is ``dataclasses.replace(DEFAULT, chains=4)``
or ``SamplerSettings(draws=500, tune=300)``; :meth:`SamplerSettings.from_options` reads the
command-line options (unset ones None).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, replace

import pandas as pd

from ..data.racedata import RaceData
from ..errors import InputError

__all__ = ["SamplerSettings", "SettingsError", "DEFAULT", "QUICK", "SAMPLERS"]

SAMPLERS = ("nutpie", "pymc")


class SettingsError(InputError):
    """A sampler setting out of range; ``field`` names it (the CLI names its option)."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field} {problem}")
        self.field, self.problem = field, problem


@dataclass(frozen=True)
class SamplerSettings:
    """The sampler's settings of a fit.

    Attributes
    ----------
    draws
        Posterior draws per chain of the first attempt.
    tune
        Warm-up iterations per chain. 500 are enough for nutpie's mass-matrix adaptation on the
        bundled data (``benchmarks/README.md``).
    chains
        Chains; the warm-up is paid per chain.
    max_draws
        Take the chains on to twice the draws while a diagnostic fails, up to this many per
        chain (:attr:`plan`; with nutpie the chains are extended, with PyMC sampled afresh).
        Not given: ``draws``, one attempt.
    sampler
        ``"nutpie"`` (default: samples the compiled PyMC model, about twice as fast end to end
        as ``pm.sample``) or ``"pymc"`` (PyMC's own NUTS).
    data_months
        A smoke run: the fit sees only the last this many months of its data before their
        cutoff (:meth:`data`). None (default): all of them.

    The random seed is not a setting: it is given to each fit (and to its forecasts).
    """

    draws: int
    tune: int = 500
    chains: int = 2
    max_draws: int | None = None
    sampler: str = "nutpie"
    data_months: int | None = None

    def __post_init__(self):
        for name, low in (("draws", 1), ("tune", 0), ("chains", 1), ("data_months", 1)):
            value = getattr(self, name)
            if value is None and name == "data_months":
                continue
            try:
                value = operator.index(value)
            except TypeError:
                raise SettingsError(name, f"must be a whole number, not {value!r}") from None
            if value < low:
                raise SettingsError(name, f"must be >= {low}, not {value}")
            object.__setattr__(self, name, value)
        top = self.draws if self.max_draws is None else self.max_draws
        try:
            top = operator.index(top)
        except TypeError:
            raise SettingsError("max_draws", f"must be a whole number, not {top!r}") from None
        if top < self.draws:
            raise SettingsError("max_draws", f"must be >= the draws ({self.draws}), not {top}")
        object.__setattr__(self, "max_draws", top)
        if self.sampler not in SAMPLERS:
            raise SettingsError("sampler", f"must be 'nutpie' or 'pymc', not {self.sampler!r}")

    @property
    def plan(self) -> tuple[int, ...]:
        """The draws per chain of each attempt: ``draws``, doubled while at most ``max_draws``."""
        plan = [self.draws]
        while plan[-1] * 2 <= self.max_draws:
            plan.append(plan[-1] * 2)
        return tuple(plan)

    @property
    def quick(self) -> bool:
        """True for a smoke run on recent data only (``data_months`` given)."""
        return self.data_months is not None

    def data(self, data: RaceData) -> RaceData:
        """The data a fit with these settings sees: ``data``, or with ``data_months`` only its
        last months before the cutoff (or the last race when it has none)."""
        if self.data_months is None:
            return data
        end = data.cutoff if data.cutoff is not None else data.races["date"].max()
        return data.since(pd.Timestamp(end) - pd.DateOffset(months=self.data_months))

    def key(self, draws: int) -> dict:
        """What tells one attempt's fit from another's besides spec, data and seed (the fit
        cache keys its entries by it): the attempt's draws, the warm-up, the chains, and the
        sampler when it is not the default."""
        key = {"draws": int(draws), "tune": self.tune, "chains": self.chains}
        return key if self.sampler == "nutpie" else {**key, "sampler": self.sampler}

    def describe(self) -> str:
        """One line for a progress message: chains x draws, the doubling, the data seen."""
        text = f"{self.chains} chains x {self.draws} draws"
        if len(self.plan) > 1:
            text += f" (doubled up to {self.plan[-1]} while a check fails)"
        if self.quick:
            text += f" on the last {self.data_months} months of data"
        return text

    @classmethod
    def from_options(
        cls,
        draws: int | None = None,
        max_draws: int | None = None,
        tune: int | None = None,
        chains: int | None = None,
        *,
        quick: bool = False,
    ) -> SamplerSettings:
        """The settings of command-line options, None where not given.

        ``quick`` gives :data:`QUICK` with the options given in place of its own (``--quick
        --draws 500``: the quick data window, 500 draws). Otherwise, without ``draws``,
        DEFAULT's plan (2000 doubled up to ``max_draws``, default 8000); with ``draws``, one
        attempt unless ``max_draws`` is given too.
        """
        if quick:  # nothing given is dropped: a given option replaces QUICK's
            options = (("draws", draws), ("max_draws", max_draws), ("tune", tune),
                       ("chains", chains))  # fmt: skip
            given = {k: v for k, v in options if v is not None}
            if draws is not None:  # one attempt of those draws unless max_draws is given
                given.setdefault("max_draws", None)
            return replace(QUICK, **given)
        if draws is None:
            draws = DEFAULT.draws
            max_draws = DEFAULT.max_draws if max_draws is None else max_draws
        given = {k: v for k, v in (("tune", tune), ("chains", chains)) if v is not None}
        return replace(DEFAULT, draws=draws, max_draws=max_draws, **given)  # validated


DEFAULT = SamplerSettings(draws=2000, tune=500, chains=2, max_draws=8000)
"""The library's settings: 2 chains of 2000 draws after 500 warm-up, doubled (up to 8000) while
a diagnostic fails. Two chains because the warm-up is paid per chain: on a 2-core machine
2 x (500 + 2000) samples the default model of the bundled data in about 60% of the time of
4 x (500 + 1500), with r_hat (on four split half-chains) and ESS still passing
(``benchmarks/README.md``). ``benchmarks/convergence_default.md`` checks every yardstick
cut-off at these settings; doubling only where needed leaves the other fits at their cost."""

QUICK = SamplerSettings(draws=150, tune=150, chains=2, data_months=18)
"""A smoke run (examples, notebook, benchmarks and the CLI's ``--quick``): 2 chains x 150 draws
on the last 18 months of data. It will not converge; its numbers are illustrative only."""
