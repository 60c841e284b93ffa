"""RaceData.with_results: a user's own results sheet added to a dataset (issue 21)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import rivalrymodel as rm
from rivalrymodel import DataValidationError, load_dataset
from rivalrymodel.data.sheets import SHEET_COLUMNS
from tests.helpers import write_dataset

ROOT = Path(__file__).resolve().parent.parent
HEADER = list(SHEET_COLUMNS)
MEET = ["2024-03-01", "Test Meet", "1500m", "final", "0"]


def _row(place, athlete, country, time, status="OK", meet=MEET):
    return [*meet, place, athlete, country, time, status, "https://example.org/meet"]


def _sheet(tmp_path, rows, header=HEADER, name="own.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])
    return path


def _error(data, *args, **kwargs) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        data.with_results(*args, **kwargs)
    assert "\n" not in str(info.value)
    return info.value


@pytest.fixture
def tiny(tiny_dir):
    return load_dataset(tiny_dir)


def test_example_sheet_round_trip(bundled):
    n_races = len(bundled.races)
    # The bundled data hold the two Millrose 2026 races too (a hand-read supplement, issue 29):
    # the sheet must say it replaces them.
    with pytest.raises(DataValidationError, match="repeats race"):
        bundled.with_results(ROOT / "examples" / "own_results.csv")
    data = bundled.with_results(ROOT / "examples" / "own_results.csv", replace=True)
    assert str(data.added).startswith("added 2 races, 9 results, 0 new athletes; replaced 2 races")
    assert len(data.races) == len(bundled.races)
    assert data.fingerprint() != bundled.fingerprint()
    races = data.races[data.races["date"] == "2026-02-01"].set_index("event")
    assert races.loc["mile", "indoor"] and not races.loc["mile", "field_complete"]
    res = data.results.merge(data.races[["race_id", "event", "date"]], on="race_id")
    res = res[res["date"] == "2026-02-01"].set_index(["event", "athlete_id"])
    assert res.loc[("2mile", "14533464"), "place"] == 2  # Josh Kerr
    assert res.loc[("2mile", "14533464"), "time_s"] == pytest.approx(487.68)
    assert res.loc[("mile", "14962470"), "place"] == 1  # Cameron Myers, 3:47.57
    assert res.loc[("mile", "14962470"), "time_s"] == pytest.approx(227.57)
    assert res.loc[("mile", "14798735"), "place"] == 2  # Yared Nuguse
    assert pd.isna(res.loc[("2mile", "14907166"), "time_s"])  # Wolfe: pages disagree
    assert len(bundled.races) == n_races and bundled.added is None  # the original is unchanged


def test_example_sheet_rows_all_name_a_url():
    sheet = pd.read_csv(ROOT / "examples" / "own_results.csv", dtype=str)
    assert (
        sheet["source"]
        .str.split(" ; ")
        .map(lambda s: all(u.startswith("https://") for u in s))
        .all()
    )


def test_dataframe_and_csv_give_the_same_data(tiny, tmp_path):
    rows = [_row("1", "Josh KERR", "GBR", "3:31.45"), _row("2", "Jakob INGEBRIGTSEN", "NOR", "")]
    from_csv = tiny.with_results(_sheet(tmp_path, rows))
    frame = pd.DataFrame(rows, columns=HEADER).astype({"place": int})
    before = frame.copy()
    assert tiny.with_results(frame).fingerprint() == from_csv.fingerprint()
    pd.testing.assert_frame_equal(frame, before)  # the user's frame is left alone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("KERR Josh", "A2"),
        ("josh kerr", "A2"),
        ("Jákob Ingebrigtsen", "A1"),
        ("Timothy Kiplagat CHERUIYOT", "A3"),
    ],
)
def test_names_resolve_to_existing_athletes(tiny, tmp_path, typed, expected):
    data = tiny.with_results(_sheet(tmp_path, [_row("1", typed, "", "3:31.45")]))
    added = data.results[data.results["race_id"].str.startswith("2024-03-01")]
    assert list(added["athlete_id"]) == [expected]
    assert len(data.athletes) == 3 and data.added.new_athletes == ()


def test_new_name_becomes_one_new_athlete(tiny, tmp_path):
    rows = [
        _row("1", "Narve Gilje NORDÅS", "NOR", "3:31.45"),
        _row("1", "Narve Gilje Nordås", "", "3:40.00", meet=["2024-03-09", *MEET[1:]]),
    ]
    data = tiny.with_results(_sheet(tmp_path, rows))
    ((aid, name),) = data.added.new_athletes
    assert name == "Narve Gilje NORDÅS" and aid.startswith("U") and len(aid) == 11
    assert (
        str(data.added) == f"added 2 races, 2 results, 1 new athlete (Narve Gilje NORDÅS = {aid})"
    )
    new = data.athletes.set_index("athlete_id").loc[aid]
    assert new["country"] == "NOR" and new["aliases"] == "Narve Gilje Nordås"
    assert (data.results["athlete_id"] == aid).sum() == 2
    # Adding the sheet again to that data finds him by name: the race is now a repeat.
    err = _error(data, _sheet(tmp_path, rows[:1], name="again.csv"))
    assert "repeats race" in str(err)


def test_time_formats(tiny, tmp_path):
    rows = [
        _row("1", "Josh KERR", "GBR", "13:05.2", meet=["2024-03-01", "M", "5000m", "final", "0"]),
        _row("1", "Josh KERR", "GBR", "211.45", meet=["2024-03-02", "M", "1500m", "final", "0"]),
        _row("1", "Josh KERR", "GBR", "3:31.45", meet=["2024-03-03", "M", "1500m", "final", "0"]),
    ]
    data = tiny.with_results(_sheet(tmp_path, rows))
    times = data.results.set_index("race_id")["time_s"]
    added = data.races[data.races["date"] >= "2024-03-01"]["race_id"]
    assert list(times[added]) == pytest.approx([785.2, 211.45, 211.45])


def test_rows_group_into_races_by_key(tiny, tmp_path):
    rows = [
        _row("1", "Josh KERR", "GBR", "3:31.45"),
        _row("2", "Jakob INGEBRIGTSEN", "NOR", "3:31.50"),
        _row("1", "Timothy CHERUIYOT", "KEN", "3:33.00", meet=[*MEET[:4], "2"]),
    ]
    data = tiny.with_results(_sheet(tmp_path, rows))
    added = data.races[data.races["date"] == "2024-03-01"]
    assert sorted(added["heat"]) == [0, 2]
    assert added["paced"].all() and not added["championship"].any()
    assert data.added.races == 2 and data.added.results == 3


def _sheet_with(tmp_path, column, value, row=1):
    rows = [
        _row("1", "Josh KERR", "GBR", "3:31.45"),
        _row("2", "Jakob INGEBRIGTSEN", "NOR", "3:32.00"),
    ]
    rows[row - 1][HEADER.index(column)] = value
    return _sheet(tmp_path, rows)


@pytest.mark.parametrize(
    ("column", "value", "row", "problem"),
    [
        ("date", "2024-13-01", 1, "not an ISO date"),
        ("date", "01/03/2024", 2, "not an ISO date"),
        ("event", "800m", 1, "unknown value"),
        ("round", "quarterfinal", 2, "unknown value"),
        ("heat", "A", 1, "not a heat number"),
        ("time", "3:61.00", 2, "not a time"),
        ("time", "3.31.45", 1, "not a time"),
        ("place", "first", 1, "not a place"),
        ("place", "0", 2, "not a place"),
        ("status", "DNQ", 1, "unknown value"),
        ("country", "Norway", 2, "not a 3-letter country code"),
        ("source", "", 1, "required value is empty"),
        ("time", "3:25.99", 1, "world record"),
        ("time", "3:31.00", 2, "placed behind a runner with a slower time"),
    ],
)
def test_bad_cell_names_file_row_column_value(tiny, tmp_path, column, value, row, problem):
    err = _error(tiny, _sheet_with(tmp_path, column, value, row))
    assert (err.file, err.row, err.column, err.value) == ("own.csv", row, column, value)
    assert problem in str(err) and f"own.csv, row {row} (line {row + 1}), column '{column}'" in str(
        err
    )


def test_place_on_a_dnf_is_refused(tiny, tmp_path):
    path = _sheet(
        tmp_path,
        [
            _row("1", "Josh KERR", "GBR", "3:31.45"),
            _row("2", "Jakob INGEBRIGTSEN", "NOR", "", "DNF"),
        ],
    )
    err = _error(tiny, path)
    assert (err.row, err.column) == (2, "place") and "only status OK" in str(err)


def test_missing_and_unknown_columns(tiny, tmp_path):
    rows = [_row("1", "Josh KERR", "GBR", "3:31.45")]
    no_time = [[c for i, c in enumerate(r) if HEADER[i] != "time"] for r in [HEADER, *rows]]
    err = _error(tiny, _sheet(tmp_path, no_time[1:], header=no_time[0]))
    assert err.file == "own.csv" and "missing column(s) ['time']" in str(err)
    err = _error(tiny, _sheet(tmp_path, [[*rows[0], "x"]], header=[*HEADER, "tiem"]))
    assert err.column == "tiem" and "unknown column" in str(err)


def test_ambiguous_name_lists_the_candidates(tmp_path, tiny_tables):
    tiny_tables["athletes.csv"].append(["A4", "Josh Kerr", "GBR", "1999-01-01", "", "test"])
    data = load_dataset(write_dataset(tmp_path / "d", tiny_tables))
    err = _error(data, _sheet(tmp_path, [_row("1", "KERR Josh", "GBR", "3:31.45")]))
    assert (err.row, err.column, err.value) == (1, "athlete", "KERR Josh")
    assert "ambiguous name" in str(err)
    assert "A2 Josh KERR (GBR, born 1997-10-08)" in str(err) and "A4 Josh Kerr" in str(err)
    # An athlete_id column settles it.
    path = _sheet(
        tmp_path,
        [[*_row("1", "KERR Josh", "GBR", "3:31.45"), "A4"]],
        header=[*HEADER, "athlete_id"],
    )
    added = data.with_results(path).results
    assert added.loc[added["race_id"].str.startswith("2024"), "athlete_id"].tolist() == ["A4"]


def test_ambiguous_name_in_the_bundled_data(bundled, tmp_path):
    # Two Kenyan Vincent RONOs (born 1990 and 1986) are in the bundled data.
    err = _error(bundled, _sheet(tmp_path, [_row("1", "Vincent Rono", "KEN", "3:35.00")]))
    assert "X6b327da7d7" in str(err) and "Xbe562e392a" in str(err)


def test_same_runner_twice_in_a_race(tiny, tmp_path):
    err = _error(tiny, _sheet_with(tmp_path, "athlete", "KERR Josh", 2))
    assert (err.row, err.column) == (2, "athlete") and "the same athlete as row 1" in str(err)


def test_race_level_columns_must_agree_within_a_race(tiny, tmp_path):
    header = [*HEADER, "indoor"]
    rows = [
        [*_row("1", "Josh KERR", "GBR", "3:31.45"), "true"],
        [*_row("2", "Jakob INGEBRIGTSEN", "NOR", ""), "false"],
    ]
    err = _error(tiny, _sheet(tmp_path, rows, header=header))
    assert (err.row, err.column, err.value) == (2, "indoor", "false")


REPEAT = ["2023-08-23", "World Championships", "1500m", "final", "0"]  # the tiny data's R3


def test_repeated_race_refused_then_replaced(tiny, tmp_path):
    rows = [
        _row("1", "Josh Kerr", "GBR", "3:29.38", meet=REPEAT),
        _row("2", "Jakob Ingebrigtsen", "NOR", "3:29.65", meet=REPEAT),
    ]
    err = _error(tiny, _sheet(tmp_path, rows))
    assert (err.row, err.column) == (1, "athlete") and "repeats race R3" in str(err)
    assert "replace=True" in str(err)
    data = tiny.with_results(_sheet(tmp_path, rows), replace=True)
    assert "R3" not in set(data.races["race_id"]) and "R3" not in set(data.results["race_id"])
    assert data.added.replaced == ("R3",) and len(data.races) == 3
    assert str(data.added).endswith("; replaced 1 race (R3)")
    new = data.results[data.results["race_id"].str.startswith("2023-08-23_1500m_final_")]
    assert new.set_index("athlete_id")["time_s"].to_dict() == {"A2": 209.38, "A1": 209.65}


def test_repeat_with_another_section_number_is_refused(tiny, tmp_path):
    meet = [*REPEAT[:4], "1"]  # the data's R3 is heat 0
    err = _error(tiny, _sheet(tmp_path, [_row("1", "Josh Kerr", "GBR", "3:29.38", meet=meet)]))
    assert "repeats race R3 of the data (final 0, same date and event, 1 runner(s)" in str(err)


def test_same_day_race_without_common_runner_is_not_a_repeat(tiny, tmp_path):
    data = tiny.with_results(
        _sheet(tmp_path, [_row("1", "Runner Nobody", "FRA", "3:40.00", meet=REPEAT)])
    )
    assert len(data.races) == 4 and data.added.replaced == ()


def test_added_rows_obey_as_of(tiny, tmp_path):
    absences = pd.DataFrame(
        [
            [
                "Josh KERR",
                "2024-03-05",
                "2024-05-01",
                "injury",
                "2024-03-10",
                "https://example.org/a",
            ]
        ],
        columns=["athlete", "start", "end", "kind", "announced", "source"],
    )
    data = tiny.with_results(_sheet(tmp_path, [_row("1", "Josh KERR", "GBR", "3:31.45")]), absences)
    assert str(data.added) == "added 1 race, 1 result, 0 new athletes, 1 absence"
    assert len(data.as_of("2024-03-01").races) == 3  # the race day itself: not yet
    assert len(data.as_of("2024-03-02").races) == 4
    assert len(data.as_of("2024-03-02").results) == 9
    assert len(data.as_of("2024-03-09").absences) == 2  # announced 03-10
    on_day = data.as_of("2024-03-10").absences.set_index("start").loc["2024-03-05"]
    assert on_day["athlete_id"] == "A2" and pd.isna(on_day["end"])  # return still ahead
    later = data.as_of("2024-05-02").absences.set_index("start").loc["2024-03-05"]
    assert later["end"] == pd.Timestamp("2024-05-01") and later["precision"] == "day"


def test_rows_after_the_cutoff_of_as_of_data_are_refused(tiny, tmp_path):
    err = _error(tiny.as_of("2024-02-01"), _sheet(tmp_path, [_row("1", "Josh KERR", "GBR", "")]))
    assert (err.row, err.column) == (1, "date") and "as_of cutoff (2024-02-01)" in str(err)


def test_absence_errors(tiny, tmp_path):
    sheet = _sheet(tmp_path, [_row("1", "Josh KERR", "GBR", "3:31.45")])
    cols = ["athlete", "start", "end", "kind", "announced", "source"]
    unknown = pd.DataFrame(
        [["Nobody Atall", "2024-03-05", "", "injury", "2024-03-10", "s"]], columns=cols
    )
    err = _error(tiny, sheet, unknown)
    assert (err.file, err.row, err.column) == ("absences", 1, "athlete")
    again = pd.DataFrame(
        [["Jakob Ingebrigtsen", "2023-01-10", "", "illness", "2023-02-01", "s"]], columns=cols
    )
    err = _error(tiny, sheet, again)
    assert err.column == "start" and "replace=True" in str(err)
    replaced = tiny.with_results(sheet, again, replace=True).absences
    assert replaced.set_index("athlete_id").loc["A1", "kind"] == "illness"
    backwards = again.assign(start="2024-03-05", end="2024-03-01")
    err = _error(tiny, sheet, backwards)
    assert (err.row, err.column, err.value) == (1, "end", "2024-03-01")


def test_the_summary_of_added_results_is_the_exported_type(tiny, tmp_path):
    path = _sheet(tmp_path, [_row("1", "Josh KERR", "GBR", "3:31.45")])
    added = tiny.with_results(path).added
    assert isinstance(added, rm.AddedResults) and "AddedResults" in rm.__all__
    assert added.results == 1


def test_sheet_saved_by_excel_with_a_bom(tiny, tmp_path):
    path = _sheet(tmp_path, [_row("1", "Josh KERR", "GBR", "3:31.45")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert tiny.with_results(path).added.results == 1


def test_dnf_with_a_time_is_refused_in_the_sheets_terms(tiny, tmp_path):
    rows = [
        _row("1", "Josh KERR", "GBR", "3:31.45"),
        _row("", "Jakob INGEBRIGTSEN", "NOR", "3:40.00", "DNF"),
    ]
    err = _error(tiny, _sheet(tmp_path, rows))
    assert (err.file, err.row, err.column, err.value) == ("own.csv", 2, "time", "3:40.00")
    assert "carry no time" in str(err)
