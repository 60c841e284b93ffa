"""ModelSpec: an immutable description of a model variant, with its priors as named fields.

A spec is data. ``rm.fit(spec, data)`` returns a new :class:`~rivalrymodel.inference.Fit` and
leaves the spec untouched; change a prior with ``spec.replace(step_sd=Prior("HalfNormal",
sigma=0.1))``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import InputError

if TYPE_CHECKING:
    import pymc as pm

__all__ = ["Prior", "ModelSpec", "variants", "FAMILY_NAMES"]

DnfRule = Literal["exclude", "last"]

# The names of the registered likelihood families (rivalrymodel.models.families.register fills
# it): a spec is checked against them without the spec layer importing the models.
FAMILY_NAMES: set[str] = set()


@dataclass(frozen=True)
class Prior:
    """A PyMC distribution by name with fixed parameters: ``Prior("HalfNormal", sigma=1.0)``."""

    dist: str
    params: tuple[tuple[str, float], ...] = ()

    def __init__(self, dist: str, **params: float):
        import inspect

        import pymc as pm

        cls = getattr(pm, str(dist), None)
        if not (isinstance(cls, type) and issubclass(cls, pm.Distribution)):
            raise InputError(f"Prior: PyMC has no distribution named {dist!r}")
        kinds = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        known = [
            n for n, p in inspect.signature(cls.dist).parameters.items() if p.kind not in kinds
        ]
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise InputError(f"Prior({dist!r}): unknown parameter(s) {unknown}; {dist} takes "
                             f"{', '.join(known)}")  # fmt: skip
        values = {}
        for k, v in params.items():
            try:
                values[k] = float(v)
            except (TypeError, ValueError):
                raise InputError(f"Prior({dist!r}): {k} must be a number, not {v!r}") from None
            if not math.isfinite(values[k]) or (k in _POSITIVE and values[k] <= 0):
                want = "a positive number" if k in _POSITIVE else "a finite number"
                raise InputError(f"Prior({dist!r}): {k} must be {want}, not {v!r}")
        object.__setattr__(self, "dist", dist)
        object.__setattr__(self, "params", tuple(sorted(values.items())))

    def create(self, name: str, **kwargs: Any) -> pm.Distribution:
        """The PyMC random variable ``name`` with this prior (inside a model context)."""
        import pymc as pm

        return getattr(pm, self.dist)(name, **dict(self.params), **kwargs)

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.params)
        return f"{self.dist}({args})"

    def to_dict(self) -> dict:
        return {"dist": self.dist, **dict(self.params)}

    @classmethod
    def from_dict(cls, d: dict) -> Prior:
        d = dict(d)
        return cls(d.pop("dist"), **d)


# Parameters that are scales, rates or shapes in every PyMC distribution that has them.
_POSITIVE = {"sigma", "tau", "alpha", "beta", "nu", "lam", "scale", "b"}


def _prior(dist: str, **params: float) -> Any:
    return field(default_factory=lambda: Prior(dist, **params))


@dataclass(frozen=True)
class ModelSpec:
    """Which likelihood and which terms a model has, and the priors of its parameters.

    The athlete utility in race r (event e, season s) is::

        u_ir = theta[i, s] + delta[i] * x_e + kappa[i] * unpaced_r
               + (beta_i + beta_len * log(length / 90 d)) * exp(-days_since_return / decay)

    and the race's noise scale is ``tau_r = exp(gamma . [heat, semi, unpaced, indoor])``, fixed at 1
    for a paced outdoor final so that the utility scale is pinned (with ``race_class``, also a
    ``global`` column; times ``exp(sigma_T z_r)``, one temperature per race, with
    ``race_temperature``).

    Parameters
    ----------
    name
        The variant's name (printed, and kept with saved fits).
    family
        A registered likelihood family (``rivalrymodel.models.FAMILIES``): ``"plackett_luce"``
        ranks the finishers of each race; ``"times"`` models log finish time with a race
        effect and Student-t noise, so that margins count too; ``"margins"`` ranks every race
        as Plackett-Luce does and also models the log times of paced races, with
        ``margin_scale`` learned (variant ``margins``).
    dynamic
        theta is a Gaussian random walk in time (else one ability per athlete).
    periods_per_season
        Cells of the walk per season: 1 (one ability per season), 2 (half seasons), 3, 4
        (quarters), 6 or 12 (months). The walk's variance grows by ``step_sd**2`` per season
        whatever the period, so an athlete unseen for months is less certain at a race.
    distance, pacing, injury, race_noise
        Switch the distance profile delta, the unpaced skill kappa, the injury term and the
        race-type noise scales on or off.
    dnf
        ``"exclude"`` drops DNF runners from the ranking; ``"last"`` ranks them below all
        finishers (they stay in every finisher's denominator). The default is ``"exclude"``:
        the bundled data cannot tell a pacemaker from a runner who failed to finish (no source
        labels pacers), and ranking pacemakers last shrinks abilities (docs/model.md).
    injury_decay_days
        The injury effect decays as exp(-days since return / this).
    race_temperature
        Each race gets its own temperature on top of its type's: ``log tau_r += sigma_T z_r``
        with ``z_r ~ Normal(0, 1)``, so some races run truer to form than others; a forecast
        draws a new race's z (variant ``temperature``).
    race_class
        A noise column of their own for Olympic and outdoor World Championship races (heats to
        final; championship ids ``OG*``/``WCH*``), under the ``noise`` prior: the global
        championships may run more or less true to form than other races of their round and
        pacing (variant ``global_noise``).
    age_drift
        The walk's steps have a mean that depends on age: ``drift_mean + drift_age * (age -
        26) / 10`` per season, at the age in the middle of the step (athletes with no birth
        date: none), so a forecast months ahead moves a young athlete up and an old one down
        (variant ``age_drift``; ``models/terms/drift.py``).
    heat_win
        In heats and semi-finals the winner is drawn at a temperature of his own,
        ``softmax(v * exp(-heat_win_noise))``, the rest of the order by Plackett-Luce on ``v``:
        a runner sure to qualify need not win his heat (variant ``heat_win``;
        ``models/terms/heat_win.py``). Ranking families only.
    injury_per_absence
        beta per absence rather than per athlete: a new layoff draws its own effect, so a
        runner back from one is less certain as well as shifted (variant ``layoff``).
    centred, centre_min_results
        Athlete terms (``"ability"``, ``"distance"``, ``"unpaced"``) given a centred
        parametrisation; the others are non-centred (standard-normal raw values times the
        scale). For ``"ability"`` only athletes with at least ``centre_min_results`` results are
        centred. Same model, different geometry: the choice changes sampling speed only (see
        benchmarks/README.md).
    ability_sd ... margin_scale
        Priors; each is a :class:`Prior` and can be replaced.
    time_scale
        Times family: one utility unit is this fraction of finish time (0.005 = 0.5%). The
        margins family learns it instead, with the prior ``margin_scale``.
    """

    name: str = "default"
    family: str = "plackett_luce"
    dynamic: bool = True
    periods_per_season: int = 4
    distance: bool = True
    pacing: bool = False
    injury: bool = True
    race_noise: bool = True
    dnf: DnfRule = "exclude"
    injury_decay_days: float = 60.0
    injury_per_absence: bool = False
    race_temperature: bool = False
    race_class: bool = False
    age_drift: bool = False
    heat_win: bool = False
    centred: tuple[str, ...] = ()
    centre_min_results: int = 20
    ability_sd: Prior = _prior("HalfNormal", sigma=2.0)
    step_sd: Prior = _prior("HalfNormal", sigma=0.5)
    distance_sd: Prior = _prior("HalfNormal", sigma=1.0)
    pacing_sd: Prior = _prior("HalfNormal", sigma=0.5)
    injury_mean: Prior = _prior("Normal", mu=0.0, sigma=1.0)
    injury_length: Prior = _prior("Normal", mu=0.0, sigma=0.5)
    injury_sd: Prior = _prior("HalfNormal", sigma=0.5)
    noise: Prior = _prior("Normal", mu=0.0, sigma=0.5)
    temperature_sd: Prior = _prior("HalfNormal", sigma=0.3)
    time_scale: float = 0.005
    race_sd: Prior = _prior("HalfNormal", sigma=0.05)
    time_sd: Prior = _prior("HalfNormal", sigma=0.01)
    time_nu: Prior = _prior("Gamma", alpha=2.0, beta=0.1)
    margin_scale: Prior = _prior("HalfNormal", sigma=0.02)
    drift_mean: Prior = _prior("Normal", mu=0.0, sigma=0.3)
    drift_age: Prior = _prior("Normal", mu=0.0, sigma=0.5)
    heat_win_noise: Prior = _prior("Normal", mu=0.0, sigma=0.5)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.type == "bool" and not isinstance(v, bool):
                raise InputError(f"ModelSpec.{f.name} must be True or False, not {v!r}")
        if not isinstance(self.time_scale, int | float) or not 0 < self.time_scale < math.inf:
            raise InputError(f"ModelSpec.time_scale must be > 0, not {self.time_scale!r}")
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"ModelSpec.name must be a non-empty string, not {self.name!r}")
        if self.family not in FAMILY_NAMES:
            raise InputError(
                f"ModelSpec.family must be one of {sorted(FAMILY_NAMES)}, not {self.family!r}"
            )
        if self.dnf not in ("exclude", "last"):
            raise InputError(f"ModelSpec.dnf must be 'exclude' or 'last', not {self.dnf!r}")
        unknown = set(self.centred) - {"ability", "distance", "unpaced"}
        if unknown:
            raise InputError(f"ModelSpec.centred: unknown term(s) {sorted(unknown)}")
        if self.periods_per_season not in (1, 2, 3, 4, 6, 12):
            raise InputError(
                "ModelSpec.periods_per_season must divide 12 (1, 2, 3, 4, 6 or 12), "
                f"not {self.periods_per_season!r}"
            )
        if self.age_drift and not self.dynamic:
            raise InputError("ModelSpec.age_drift needs dynamic=True (it is the walk's drift)")
        if not isinstance(self.centre_min_results, int) or self.centre_min_results < 1:
            raise InputError("ModelSpec.centre_min_results must be >= 1")
        if not 0 < self.injury_decay_days < math.inf:
            raise InputError(
                f"ModelSpec.injury_decay_days must be > 0, not {self.injury_decay_days}"
            )
        for f in dataclasses.fields(self):
            if f.type in ("Prior",) and not isinstance(getattr(self, f.name), Prior):
                raise TypeError(
                    f"ModelSpec.{f.name} must be a Prior, not {getattr(self, f.name)!r}"
                )

    def replace(self, **changes: Any) -> ModelSpec:
        """A copy with some fields changed (the spec itself never changes)."""
        return dataclasses.replace(self, **changes)

    def priors(self) -> dict[str, Prior]:
        """The priors of this spec by field name."""
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.type == "Prior"
        }

    def __str__(self) -> str:
        flags = ("dynamic", "distance", "pacing", "injury", "race_noise", "race_temperature",
                 "race_class", "age_drift", "heat_win")  # fmt: skip
        terms = [t for t in flags if getattr(self, t)]
        if self.dynamic and self.periods_per_season > 1:
            terms[0] = f"dynamic ({self.periods_per_season} periods per season)"
        lines = [
            f"ModelSpec {self.name!r}: {self.family}, terms: {', '.join(terms) or 'none'}, "
            f"DNF {self.dnf}, injury decay {self.injury_decay_days:g} d"
        ]
        lines += [f"  {k:<14} {v}" for k, v in self.priors().items()]
        return "\n".join(lines)

    def to_json(self) -> str:
        """Every field, except the later additions of ``_ADDED`` while at their defaults: the
        JSON (kept in saved fits, and the fit cache's key) of a spec that does not use them is
        the same as before they existed."""
        d = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in _ADDED and v == _ADDED[f.name]:
                continue
            d[f.name] = v.to_dict() if isinstance(v, Prior) else v
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        d = json.loads(text)
        kinds = {f.name: f.type for f in dataclasses.fields(cls)}
        unknown = set(d) - set(kinds)
        if unknown:
            raise InputError(f"ModelSpec.from_json: unknown fields {sorted(unknown)}")
        d = {k: Prior.from_dict(v) if kinds[k] == "Prior" else v for k, v in d.items()}
        # A field missing from the JSON predates it: the value under which it changed nothing,
        # not today's default (periods_per_season is 4 by default, but an older fit had 1).
        d = {**_ADDED, **d}
        if "centred" in d:
            d["centred"] = tuple(d["centred"])
        return cls(**d)


# Fields added after the first saved fits, with the defaults under which they change nothing.
_ADDED = {
    "periods_per_season": 1,
    "injury_per_absence": False,
    "race_temperature": False,
    "race_class": False,
    "temperature_sd": Prior("HalfNormal", sigma=0.3),
    "margin_scale": Prior("HalfNormal", sigma=0.02),
    "age_drift": False,
    "drift_mean": Prior("Normal", mu=0.0, sigma=0.3),
    "drift_age": Prior("Normal", mu=0.0, sigma=0.5),
    "heat_win": False,
    "heat_win_noise": Prior("Normal", mu=0.0, sigma=0.5),
}


def variants() -> dict[str, ModelSpec]:
    """The named variants compared in the notebooks, ``default`` first.

    ``full`` is the first default (one ability per season, with the unpaced skill); the
    variants from ``seasonal`` on each change one piece of the default, so that the yardstick
    can pair them with it (``benchmarks/backtest.md``).
    """
    default = ModelSpec()
    return {
        "default": default,
        "full": default.replace(name="full", periods_per_season=1, pacing=True),
        "seasonal": default.replace(name="seasonal", periods_per_season=1),
        "pacing": default.replace(name="pacing", pacing=True),
        "no_injury": default.replace(name="no_injury", injury=False),
        "static": default.replace(name="static", dynamic=False),
        "layoff": default.replace(name="layoff", injury_per_absence=True),
        "temperature": default.replace(name="temperature", race_temperature=True),
        "global_noise": default.replace(name="global_noise", race_class=True),
        "age_drift": default.replace(name="age_drift", age_drift=True),
        "heat_win": default.replace(name="heat_win", heat_win=True),
        "single_distance": default.replace(name="single_distance", distance=False),
        "margins": default.replace(name="margins", family="margins"),
        "times": default.replace(name="times", family="times"),
    }
