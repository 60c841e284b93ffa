"""The sampler settings: one frozen object for the draw plan and the quick mode, checked once."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import rivalrymodel as rm
from rivalrymodel.inference import DEFAULT, QUICK, SamplerSettings, SettingsError
from rivalrymodel.inference.sampling import until_converged


def test_the_plan_doubles_the_draws_up_to_max_draws():
    assert DEFAULT.plan == (2000, 4000, 8000)
    assert SamplerSettings(draws=500).plan == (500,)  # given draws: one attempt
    assert SamplerSettings(draws=100, max_draws=450).plan == (100, 200, 400)
    assert SamplerSettings(draws=500).max_draws == 500
    assert QUICK.plan == (150,) and QUICK.quick and not DEFAULT.quick


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"draws": 0}, "draws must be >= 1, not 0"),
        ({"draws": 10, "tune": -1}, "tune must be >= 0, not -1"),
        ({"draws": 10, "chains": 0}, "chains must be >= 1, not 0"),
        ({"draws": 500, "max_draws": 300}, r"max_draws must be >= the draws \(500\), not 300"),
        ({"draws": 10, "sampler": "stan"}, "sampler must be 'nutpie' or 'pymc', not 'stan'"),
        ({"draws": 10, "data_months": 0}, "data_months must be >= 1, not 0"),
        ({"draws": 1.5}, "draws must be a whole number, not 1.5"),
    ],
)
def test_a_bad_setting_is_refused_when_the_settings_are_made(kwargs, message):
    with pytest.raises(SettingsError, match=message) as err:
        SamplerSettings(**kwargs)
    assert isinstance(err.value, rm.InputError) and err.value.field in message


def test_settings_are_frozen_and_varied_by_replace():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.draws = 10
    four = dataclasses.replace(DEFAULT, chains=4)
    assert four.chains == 4 and four.plan == DEFAULT.plan and DEFAULT.chains == 2
    with pytest.raises(SettingsError, match="chains must be >= 1"):
        dataclasses.replace(DEFAULT, chains=0)  # replace checks too


def test_command_line_options_give_the_settings():
    assert SamplerSettings.from_options() == DEFAULT
    assert SamplerSettings.from_options(max_draws=16000).plan == (2000, 4000, 8000, 16000)
    assert SamplerSettings.from_options(draws=300).plan == (300,)
    assert SamplerSettings.from_options(draws=300, max_draws=600).plan == (300, 600)
    assert SamplerSettings.from_options(tune=100, chains=4) == dataclasses.replace(
        DEFAULT, tune=100, chains=4
    )
    assert SamplerSettings.from_options(quick=True) == QUICK
    # --quick with options: QUICK's data window, the options given (none silently dropped).
    assert SamplerSettings.from_options(draws=300, quick=True) == dataclasses.replace(
        QUICK, draws=300, max_draws=300
    )
    given = SamplerSettings.from_options(draws=100, max_draws=400, tune=50, chains=3, quick=True)
    assert given.plan == (100, 200, 400) and (given.tune, given.chains) == (50, 3)
    assert given.data_months == QUICK.data_months
    with pytest.raises(SettingsError, match=r"max_draws must be >= the draws \(2000\), not 1500"):
        SamplerSettings.from_options(max_draws=1500)
    with pytest.raises(SettingsError, match="draws must be >= 1"):
        SamplerSettings.from_options(draws=0, quick=True)


def test_quick_settings_see_the_last_18_months_before_the_cutoff(bundled):
    data = bundled.as_of("2025-09-13")
    seen = QUICK.data(data)
    assert seen.cutoff == data.cutoff
    assert seen.races["date"].min() >= pd.Timestamp("2024-03-13")
    assert seen.races["date"].max() == data.races["date"].max()
    assert len(seen.races) == (data.races["date"] >= pd.Timestamp("2024-03-13")).sum()
    # what a caller shows is what the fit sees: cutting twice cuts once
    assert QUICK.data(seen).fingerprint() == seen.fingerprint()
    assert DEFAULT.data(data) is data


def test_the_cache_key_of_an_attempt_leaves_out_the_plan_and_the_default_sampler():
    assert DEFAULT.key(4000) == {"draws": 4000, "tune": 500, "chains": 2}
    assert SamplerSettings(draws=4000).key(4000) == DEFAULT.key(4000)  # same fit, same entry
    pymc = SamplerSettings(draws=10, sampler="pymc")
    assert pymc.key(10) == {"draws": 10, "tune": 500, "chains": 2, "sampler": "pymc"}


def test_the_doubling_loop_stops_at_the_first_attempt_that_passes():
    made = []

    def attempt(draws):
        made.append(draws)
        return f"fit of {draws}", draws >= 400

    assert until_converged((100, 200, 400, 800), attempt) == "fit of 400"
    assert made == [100, 200, 400]
    made.clear()
    assert until_converged((100, 200), attempt) == "fit of 200"  # none passes: the last
    assert made == [100, 200]


def test_describe_says_the_plan_and_the_data():
    assert DEFAULT.describe() == "2 chains x 2000 draws (doubled up to 8000 while a check fails)"
    assert QUICK.describe() == "2 chains x 150 draws on the last 18 months of data"
