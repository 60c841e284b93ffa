"""The baselines the model has to beat: rating systems forecasting the same Forecast.

One module per rating system, all on the one protocol of :mod:`.protocol` (a
:class:`Baseline` rates the athletes, its :class:`Ratings` give each race a law) and, for the
tuned ones, :mod:`.tuning`:

- ``uniform``: every runner equally likely.
- ``season_best``: a softmax of minus each runner's best time of the last 365 days, converted
  to the race's distance with Riegel's formula; the temperature fitted on the two seasons
  before the race's.
- ``elo``: Elo ratings with every race split into its pairs (K = 32 per race).
- ``openskill``: the ``openskill`` package's Plackett-Luce model, race by race.
- ``ttt``: TrueSkill Through Time (``trueskillthroughtime``), tuned on the past.
- ``choix``: Plackett-Luce maximum likelihood (``choix``), tuned on the past.

None of them uses absences. Their forecasts are point forecasts: the intervals collapse to the
point.
"""

from __future__ import annotations

from ...errors import InputError
from .choix_pl import ChoixPlackettLuce
from .elo import Elo
from .openskill_pl import OpenSkill
from .protocol import Baseline, FittedBaseline, GaussianLaw, PlackettLucePoint, Ratings
from .season_best import SeasonBest
from .ttt import TrueSkillThroughTime
from .tuning import TunedBaseline
from .uniform import Uniform

__all__ = [
    "BASELINES", "make_baseline", "Baseline", "FittedBaseline", "Ratings", "PlackettLucePoint",
    "GaussianLaw", "TunedBaseline",
]  # fmt: skip

# The rating systems by name; a new one is its module and one entry here.
BASELINES: dict[str, type[Baseline]] = {
    b.name: b
    for b in (Uniform, SeasonBest, Elo, OpenSkill, TrueSkillThroughTime, ChoixPlackettLuce)
}


def make_baseline(name: str, **options) -> Baseline:
    """The baseline ``name`` (a key of :data:`BASELINES`) with its constructor ``options``
    (e.g. ``make_baseline("ttt", tune=False, sims=2000)``)."""
    if name not in BASELINES:
        raise InputError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
    try:
        return BASELINES[name](**options)
    except TypeError as e:  # an option the baseline does not have
        raise InputError(f"baseline {name!r}: {e}") from None
