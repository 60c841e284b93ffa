"""OpenSkill's Plackett-Luce model (the ``openskill`` package), updated race by race."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...data.racedata import RaceData
from .protocol import Baseline, PlackettLucePoint, Ratings, rankings

__all__ = ["OpenSkill", "OpenSkillRatings"]


@dataclass(frozen=True)
class OpenSkillRatings(Ratings):
    """The package's model and its rating of each athlete id (``by_athlete``).

    The race law's strengths are the log of the package's ``predict_win``, so the forecast's
    win probabilities are the package's; an athlete never seen is NaN.
    """

    model: object
    by_athlete: dict

    def law(self, athlete_ids, start_list) -> PlackettLucePoint:
        seen = [a in self.by_athlete for a in athlete_ids]
        if not any(seen):
            return PlackettLucePoint(np.full(len(athlete_ids), np.nan))
        teams = [[self.by_athlete.get(a) or self.model.rating()] for a in athlete_ids]
        v = np.log(np.clip(self.model.predict_win(teams), 1e-300, None))
        return PlackettLucePoint(np.where(seen, v, np.nan))


class OpenSkill(Baseline):
    """openskill's Plackett-Luce model, every race of the data replayed in date order."""

    name = "openskill"

    def rate(self, data: RaceData) -> OpenSkillRatings:
        from openskill.models import PlackettLuce

        model, ratings = PlackettLuce(), {}
        for race in rankings(data):
            order = list(race.athletes)
            teams = [[ratings.get(a) or model.rating()] for a in order]
            for a, (new,) in zip(order, model.rate(teams), strict=True):
                ratings[a] = new
        return OpenSkillRatings(model, ratings)
