"""The dataset build: identity rules, and that it reproduces the bundled CSVs exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rivalrymodel.datasets.identity import normalise, resolve
from rivalrymodel.datasets.sources import SourceError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT.parent / "shared" / "data-sources"


def _people(*rows):
    cols = [
        "src",
        "person",
        "name",
        "dob",
        "birth_year",
        "nat",
        "wa_id",
        "tp_id",
        "event",
        "date",
        "place",
        "time_s",
        "status",
    ]
    df = pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])
    df["priority"] = 1
    df["birth_year"] = df["birth_year"].astype("Int64")
    return df


def _resolve(rows, aliases=None):
    aliases = aliases if aliases is not None else pd.DataFrame(columns=["person_a", "person_b"])
    crosswalk = pd.DataFrame(columns=["tp_athlete_id", "wa_id"])
    return resolve(rows, crosswalk, aliases, conflicts=[])


def test_normalise_strips_accents_case_and_order():
    assert normalise("Narve Gilje NORDÅS") == normalise("Nordås Narve Gilje")
    assert normalise("Michał ROZMYS") == "michal rozmys"
    assert normalise("Hayward Field, Eugene, OR (USA)") == "eugene field hayward or usa"


def test_name_only_people_join_the_wa_id_by_name_and_birth_year():
    rows = _people(
        (
            "dl",
            "wa:1",
            "Jakob INGEBRIGTSEN",
            "",
            2000,
            "NOR",
            "1",
            "",
            "1500m",
            "2023-06-15",
            1,
            207.95,
            "OK",
        ),
        (
            "as",
            "as:Jakob INGEBRIGTSEN|2000-09-19|NOR",
            "Jakob INGEBRIGTSEN",
            "2000-09-19",
            pd.NA,
            "NOR",
            "",
            "",
            "1500m",
            "2023-06-15",
            1,
            207.95,
            "OK",
        ),
    )
    ids = _resolve(rows)
    assert set(ids) == {"1"}


def test_twins_stay_apart():
    rows = _people(
        (
            "as",
            "as:Jake",
            "Jake ROBERTSON",
            "1989-11-14",
            pd.NA,
            "NZL",
            "",
            "",
            "5000m",
            "2016-06-01",
            3,
            790.0,
            "OK",
        ),
        (
            "as",
            "as:Zane",
            "Zane ROBERTSON",
            "1989-11-14",
            pd.NA,
            "NZL",
            "",
            "",
            "5000m",
            "2016-06-01",
            4,
            791.0,
            "OK",
        ),
    )
    assert _resolve(rows).nunique() == 2


def test_full_name_joins_short_name_with_same_birth_date():
    rows = _people(
        (
            "tp",
            "tp:7",
            "Henrik Børkja Ingebrigtsen",
            "1991-02-24",
            pd.NA,
            "NOR",
            "",
            "7",
            "1500m",
            "2016-06-01",
            2,
            215.0,
            "OK",
        ),
        (
            "as",
            "as:Henrik",
            "Henrik INGEBRIGTSEN",
            "1991-02-24",
            pd.NA,
            "NOR",
            "",
            "",
            "1500m",
            "2017-06-01",
            1,
            214.0,
            "OK",
        ),
    )
    assert set(_resolve(rows)) == {"TP7"}


def test_same_result_in_two_sources_is_one_runner():
    rows = _people(
        (
            "rio",
            "tp:9",
            "Mohamed Farah",
            "",
            pd.NA,
            "GBR",
            "",
            "9",
            "5000m",
            "2016-08-20",
            1,
            783.30,
            "OK",
        ),
        (
            "as",
            "as:Mo",
            "Mo FARAH",
            "1983-03-23",
            pd.NA,
            "GBR",
            "",
            "",
            "5000m",
            "2016-08-20",
            1,
            783.30,
            "OK",
        ),
    )
    assert _resolve(rows).nunique() == 1


def test_two_wa_ids_in_one_person_stop_the_build():
    rows = _people(
        (
            "dl",
            "wa:1",
            "Sam SMITH",
            "",
            1995,
            "GBR",
            "1",
            "",
            "1500m",
            "2019-06-01",
            1,
            214.0,
            "OK",
        ),
        (
            "dl",
            "wa:2",
            "Sam SMITH",
            "",
            1995,
            "GBR",
            "2",
            "",
            "1500m",
            "2019-07-01",
            1,
            215.0,
            "OK",
        ),
        (
            "as",
            "as:Sam",
            "Sam SMITH",
            "1995-01-01",
            pd.NA,
            "GBR",
            "",
            "",
            "1500m",
            "2019-08-01",
            1,
            213.0,
            "OK",
        ),
    )
    with pytest.raises(SourceError, match="two WA ids"):
        _resolve(rows)


def test_alias_must_name_known_people():
    rows = _people(
        (
            "as",
            "as:A",
            "A B",
            "1990-01-01",
            pd.NA,
            "KEN",
            "",
            "",
            "1500m",
            "2019-08-01",
            1,
            213.0,
            "OK",
        )
    )
    aliases = pd.DataFrame({"person_a": ["as:A"], "person_b": ["as:nobody"]})
    with pytest.raises(SourceError, match="nobody"):
        _resolve(rows, aliases)


@pytest.mark.slow
@pytest.mark.skipif(not SOURCES.is_dir(), reason=f"raw sources not beside the repo: {SOURCES}")
def test_build_reproduces_the_bundled_data(tmp_path):
    from rivalrymodel.datasets.build import build

    out = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sources", out / "sources")
    shutil.copy(ROOT / "data" / "absences.csv", out / "absences.csv")
    report = build(SOURCES, out)
    assert report["races from dl"] > 100
    for file in ("athletes.csv", "races.csv", "results.csv", "BUILD_REPORT.md"):
        assert (out / file).read_bytes() == (ROOT / "data" / file).read_bytes(), file
    res = pd.read_csv(out / "results.csv")
    assert np.isfinite(res.loc[res["status"] == "OK", "place"]).all()
