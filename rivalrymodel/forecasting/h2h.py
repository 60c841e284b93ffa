"""Head to head: P(a finishes ahead of b) on a date, and over many dates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..models.intervals import interval
from .horizon import check_date
from .limits import check_count
from .projection import race_law, utility_draws
from .startlist import StartList, roster_rows

__all__ = ["head_to_head", "rivalry"]


def head_to_head(
    fit,
    a: str,
    b: str,
    *,
    date: str | pd.Timestamp,
    event: str = "1500m",
    paced: bool = False,
    round: str = "final",
    indoor: bool = False,
    injury: bool = True,
    sims: int = 200,
    hindcast: bool = False,
    random_seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """P(a finishes ahead of b) in a race on ``date``, with its 90% interval over draws.

    The fit's family's race law of the pair answers per draw: under Plackett-Luce in closed form,
    ``sigmoid((u_a - u_b) / tau)``, which does not depend on who else runs (Luce's choice
    axiom); a law without one (the times family) simulates ``sims`` races of the pair per draw.
    A date before the fit's cutoff is refused unless ``hindcast=True`` (the posterior has seen
    the races around it), and so is one more than
    :data:`~.horizon.MAX_YEARS_AHEAD` years after the fit's data end (``ForecastDateError``).
    Returns one row: athlete_a, athlete_b, date, event, paced, p_a_ahead, p_a_ahead_lo,
    p_a_ahead_hi, utility_diff (mean of u_a - u_b on the race's scale), data_end (the last
    race date the fit saw).
    """
    sl = StartList((a, b), event=event, date=date, round=round, paced=paced, indoor=indoor)
    check_date(fit, sl.date, hindcast=hindcast)
    check_count("sims", sims)
    ids = roster_rows(fit, (a, b))["athlete_id"]
    if ids[0] > ids[1]:
        # The pair in one order (by id), so that the random draws (walk steps, a new runner's
        # population draws) are the same whichever is asked first: P(a, b) + P(b, a) = 1.
        row = head_to_head(fit, b, a, date=date, event=event, paced=paced, round=round,
                           indoor=indoor, injury=injury, sims=sims, hindcast=hindcast,
                           random_seed=random_seed).iloc[0]  # fmt: skip
        flipped = {
            "athlete_a": row["athlete_b"],
            "athlete_b": row["athlete_a"],
            "p_a_ahead": 1 - row["p_a_ahead"],
            "p_a_ahead_lo": 1 - row["p_a_ahead_hi"],
            "p_a_ahead_hi": 1 - row["p_a_ahead_lo"],
            "utility_diff": -row["utility_diff"],
        }
        return pd.DataFrame([{**row.to_dict(), **flipped}])  # fmt: skip
    rng = np.random.default_rng(random_seed)
    u, info = utility_draws(fit, sl, injury=injury, random_seed=rng)
    law = race_law(fit, sl, u, rng)
    p = law.pairwise(law.simulate(rng, sims))[:, 0, 1]  # simulated only where needed
    lo, hi = interval(p)
    return pd.DataFrame(
        {
            "athlete_a": [info["athlete"][0]],
            "athlete_b": [info["athlete"][1]],
            "date": [sl.date],
            "event": [sl.event],
            "paced": [sl.paced],
            "p_a_ahead": [p.mean()],
            "p_a_ahead_lo": [lo],
            "p_a_ahead_hi": [hi],
            "utility_diff": [(law.v[:, 0] - law.v[:, 1]).mean()],
            "data_end": [fit.data_end],
        }
    )


def rivalry(
    fit,
    a: str,
    b: str,
    dates: Sequence[str | pd.Timestamp],
    *,
    event: str = "1500m",
    paced: bool | Sequence[bool] = (True, False),
    random_seed: int | None = None,
    **kwargs,
) -> pd.DataFrame:
    """:func:`head_to_head` over ``dates`` (and paced and/or unpaced races): one row each."""
    paced_list = [paced] if isinstance(paced, bool) else list(paced)
    rng = np.random.default_rng(random_seed)
    rows = [
        head_to_head(fit, a, b, date=d, event=event, paced=p, random_seed=rng, **kwargs)
        for p in paced_list
        for d in dates
    ]
    return pd.concat(rows, ignore_index=True)
