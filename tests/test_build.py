"""The dataset build: identity rules, and that it reproduces the bundled CSVs exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rivalrymodel.build.common import SourceError
from rivalrymodel.build.identity import resolve
from rivalrymodel.data.text import normalise

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT.parent / "shared" / "data-sources"


def _row(
    src,
    person,
    name,
    nat,
    *,
    dob="",
    year=None,
    wa="",
    tp="",
    date="2019-06-01",
    event="1500m",
    place=1,
    time_s=214.0,
):
    """One source row as the readers in sources.py produce it (the columns identity reads)."""
    return {
        "src": src,
        "person": person,
        "name": name,
        "dob": dob,
        "birth_year": year,
        "nat": nat,
        "wa_id": wa,
        "tp_id": tp,
        "event": event,
        "date": date,
        "place": place,
        "time_s": time_s,
        "status": "OK",
        "priority": 1,
    }


def _resolve(*rows, aliases=None):
    df = pd.DataFrame(rows)
    df["birth_year"] = df["birth_year"].astype("Int64")
    aliases = aliases if aliases is not None else pd.DataFrame(columns=["person_a", "person_b"])
    crosswalk = pd.DataFrame(columns=["tp_athlete_id", "wa_id"])
    return resolve(df, crosswalk, aliases, conflicts=[])


def test_normalise_strips_accents_case_and_order():
    assert normalise("Narve Gilje NORDÅS") == normalise("Nordås Narve Gilje")
    assert normalise("Michał ROZMYS") == "michal rozmys"
    assert normalise("Hayward Field, Eugene, OR (USA)") == "eugene field hayward or usa"


def test_name_only_people_join_the_wa_id_by_name_and_birth_year():
    ids = _resolve(
        _row("dl", "wa:1", "Jakob INGEBRIGTSEN", "NOR", year=2000, wa="1", time_s=207.95),
        _row("as", "as:Jakob", "Jakob INGEBRIGTSEN", "NOR", dob="2000-09-19", time_s=207.95),
    )
    assert set(ids) == {"1"}


def test_twins_stay_apart():
    ids = _resolve(
        _row("as", "as:Jake", "Jake ROBERTSON", "NZL", dob="1989-11-14", place=3, time_s=790.0),
        _row("as", "as:Zane", "Zane ROBERTSON", "NZL", dob="1989-11-14", place=4, time_s=791.0),
    )
    assert ids.nunique() == 2


def test_full_name_joins_short_name_with_same_birth_date():
    ids = _resolve(
        _row(
            "tp",
            "tp:7",
            "Henrik Børkja Ingebrigtsen",
            "NOR",
            dob="1991-02-24",
            tp="7",
            date="2016-06-01",
            place=2,
            time_s=215.0,
        ),
        _row("as", "as:Henrik", "Henrik INGEBRIGTSEN", "NOR", dob="1991-02-24", date="2017-06-01"),
    )
    assert set(ids) == {"TP7"}


def test_same_result_in_two_sources_is_one_runner():
    race = {"event": "5000m", "date": "2016-08-20", "place": 1, "time_s": 783.30}
    ids = _resolve(
        _row("rio", "tp:9", "Mohamed Farah", "GBR", tp="9", **race),
        _row("as", "as:Mo", "Mo FARAH", "GBR", dob="1983-03-23", **race),
    )
    assert ids.nunique() == 1


def test_supplement_row_joins_one_name_only_person_seen_by_two_sources():
    """Two sources' name-only rows of one person (same name and birth date) are one candidate
    for a supplement row without a birth date, with or without its nationality."""
    ids = _resolve(
        _row("tl", "tl:Cam", "Cameron MYERS", "AUS", dob="2006-06-09", date="2023-07-16"),
        _row("as", "as:Cam", "Cameron MYERS", "AUS", dob="2006-06-09", date="2025-06-24"),
        _row("sup_a", "sup:Cameron Myers|AUS|", "Cameron Myers", "AUS", date="2025-02-08"),
        _row("sup_b", "sup:Cameron Myers||", "Cameron Myers", "", date="2025-06-12"),
    )
    assert ids.nunique() == 1
    # Two different people of that name (other birth dates) leave the supplement row alone.
    ids = _resolve(
        _row("as", "as:A", "Vincent RONO", "KEN", dob="1990-11-10", date="2019-06-01"),
        _row("as", "as:B", "Vincent RONO", "KEN", dob="1986-06-22", date="2019-07-01"),
        _row("sup_a", "sup:Vincent Rono|KEN|", "Vincent Rono", "KEN", date="2019-08-01"),
    )
    assert ids.nunique() == 3


def test_two_wa_ids_in_one_person_stop_the_build():
    with pytest.raises(SourceError, match="two WA ids"):
        _resolve(
            _row("dl", "wa:1", "Sam SMITH", "GBR", year=1995, wa="1"),
            _row("dl", "wa:2", "Sam SMITH", "GBR", year=1995, wa="2", date="2019-07-01"),
            _row("as", "as:Sam", "Sam SMITH", "GBR", dob="1995-01-01", date="2019-08-01"),
        )


def test_alias_must_name_known_people():
    aliases = pd.DataFrame({"person_a": ["as:A"], "person_b": ["as:nobody"]})
    with pytest.raises(SourceError, match="nobody"):
        _resolve(_row("as", "as:A", "A B", "KEN", dob="1990-01-01"), aliases=aliases)


@pytest.mark.slow
@pytest.mark.skipif(not SOURCES.is_dir(), reason=f"raw sources not beside the repo: {SOURCES}")
def test_build_reproduces_the_bundled_data(tmp_path):
    from rivalrymodel.build.pipeline import build

    out = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sources", out / "sources")
    shutil.copy(ROOT / "data" / "absences.csv", out / "absences.csv")
    report = build(SOURCES, out)
    assert report["races from dl"] > 100
    for file in ("athletes.csv", "races.csv", "results.csv", "BUILD_REPORT.md"):
        assert (out / file).read_bytes() == (ROOT / "data" / file).read_bytes(), file
    res = pd.read_csv(out / "results.csv")
    assert np.isfinite(res.loc[res["status"] == "OK", "place"]).all()
