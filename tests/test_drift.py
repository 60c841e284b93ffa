"""The age drift of the ability walk (variant ``age_drift``, models/terms/drift.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import rivalrymodel as rm
from rivalrymodel.models.design import build_design
from rivalrymodel.models.families import family_of
from rivalrymodel.models.synthetic import simulate_dataset
from rivalrymodel.models.terms import drift


def _design(data, spec):
    return build_design(data, spec, family_of(spec).select)


@pytest.fixture(scope="module")
def drifting():
    return simulate_dataset(n_athletes=30, seasons=(2016, 2018), races_per_season=40,
                            periods_per_season=4, drift=(0.1, -0.6), random_seed=1)  # fmt: skip


def test_cell_features_sum_the_steps_seasons_and_ages(drifting):
    data, truth = drifting
    d = _design(data, rm.variants()["age_drift"])
    a, b = drift.cell_features(d)
    assert (a[d.first_cell] == 0).all() and (b[d.first_cell] == 0).all()
    # A: seasons since the athlete's first cell; B: the same steps weighted by centred age.
    k = d.first_cell[3] + 1 if d.first_cell[3] + 1 < len(d.cell_athlete) else None
    assert k is not None and d.cell_athlete[k] == 3
    first, here = d.cell_period[d.first_cell[3]], d.cell_period[k]
    assert a[k] == pytest.approx((here - first) / 4)
    middle = ((first + 0.5) + (here + 0.5)) / 2 / 4
    born = truth["born"].loc[d.athlete_ids[3]]
    assert b[k] == pytest.approx(a[k] * (middle - born - 26) / 10)
    # Increasing in time for A, and each athlete's last cell sums all his steps.
    last = np.r_[d.first_cell[1:], len(a)] - 1
    assert a[last] == pytest.approx((d.cell_period[last] - d.cell_period[d.first_cell]) / 4)


def test_unknown_birth_dates_get_no_drift():
    data, _ = simulate_dataset(n_athletes=20, races_per_season=20, periods_per_season=4,
                               random_seed=1)  # fmt: skip
    d = _design(data, rm.variants()["age_drift"])
    assert np.isnan(d.athlete_born).all()
    a, b = drift.cell_features(d)
    assert d.cell_gap.any() and not a.any() and not b.any()


def test_the_design_reads_birth_dates(drifting):
    data, truth = drifting
    d = _design(data, rm.ModelSpec())
    np.testing.assert_allclose(d.athlete_born, truth["born"].loc[d.athlete_ids].to_numpy())


def test_the_simulator_without_drift_has_no_birth_dates_and_unchanged_draws():
    a, ta = simulate_dataset(n_athletes=20, races_per_season=20, random_seed=1)
    b, tb = simulate_dataset(n_athletes=20, races_per_season=20, random_seed=1, drift=(0.0, 0.0))
    assert a.athletes["birth_date"].isna().all() and b.athletes["birth_date"].notna().all()
    # drift 0: the same races and results, only birth dates added.
    pd.testing.assert_frame_equal(a.results, b.results)
    assert ta["born"].isna().all()


def test_age_drift_needs_the_walk():
    with pytest.raises(rm.InputError, match="age_drift needs dynamic"):
        rm.ModelSpec(age_drift=True, dynamic=False)


def test_spec_json_of_other_variants_is_unchanged():
    assert "age_drift" not in rm.ModelSpec().to_json()
    spec = rm.variants()["age_drift"]
    assert rm.ModelSpec.from_json(spec.to_json()) == spec


@pytest.mark.slow
def test_parameter_recovery_age_drift():
    """Abilities drawn with a drift that is 0.46 a season at 20 and -0.26 at 32: the variant
    finds both coefficients and a forecast a season ahead moves the young up, the old down."""
    data, truth = simulate_dataset(n_athletes=80, seasons=(2016, 2020), races_per_season=120,
                                   periods_per_season=4, drift=(0.1, -0.6),
                                   random_seed=1)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.ConvergenceWarning)
        fit = rm.fit(rm.variants()["age_drift"], data,
                     rm.SamplerSettings(draws=400, tune=400, chains=2), random_seed=1)  # fmt: skip
    post = fit.posterior
    for name, want in zip(("drift_mean", "drift_age"), truth["drift"], strict=True):
        lo, hi = post[name].quantile([0.05, 0.95]).to_numpy()
        assert lo <= want <= hi, (name, lo, hi, want)
    assert post["drift_age"].quantile(0.95) < 0  # young athletes improve: the sign is found
    # A year after the data: the projection adds the drift of each athlete's age.
    born = truth["born"]
    young, old = born.idxmax(), born.idxmin()
    now = fit.abilities("2020-12-15", event="1500m").set_index("athlete_id")["mean"]
    later = fit.abilities("2021-12-15", event="1500m").set_index("athlete_id")["mean"]
    assert later[young] - now[young] > 0.2 and later[old] - now[old] < -0.1
