"""Splitting a source group that lumps several sections of one meeting (build.sections)."""

from __future__ import annotations

import math

import pandas as pd

from rivalrymodel.build.sections import split_sections


def test_lumped_sections_split_the_only_way_that_fits():
    # Oslo 2024, 1500m: the WA lists hold the Diamond League race and the national race under
    # one venue and round. The race already holds 1st, 3rd and 5th.
    fixed = [(1, 209.74), (3, 210.80), (5, 211.06)]
    rows = [(2, 209.77), (1, 216.93), (2, 217.78), (6, 211.08)]
    assert split_sections(fixed, rows) == [[0, 3], [1, 2]]


def test_two_ways_to_split_is_no_split():
    # Two winners and two runners-up with times that fit either pairing.
    assert split_sections([], [(1, 210.0), (1, 211.0), (2, 212.0), (2, 213.0)]) is None


def test_no_way_to_split_is_no_split():
    # A 3rd place faster than the 2nd of the only section there can be.
    assert split_sections([(1, 200.0), (2, 201.0)], [(3, 199.0)]) is None
    assert split_sections([], [(1, 200.0), (1, 201.0), (2, 199.0), (2, 202.0)]) is None


def test_a_consistent_group_stays_one_section():
    assert split_sections([], [(2, 211.0), (1, 210.0), (3, 212.5)]) == [[1, 0, 2]]
    assert split_sections([(1, 210.0)], [(2, 211.0)]) == [[0]]


def test_rows_without_a_time_are_never_split():
    assert split_sections([], [(1, 210.0), (1, math.nan)]) is None


def test_fixed_runners_without_a_time_only_hold_their_place():
    # The race knows its 2nd place but not his time; 2nd place is taken, 3rd is free.
    assert split_sections([(1, 210.0), (2, math.nan)], [(2, 220.0), (3, 211.0)]) == [[1], [0]]


def test_bundled_oslo_2024_race_holds_the_runner_up(bundled):
    """Bislett Games 2024: Ingebrigtsen won in 3:29.74 from Timothy Cheruiyot, 3:29.77
    (https://www.letsrun.com/news/2024/05/2024-bislett-games-ingebrigtsen-wins-warholm-loses-on-a-thrilling-night-in-oslo/).
    The WA lists lump that race with the national 1500m; split, both men are in one race and
    the national race's winner is not."""

    data = bundled
    names = data.athletes.set_index("athlete_id")["name"]
    day = data.races[(data.races["date"] == "2024-05-30") & (data.races["event"] == "1500m")]
    res = data.results[data.results["race_id"].isin(day["race_id"])]
    res = res.assign(name=res["athlete_id"].map(names))
    jakob = res.loc[res["name"] == "Jakob INGEBRIGTSEN", "race_id"]
    assert len(jakob) == 1
    race = res[res["race_id"] == jakob.iloc[0]].set_index("name")
    assert race.loc["Timothy CHERUIYOT", "place"] == 2
    assert race.loc["Timothy CHERUIYOT", "time_s"] == 209.77
    assert "Stefan NILLESSEN" not in race.index
    assert pd.Series(race["place"]).is_unique
