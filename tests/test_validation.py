"""Every class of bad input raises DataValidationError naming file, row, column and value."""

from __future__ import annotations

import datetime as dt

import pytest

from rivalrymodel import DataValidationError, load_dataset
from tests.helpers import write_dataset


def _load_with(tmp_path, tables, file, row, column, value, today=None):
    """Set one cell (row counts data rows from 1) and load; return the error raised."""
    header = tables[file][0]
    tables[file][row][header.index(column)] = value
    folder = write_dataset(tmp_path / "broken", tables)
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder, today=today)
    return info.value


def _assert_names(err, file, row, column, value):
    assert err.file == file
    assert err.row == row
    assert err.column == column
    assert repr(value) in str(err) or str(value) in str(err)
    assert f"row {row}" in str(err) and f"'{column}'" in str(err)


def test_tiny_dataset_is_valid(tiny_dir):
    data = load_dataset(tiny_dir)
    assert len(data.races) == 3 and len(data.results) == 8 and len(data.absences) == 2


@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("races.csv", 2, "event", "800m"),
        ("races.csv", 3, "round", "quarterfinal"),
        ("results.csv", 4, "status", "DNQ"),
        ("absences.csv", 1, "kind", "holiday"),
        ("races.csv", 1, "indoor", "yes"),
        ("races.csv", 2, "date", "15/06/2023"),
        ("results.csv", 5, "place", "second"),
        ("results.csv", 1, "time_s", "3:28.32"),
        ("races.csv", 1, "source", ""),
    ],
)
def test_bad_values(tmp_path, tiny_tables, file, row, column, value):
    err = _load_with(tmp_path, tiny_tables, file, row, column, value)
    _assert_names(err, file, row, column, value)


def test_time_faster_than_world_record(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "results.csv", 1, "time_s", "205.99")
    _assert_names(err, "results.csv", 1, "time_s", 205.99)
    assert "world record" in str(err)


def test_world_record_depends_on_date(tmp_path, tiny_tables):
    # 7:19.00 for 3000m beat Komen's 7:20.67 only from Ingebrigtsen's 7:17.55 (2024-08-25) on.
    tiny_tables["races.csv"][2][5] = "3000m"
    tiny_tables["results.csv"][4][3] = "439.00"
    tiny_tables["results.csv"][5][3] = "440.00"
    err = _load_with(tmp_path, tiny_tables, "results.csv", 4, "time_s", "439.00")
    _assert_names(err, "results.csv", 4, "time_s", 439.0)
    tiny_tables["races.csv"][2][1:3] = ["2024-09-01", "2024"]
    data = load_dataset(write_dataset(tmp_path / "later", tiny_tables))
    assert data.results["time_s"].max() == 440.0  # 7:19.00 and 7:20.00 are valid in 2024


def test_time_slower_than_plausible(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "results.csv", 3, "time_s", "400.00")
    _assert_names(err, "results.csv", 3, "time_s", 400.0)


def test_places_contradict_times(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "results.csv", 3, "time_s", "208.50")
    _assert_names(err, "results.csv", 3, "time_s", 208.5)
    assert "slower time" in str(err)


def test_shared_place_with_different_times(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "results.csv", 3, "place", "2")
    _assert_names(err, "results.csv", 3, "place", 2)


def test_gap_in_places_of_a_complete_field(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "results.csv", 3, "place", "4")
    _assert_names(err, "results.csv", 3, "place", 4)


def test_place_on_a_dnf(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "results.csv", 8, "place", "3")
    _assert_names(err, "results.csv", 8, "place", 3)


def test_duplicate_result_row(tmp_path, tiny_tables):
    tiny_tables["results.csv"].append(list(tiny_tables["results.csv"][4]))
    err = _load_with(tmp_path, tiny_tables, "results.csv", 9, "status", "OK")
    _assert_names(err, "results.csv", 9, "athlete_id", "A1")
    assert "duplicate" in str(err)


@pytest.mark.parametrize(
    ("file", "column", "value"),
    [("races.csv", "race_id", "R1"), ("athletes.csv", "athlete_id", "A1")],
)
def test_duplicate_ids(tmp_path, tiny_tables, file, column, value):
    err = _load_with(tmp_path, tiny_tables, file, 2, column, value)
    _assert_names(err, file, 2, column, value)


@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("results.csv", 6, "race_id", "R9"),
        ("results.csv", 2, "athlete_id", "A9"),
        ("absences.csv", 2, "athlete_id", "A9"),
    ],
)
def test_unknown_references(tmp_path, tiny_tables, file, row, column, value):
    err = _load_with(tmp_path, tiny_tables, file, row, column, value)
    _assert_names(err, file, row, column, value)
    assert "not in" in str(err)


def test_date_after_today(tmp_path, tiny_tables):
    err = _load_with(
        tmp_path, tiny_tables, "races.csv", 3, "date", "2023-08-24", today=dt.date(2023, 8, 23)
    )
    _assert_names(err, "races.csv", 3, "date", "2023-08-24")
    assert "after today" in str(err)


def test_season_must_match_date(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "races.csv", 2, "season", "2022")
    _assert_names(err, "races.csv", 2, "season", 2022)


def test_absence_ending_before_it_starts(tmp_path, tiny_tables):
    err = _load_with(tmp_path, tiny_tables, "absences.csv", 1, "end", "2022-12-31")
    _assert_names(err, "absences.csv", 1, "end", "2022-12-31")


def test_malformed_csv_names_the_row(tmp_path, tiny_tables):
    tiny_tables["results.csv"][3].append("extra")
    folder = write_dataset(tmp_path / "broken", tiny_tables)
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    assert info.value.file == "results.csv" and info.value.row == 3
    assert "7 fields, header has 6" in str(info.value)


def test_unterminated_quote_is_malformed(tmp_path, tiny_tables):
    folder = write_dataset(tmp_path / "broken", tiny_tables)
    with (folder / "races.csv").open("a") as fh:
        fh.write('R4,"2023-09-01,2023\n')
    with pytest.raises(DataValidationError, match="malformed CSV"):
        load_dataset(folder)


def test_missing_column(tmp_path, tiny_tables):
    for row in tiny_tables["results.csv"]:
        del row[3]
    folder = write_dataset(tmp_path / "broken", tiny_tables)
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    assert info.value.file == "results.csv" and "time_s" in str(info.value)


def test_missing_file(tmp_path, tiny_tables):
    folder = write_dataset(tmp_path / "broken", tiny_tables)
    (folder / "absences.csv").unlink()
    with pytest.raises(DataValidationError, match="absences.csv.*file not found"):
        load_dataset(folder)


def test_error_is_a_value_error():
    assert issubclass(DataValidationError, ValueError)
