"""The 2026 season reader (rh16nd/athletics-predictor season_2026): one tiny fixture per pitfall."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from rivalrymodel.build.common import SourceError
from rivalrymodel.build.season_2026 import FOLDER, season_2026

DL_HEAD = "Competitor,DOB,Mark,Nat,Venue,Date,year,Pos,source\n"
WW_HEAD = (
    "discipline,Competitor,DOB,Mark,WIND,Nat,Venue,Meeting,Date,year,Pos,tier,group,"
    "competitionId,source\n"
)
TL_HEAD = (
    "Rank,Mark,WIND,Competitor,DOB,,Pos,,Venue,Date,Results Score,discipline,year,ProfileURL\n"
)
BXL = '"King Baudouin Stadium, Bruxelles (BEL)"'


def _dl(name, dob, mark, pos, meeting="Weltklasse Zürich", day="27 AUG 2026"):
    return f"{name},{dob},{mark},NOR,{meeting},{day},2026,{pos},dl_meeting\n"


def _ww(ev, name, mark, pos, race="7000001", venue='"Stadion, Turku (FIN)"', day="03 JUN 2026"):
    return (
        f"men_{ev},{name},01 JAN 2000,{mark},,KEN,{venue},Paavo Nurmi Games,{day},2026,{pos},"
        f"A,Continental Tour,{race},worldwide\n"
    )


def _tl(ev, name, mark, pos, venue, day, wa, dob="01 JAN 2000", nat="KEN"):
    return (
        f"1,{mark},,{name},{dob},{nat},{pos},,{venue},{day},1200,men_{ev},2026,"
        f"https://worldathletics.org/athletes/kenya/x-{wa}\n"
    )


def _write(root, *, dl=None, ww=None, tl=None, final=None, ultimate=None):
    folder = root / FOLDER
    folder.mkdir(parents=True)
    dl = dl or {}
    ww = ww or {}
    tl = tl or {}
    for ev in ("1500m", "5000m"):
        (folder / f"dl_meetings_men_{ev}_2026.csv").write_text(DL_HEAD + "".join(dl.get(ev, [])))
        (folder / f"worldwide_men_{ev}_2026.csv").write_text(WW_HEAD + "".join(ww.get(ev, [])))
        (folder / f"toplist_men_{ev}_2026.csv").write_text(TL_HEAD + "".join(tl.get(ev, [])))
    (folder / "dl_final_2026_results_men_1500m_5000m.csv").write_text(
        "discipline,year,athlete_name,place,mark,nationality\n" + "".join(final or [])
    )
    (folder / "ultimate_2026_event_results_men_1500m_5000m.json").write_text(
        json.dumps({"results": ultimate or []})
    )


def _read(root):
    report = Counter()
    return season_2026(root, report), report


# The DL Final 5000m is dated by the top list's row of its winner (Brussels, 05 SEP 2026).
FINAL_5000 = ["men_5000m,2026,Ann A,1,12:45.70,KEN\n", "men_5000m,2026,Ben B,2,12:46.00,KEN\n"]
FINAL_TL = [_tl("5000m", "Ann A", "12:45.70", "1", BXL, "05 SEP 2026", "14000001")]


def test_a_gap_in_places_makes_a_partial_field_and_runs_from_one_a_complete_one(tmp_path):
    final = FINAL_5000 + [
        "men_1500m,2026,Cid C,1,3:30.00,KEN\n",
        "men_1500m,2026,Dan D,2,3:30.50,KEN\n",
        "men_1500m,2026,Eli E,4,3:31.00,KEN\n",  # place 3 absent, like place 10 of the 2026 file
    ]
    tl = {
        "5000m": FINAL_TL,
        "1500m": [_tl("1500m", "Cid C", "3:30.00", "1", BXL, "04 SEP 2026", "14000003")],
    }
    _write(tmp_path, final=final, tl=tl)
    rows, _ = _read(tmp_path)
    single = rows[rows["src"] == "rh26_dl"]
    assert not single.loc[single["event"] == "1500m", "complete"].any()
    assert single.loc[single["event"] == "5000m", "complete"].all()
    assert set(single["date"]) == {"2026-09-04", "2026-09-05"}
    # The race cites the top list that dates it beside its own file.
    assert single["url"].str.contains(" ; ").all()
    assert single["url"].str.contains("asian_games_2026/raw/men_").all()
    assert set(single["venue"]) == {"King Baudouin Stadium, Bruxelles (BEL)"}


def test_dl_final_day_must_be_confirmed_by_the_top_list(tmp_path):
    wrong = [_tl("5000m", "Ann A", "12:45.70", "1", BXL, "06 SEP 2026", "14000001")]
    _write(tmp_path, final=FINAL_5000, tl={"5000m": wrong})
    with pytest.raises(SourceError, match="not 2026-09-05"):
        _read(tmp_path)


def test_dnf_without_place_stays_dnf_and_dns_is_dropped(tmp_path):
    dl = {
        "1500m": [
            _dl("Jakob INGEBRIGTSEN", "19 SEP 2000", "3:31.00", "1."),
            _dl("Narve NORDAS", "2000", "3:32.00", "2."),
            _dl("Pace MAKER", "01 JAN 1999", "DNF", ""),
        ]
    }
    ultimate = [
        {
            "discipline": "men_1500m",
            "athlete_name": "Josh KERR",
            "place": "1",
            "mark": "3:29.35",
            "nationality": "GBR",
        },
        {
            "discipline": "men_1500m",
            "athlete_name": "Jakob INGEBRIGTSEN",
            "place": "",
            "mark": "DNS",
            "nationality": "NOR",
        },
    ]
    tl = {
        "1500m": [
            _tl(
                "1500m",
                "Josh KERR",
                "3:29.35",
                "1",
                '"Nemzeti, Budapest (HUN)"',
                "13 SEP 2026",
                "14533464",
                "08 OCT 1997",
                "GBR",
            )
        ]
    }
    _write(tmp_path, dl=dl, ultimate=ultimate, tl=tl)
    rows, report = _read(tmp_path)
    zurich = rows[(rows["src"] == "rh26_dl") & (rows["date"] == "2026-08-27")]
    dnf = zurich[zurich["status"] == "DNF"]
    assert len(dnf) == 1 and dnf["place"].isna().all() and dnf["time_s"].isna().all()
    assert zurich["complete"].all()  # places 1..2 and a DNF: one complete field
    assert zurich.loc[zurich["name"] == "Narve NORDAS", "birth_year"].iloc[0] == 2000
    budapest = rows[(rows["src"] == "rh26_dl") & (rows["date"] == "2026-09-13")]
    assert list(budapest["name"]) == ["Josh KERR"]  # the DNS is left out
    assert report["2026 single-field rows dropped: DNS"] == 1
    # The WA id comes from the top list's ProfileURL.
    assert budapest["wa_id"].iloc[0] == "14533464"


def test_worldwide_oc_and_marks_without_place_are_left_out_and_fields_partial(tmp_path):
    ww = {
        "1500m": [
            _ww("1500m", "Ann A", "3:33.00", "1.0"),  # "1.0" and "2." are the same notation
            _ww("1500m", "Ben B", "3:33.50", "2."),
            _ww("1500m", "Cid C", "3:34.00", "3."),
            _ww("1500m", "Oce O", "3:33.20", "OC"),
            _ww("1500m", "Dan D", "3:36.00", "", race="7000002", day="16 JUN 2026"),
            _ww("1500m", "Eli E", "3:37.00", "", race="7000002", day="16 JUN 2026"),
        ]
    }
    _write(tmp_path, ww=ww)
    rows, report = _read(tmp_path)
    ww_rows = rows[rows["src"] == "rh26_ww"]
    assert list(ww_rows["place"]) == [1, 2, 3]
    assert not ww_rows["complete"].any()  # places 1..3, but only recognised athletes are kept
    assert report["2026 worldwide rows dropped: out of competition (OC)"] == 1
    assert report["2026 worldwide rows dropped: a time without a place"] == 2
    assert "2026-06-16" not in set(rows["date"])  # no place made up from the marks


def test_a_worldwide_final_pooling_two_sections_is_left_out(tmp_path):
    venue = '"Putbosstadion, Oordegem (BEL)"'
    ww = {
        "5000m": [
            _ww("5000m", "Ann A", "13:00.00", "1.", venue=venue, day="01 AUG 2026"),
            _ww("5000m", "Ben B", "13:40.00", "25.", venue=venue, day="01 AUG 2026"),
        ]
    }
    tl = {
        "5000m": [
            _tl("5000m", "Cid C", "12:56.00", "1f1", venue, "01 AUG 2026", "14000003"),
            _tl("5000m", "Dan D", "13:31.00", "18f2", venue, "01 AUG 2026", "14000004"),
        ]
    }
    _write(tmp_path, ww=ww, tl=tl)
    rows, report = _read(tmp_path)
    assert not (rows["src"] == "rh26_ww").any()
    assert report["2026 worldwide races dropped: several sections ranked as one (top list)"] == 1
    # The top-list rows are races of their own sections (rule 3), partial.
    listed = rows[rows["src"] == "rh26_tl"]
    assert sorted(listed["heat"]) == [1, 2] and not listed["complete"].any()


def test_top_list_rows_without_a_place_number_make_no_race(tmp_path):
    london = '"Olympic Stadium, London (GBR)"'
    tl = {
        "1500m": [
            _tl("1500m", "Josh KERR", "3:27.62", "", london, "18 JUL 2026", "14533464"),
            _tl("1500m", "Ann A", "3:40.00", "OC", london, "18 JUL 2026", "14000001"),
            _tl("1500m", "Ben B", "3:33.00", "f1", london, "18 JUL 2026", "014000002"),
        ]
    }
    _write(tmp_path, tl=tl)
    rows, report = _read(tmp_path)
    assert rows.empty
    assert report["2026 top-list rows dropped: no place number (empty, OC, section only)"] == 3


def test_names_take_birth_date_and_wa_id_from_the_2026_files(tmp_path):
    # A DL Final row has no birth date: the top list gives it (WA id with a leading 0 in the slug).
    final = FINAL_5000
    tl = {
        "5000m": FINAL_TL
        + [
            _tl(
                "5000m",
                "Ben B",
                "13:00.00",
                "3",
                '"X, Y (Z)"',
                "01 JUN 2026",
                "014960895",
                "02 FEB 2002",
            )
        ]
    }
    _write(tmp_path, final=final, tl=tl)
    rows, _ = _read(tmp_path)
    ben = rows[(rows["name"] == "Ben B") & (rows["src"] == "rh26_dl")].iloc[0]
    assert (ben["wa_id"], ben["dob"]) == ("14960895", "2002-02-02")
    ann = rows[(rows["name"] == "Ann A") & (rows["src"] == "rh26_dl")].iloc[0]
    assert (ann["wa_id"], ann["dob"]) == ("14000001", "2000-01-01")
    assert pd.isna(ann["birth_year"])  # the row itself gives no birth data
