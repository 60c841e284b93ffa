"""Data messages of issue 19: each bad file gets one line naming the file and the row or column."""

from __future__ import annotations

import pytest

from rivalrymodel import DataValidationError, load_dataset
from rivalrymodel.data.schema import world_record
from tests.helpers import write_dataset


def _error(folder) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    assert "\n" not in str(info.value)
    return info.value


def test_race_before_the_first_stored_record_is_not_checked(tmp_path, tiny_tables):
    # A 5000m of 2003 in 13:05.20: no record is stored before Bekele's 12:37.35 (2004-05-31).
    tiny_tables["races.csv"][1][1:3] = ["2003-07-04", "2003"]
    tiny_tables["races.csv"][1][5] = "5000m"
    for row, time in zip(
        tiny_tables["results.csv"][1:4], ["785.20", "786.00", "787.00"], strict=True
    ):
        row[3] = time
    data = load_dataset(write_dataset(tmp_path / "d", tiny_tables))
    assert data.results["time_s"].max() == 787.0
    assert world_record("5000m", "2003-07-04") == float("inf")


def test_record_check_still_applies_after_the_first_record(tmp_path, tiny_tables):
    tiny_tables["races.csv"][1][1:3] = ["2004-06-01", "2004"]
    tiny_tables["races.csv"][1][5] = "5000m"
    for row, time in zip(
        tiny_tables["results.csv"][1:4], ["757.00", "786.00", "787.00"], strict=True
    ):
        row[3] = time
    err = _error(write_dataset(tmp_path / "d", tiny_tables))
    assert err.row == 1 and err.column == "time_s" and "world record" in str(err)


def test_utf8_bom_is_accepted(tmp_path, tiny_tables):
    folder = write_dataset(tmp_path / "d", tiny_tables)
    path = folder / "athletes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    data = load_dataset(folder)
    assert list(data.athletes.columns)[0] == "athlete_id"
    assert data.athletes["athlete_id"].iloc[0] == "A1"


def test_unterminated_quote_names_the_row_where_it_opens(tmp_path, tiny_tables):
    folder = write_dataset(tmp_path / "d", tiny_tables)
    with (folder / "races.csv").open("a") as fh:
        fh.write('R4,"2023-09-01,2023\n')
    err = _error(folder)
    assert err.file == "races.csv" and err.row == 4
    assert str(err) == (
        "races.csv, row 4 (line 5): malformed CSV: unexpected end of data "
        "(value 'R4,\"2023-09-01,2023')"
    )


def test_bad_quote_inside_a_field_names_the_row(tmp_path, tiny_tables):
    folder = write_dataset(tmp_path / "d", tiny_tables)
    text = (folder / "results.csv").read_text().replace("R1,A3,", 'R1,A3"x,', 1)
    (folder / "results.csv").write_text(text.replace('A3"x', '"A3"x'))
    err = _error(folder)
    assert err.file == "results.csv" and err.row == 2
    assert "malformed CSV" in str(err) and "row 2 (line 3)" in str(err)


def test_encoding_error_names_the_row(tmp_path, tiny_tables):
    folder = write_dataset(tmp_path / "d", tiny_tables)
    path = folder / "athletes.csv"
    path.write_bytes(path.read_bytes().replace(b"Josh KERR", b"Josh K\xe9RR"))  # Latin-1
    err = _error(folder)
    assert str(err) == (
        "athletes.csv, row 2 (line 3): not UTF-8 text (invalid continuation byte) (value b'\\xe9')"
    )


def test_header_only_dataset_is_refused_naming_the_folder(tmp_path, tiny_tables):
    empty = {file: rows[:1] for file, rows in tiny_tables.items()}
    folder = write_dataset(tmp_path / "empty", empty)
    err = _error(folder)
    assert str(err) == f"{folder}: no races: races.csv holds a header and no rows"


def test_duplicate_column_name_is_refused(tmp_path, tiny_tables):
    for row in tiny_tables["results.csv"]:
        row.append(row[3])
    err = _error(write_dataset(tmp_path / "d", tiny_tables))
    assert str(err) == (
        "results.csv, column 'time_s': column name appears twice in the header (value 'time_s')"
    )
