"""ModelSpec and Prior: immutable, printable, overridable, serialisable."""

from __future__ import annotations

import dataclasses

import pytest

import rivalrymodel as rm
from rivalrymodel import ModelSpec, Prior


def test_variants_are_the_documented_fourteen_with_default_first():
    v = rm.variants()
    assert list(v) == [
        "default", "full", "seasonal", "pacing", "no_injury", "static", "layoff", "temperature",
        "global_noise", "age_drift", "heat_win", "single_distance", "margins", "times",
    ]  # fmt: skip
    d = v["default"]
    assert d == ModelSpec()
    assert d.periods_per_season == 4 and not d.pacing and d.injury and d.distance
    # The first default: one ability per season, with the unpaced skill.
    assert v["full"].periods_per_season == 1 and v["full"].pacing
    # Every other variant is the default with one piece changed.
    changed = {
        "seasonal": {"periods_per_season": 1}, "pacing": {"pacing": True},
        "no_injury": {"injury": False}, "static": {"dynamic": False},
        "layoff": {"injury_per_absence": True}, "temperature": {"race_temperature": True},
        "global_noise": {"race_class": True}, "age_drift": {"age_drift": True},
        "heat_win": {"heat_win": True}, "single_distance": {"distance": False},
        "margins": {"family": "margins"}, "times": {"family": "times"},
    }  # fmt: skip
    for name, fields in changed.items():
        assert v[name] == d.replace(name=name, **fields), name
    assert all(spec.name == name for name, spec in v.items())


def test_spec_is_frozen_and_replace_returns_a_new_spec():
    spec = ModelSpec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.dynamic = False
    other = spec.replace(step_sd=Prior("HalfNormal", sigma=0.1))
    assert str(other.step_sd) == "HalfNormal(sigma=0.1)"
    assert str(spec.step_sd) == "HalfNormal(sigma=0.5)"


def test_priors_are_named_and_printed():
    spec = ModelSpec()
    names = set(spec.priors())
    assert {"ability_sd", "step_sd", "distance_sd", "pacing_sd", "injury_mean"} <= names
    text = str(spec)
    assert "plackett_luce" in text and "step_sd" in text and "HalfNormal(sigma=0.5)" in text


def test_json_round_trip_keeps_every_field():
    spec = ModelSpec(name="mine", dnf="last", injury_decay_days=30.0).replace(
        noise=Prior("Normal", mu=0.1, sigma=0.2)
    )
    back = ModelSpec.from_json(spec.to_json())
    assert back == spec


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"family": "elo"}, "family"),
        ({"dnf": "first"}, "dnf"),
        ({"injury_decay_days": 0.0}, "injury_decay_days"),
        ({"step_sd": 0.5}, "step_sd"),
    ],
)
def test_bad_spec_values_are_rejected_by_name(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        ModelSpec(**kwargs)


def test_prior_with_unknown_distribution_is_rejected():
    with pytest.raises(ValueError, match="NoSuchDist"):
        Prior("NoSuchDist", sigma=1.0)


def test_from_json_rejects_unknown_fields():
    with pytest.raises(ValueError, match="bogus"):
        ModelSpec.from_json('{"bogus": 1}')


def test_json_of_a_spec_without_the_later_fields_is_as_before():
    """Saved fits and cache keys of the first default (``full``) do not change with the fields
    added since, and its older JSON reads back as it was, not with today's defaults."""
    full = rm.variants()["full"]
    text = full.to_json()
    assert "periods_per_season" not in text and "injury_per_absence" not in text
    assert "temperature" not in text and "margin_scale" not in text
    assert ModelSpec.from_json(text) == full
    assert ModelSpec.from_json(text).periods_per_season == 1
    for name in ("default", "layoff", "temperature", "margins"):
        spec = rm.variants()[name]
        assert ModelSpec.from_json(spec.to_json()) == spec
        assert spec.to_json() != full.replace(name=name).to_json()
