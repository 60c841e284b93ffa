"""RaceData: loading, immutability and leakage-free as_of."""

from __future__ import annotations

import pandas as pd
import pytest

from rivalrymodel import RaceData, load_dataset


def test_as_of_keeps_races_strictly_before(tiny_dir):
    data = load_dataset(tiny_dir)
    cut = data.as_of("2023-08-23")  # the day of race R3
    assert list(cut.races["race_id"]) == ["R1", "R2"]
    assert set(cut.results["race_id"]) == {"R1", "R2"}
    assert cut.cutoff == pd.Timestamp("2023-08-23")
    assert list(data.as_of("2023-08-24").races["race_id"]) == ["R1", "R2", "R3"]


def test_as_of_keeps_absences_announced_by_then_and_hides_future_returns(tiny_dir):
    data = load_dataset(tiny_dir)
    assert len(data.as_of("2023-01-31").absences) == 0  # A1's injury announced 2023-02-01
    on_day = data.as_of("2023-02-01").absences
    assert list(on_day["athlete_id"]) == ["A1"]
    # The return race (2023-06-15) was in the future on 2023-02-01: end is unknown then.
    assert on_day["end"].isna().all()
    later = data.as_of("2023-06-16").absences
    assert later.loc[later["athlete_id"] == "A1", "end"].iloc[0] == pd.Timestamp("2023-06-15")


def test_as_of_on_the_return_day_hides_the_return(tiny_dir):
    absences = load_dataset(tiny_dir).as_of("2023-06-15").absences
    assert absences["end"].isna().all()


def test_nothing_on_or_after_the_cutoff_reaches_as_of(tiny_dir):
    data = load_dataset(tiny_dir)
    for day in pd.date_range("2021-08-01", "2023-09-01", freq="17D"):
        cut = data.as_of(day)
        assert (cut.races["date"] < day).all()
        assert cut.results["race_id"].isin(cut.races["race_id"]).all()
        assert (cut.absences["announced"] <= day).all()
        assert (cut.absences["end"].dropna() < day).all()


def test_accessors_return_copies(tiny_dir):
    data = load_dataset(tiny_dir)
    races = data.races
    races.loc[0, "event"] = "5000m"
    del races["source"]
    assert data.races.loc[0, "event"] == "1500m"
    assert "source" in data.races.columns


def test_racedata_is_frozen(tiny_dir):
    data = load_dataset(tiny_dir)
    with pytest.raises(AttributeError):
        data.cutoff = pd.Timestamp("2020-01-01")
    assert isinstance(data, RaceData) and data.cutoff is None


def test_typed_columns(tiny_dir):
    data = load_dataset(tiny_dir)
    assert pd.api.types.is_datetime64_any_dtype(data.races["date"])
    assert data.races["paced"].dtype == bool
    assert data.results["place"].dtype == "Int64"
    assert data.results["time_s"].isna().sum() == 2  # order-only and DNF rows have no time


def test_fingerprint_is_stable_and_content_sensitive(tiny_dir):
    a, b = load_dataset(tiny_dir), load_dataset(tiny_dir)
    assert a.fingerprint() == b.fingerprint()
    assert a.as_of("2023-01-01").fingerprint() != a.fingerprint()
