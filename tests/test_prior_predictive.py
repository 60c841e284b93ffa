"""Prior predictive checks: races simulated from the priors look like real races."""

from __future__ import annotations

import numpy as np
import pytest

import rivalrymodel as rm


@pytest.fixture(scope="module")
def data(bundled):
    # Two seasons of the bundled data keep the forward-sampling graph small.
    return bundled.as_of("2018-01-01")


def test_plackett_luce_prior_gives_favourites_a_plausible_share_of_wins(data):
    tree = rm.prior_predictive(rm.ModelSpec(), data, draws=200, random_seed=11)
    place = tree["prior_predictive"]["place"].to_numpy()[0]  # (draw, result)
    u = tree["prior"]["utility"].to_numpy()[0]
    race = tree["constant_data"]["race_index"].to_numpy()
    observed = tree["observed_data"]["place"].to_numpy()
    n_races = race.max() + 1
    # Each race's simulated places are a permutation of 1..n.
    size = np.bincount(race)
    assert (place.max(axis=1) <= size[race].max()).all()
    assert (np.sort(observed)[:n_races] == 1).all()
    # Favourite = highest prior utility in its race; how often does it win?
    fav_wins = []
    for d in range(0, place.shape[0], 10):
        best = np.full(n_races, -np.inf)
        np.maximum.at(best, race, u[d])
        fav = u[d] == best[race]
        fav_wins.append((place[d][fav] == 1).mean())
    share = float(np.mean(fav_wins))
    uniform = float(np.mean(1.0 / size))
    # Not a lottery and not a certainty: real favourites win a third to a half of races.
    assert uniform + 0.05 < share < 0.9, (share, uniform)


def test_times_prior_gives_plausible_winning_margins(data):
    tree = rm.prior_predictive(rm.variants()["times"], data, draws=100, random_seed=12)
    log_t = tree["prior_predictive"]["log_time"].to_numpy()[0]  # (draw, result)
    race = tree["constant_data"]["race_index"].to_numpy()
    # Student-t tails with a small prior nu can overflow exp: those are the 99th-percentile
    # margins the test bounds anyway.
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.exp(log_t)
    margins = []
    for d in range(t.shape[0]):
        order = np.lexsort((t[d], race))
        r_sorted, t_sorted = race[order], t[d][order]
        first = np.flatnonzero(np.r_[True, r_sorted[1:] != r_sorted[:-1]])
        with np.errstate(invalid="ignore"):
            margins.append(t_sorted[first + 1] - t_sorted[first])
    m = np.nan_to_num(np.concatenate(margins), nan=np.inf)  # inf - inf: an overflowed race
    # Real winning margins: mostly tenths of a second up to a few seconds.
    assert 0.05 < np.quantile(m, 0.5, method="lower") < 5.0
    assert np.quantile(m, 0.95, method="lower") < 60.0
    # Simulated 1500m-equivalent times are in a human range.
    obs = np.exp(tree["observed_data"]["log_time"].to_numpy())
    ratio = np.median(t, axis=0) / obs
    assert 0.8 < np.median(ratio) < 1.25
