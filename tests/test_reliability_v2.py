"""Issue 30 (reliability v2): formula injection, the fit file's checksum, sheet identities,
malformed inputs of the Python API and the CLI; each case ends in one clear line."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import rivalrymodel as rm
from rivalrymodel.data.files import neutralise, write_table
from tests.helpers import MEANS, forecast_tree

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]


def _fit(means=MEANS, **kwargs) -> rm.Fit:
    return rm.Fit(forecast_tree(means, **kwargs))


# --- 1. formula injection -------------------------------------------------------------------


def test_neutralise_prefixes_text_a_spreadsheet_would_run_and_nothing_else():
    df = pd.DataFrame(
        {"name": [*FORMULAS, "Josh KERR", "-0.05", ""], "p": np.linspace(-0.5, 0.5, 9)}
    )
    out = neutralise(df)
    assert list(out["name"]) == [*("'" + f for f in FORMULAS), "Josh KERR", "-0.05", ""]
    pd.testing.assert_series_equal(out["p"], df["p"])  # numbers, negative ones too, unchanged


def test_forecast_out_neutralises_a_formula_name_in_csv_and_json(tmp_path):
    tree = forecast_tree(MEANS)
    tree["posterior"] = (
        tree["posterior"]
        .to_dataset()
        .assign_coords(
            athlete_name=("athlete", ["=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1)", "C", "D"])
        )
    )
    fc = rm.forecast(rm.Fit(tree), rm.StartList(list(MEANS), date="2024-06-01"), random_seed=1)
    back = pd.read_csv(fc.to_file(tmp_path / "fc.csv"))
    assert set(back["athlete"]) == {"'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'@SUM(A1)", "C", "D"}
    assert (back["p_win"] > 0).all()  # the numbers are untouched
    records = json.loads(fc.to_file(tmp_path / "fc.json").read_text())
    assert {r["athlete"] for r in records} >= {"'=cmd|' /C calc'!A0", "'@SUM(A1)"}


def test_backtest_tables_are_written_neutralised(tmp_path):
    write_table(tmp_path / "t.csv.gz", pd.DataFrame({"model": ["=1+1"], "x": [-1.0]}))
    back = pd.read_csv(tmp_path / "t.csv.gz")
    assert back.loc[0, "model"] == "'=1+1" and back.loc[0, "x"] == -1.0
    assert list(tmp_path.iterdir()) == [tmp_path / "t.csv.gz"]  # no temporary file left


@pytest.mark.parametrize("column", ["athlete", "competition", "venue", "source"])
@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1)", "-1+2"])
def test_the_sheet_refuses_formula_cells(tiny_dir, column, value):
    row = {
        "date": "2024-03-01", "competition": "Meet", "venue": "Oslo", "event": "1500m",
        "round": "final", "heat": "0", "place": "1", "athlete": "Josh KERR", "country": "GBR",
        "time": "3:31.45", "status": "OK", "source": "https://example.org/x",
    }  # fmt: skip
    second = {**row, "place": "2", "athlete": "Jakob INGEBRIGTSEN", "country": "NOR", "time": ""}
    sheet = pd.DataFrame([{**row, column: value}, second])
    with pytest.raises(rm.DataValidationError, match="formula") as err:
        rm.load_dataset(tiny_dir).with_results(sheet)
    assert (err.value.row, err.value.column, err.value.value) == (1, column, value)
    assert "\n" not in str(err.value)


# --- 2. the fit file's checksum covers everything a forecast reads ---------------------------


def _edited(path, edit):
    import h5py

    with h5py.File(path, "r+") as f:
        edit(f)
    return path


def _swap_ids(f):
    ids = f["posterior/athlete"][...]
    ids[[0, 1]] = ids[[1, 0]]
    f["posterior/athlete"][...] = ids


def _set(name, value):
    def edit(f):
        f.attrs[name] = value

    return edit


def _spec_edit(f):
    spec = json.loads(f.attrs["spec"])
    f.attrs["spec"] = json.dumps({**spec, "injury": False, "periods_per_season": 4})


EDITS = {
    "athlete ids swapped": _swap_ids,
    "cutoff": _set("cutoff", "2030-01-01"),
    "spec": _spec_edit,
    "absences": _set("absences", "[]"),
    "athletes": _set("athletes", "[]"),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_an_edited_fit_file_is_refused(tmp_path, what):
    absences = [{"athlete_id": "A", "start": "2023-12-01", "returned": None,
                 "announced": "2023-12-02"}]  # fmt: skip
    path = rm.Fit(forecast_tree(MEANS, absences=absences)).save(tmp_path / "fit.nc")
    rm.load_fit(path)  # the file as saved loads
    _edited(path, EDITS[what])
    with pytest.raises(rm.FitFileError, match="fit.nc: checksum mismatch") as err:
        rm.load_fit(path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("version", ["0.0.1", "99.0", "", "banana"])
def test_a_fit_file_of_an_incompatible_version_is_refused(tmp_path, version):
    path = _edited(_fit().save(tmp_path / "fit.nc"), _set("rivalrymodel_version", version))
    with pytest.raises(rm.FitFileError, match="cannot read: refit and save") as err:
        rm.load_fit(path)
    assert "\n" not in str(err.value) and isinstance(err.value, rm.RivalryModelError)


def test_a_fit_file_with_the_old_arrays_only_checksum_is_refused(tmp_path):
    path = _edited(_fit().save(tmp_path / "fit.nc"), _set("checksum", "ab" * 32))
    with pytest.raises(rm.FitFileError, match="covers only part of the file"):
        rm.load_fit(path)


def test_the_checksum_holds_through_zarr(tmp_path):
    fit = _fit(absences=[{"athlete_id": "A", "start": "2023-12-01", "returned": None,
                          "announced": "2023-12-02"}])  # fmt: skip
    back = rm.load_fit(fit.save(tmp_path / "fit.zarr"))
    pd.testing.assert_frame_equal(back.absences, fit.absences)


# --- 12. the CLI: options that cannot apply, --out, the project's own errors -----------------


def _cli_error(capsys, argv, *needles):
    from rivalrymodel.cli import main

    code = main(argv)
    out = capsys.readouterr()
    skip = ("loading ", "warning: ", "backtest: ")  # progress lines before the error
    lines = [x for x in out.err.splitlines() if not x.startswith(skip)]
    assert code == 2 and len(lines) == 1 and "Traceback" not in out.err, out.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return out


def _fc(fit, *extra):
    return ["forecast", "--fit", str(fit), "--date", "2024-06-01", "--athletes", "A;B", *extra]


@pytest.mark.parametrize(
    "extra",
    [["--variant", "static"], ["--quick"], ["--draws", "100"], ["--data", "data"],
     ["--chains", "4"], ["--add-results", "x.csv"]],
)  # fmt: skip
def test_options_that_cannot_apply_with_a_saved_fit_are_refused(saved_fit, capsys, extra):
    _cli_error(capsys, _fc(saved_fit, *extra), extra[0], "cannot apply with --fit")


def test_out_suffix_is_checked_before_the_forecast(saved_fit, tmp_path, capsys):
    out = _cli_error(capsys, _fc(saved_fit, "--out", str(tmp_path / "fc.xlsx")), ".csv or .json")
    assert out.out == "" and "loading" not in out.err  # refused before any work


def test_a_failed_backtest_leaves_no_empty_out_folder(tmp_path, capsys, monkeypatch):
    def fails(*args, **kwargs):
        raise rm.InputError("no target race has two known runners")

    monkeypatch.setattr("rivalrymodel.evaluation.backtest", fails)
    out = tmp_path / "new" / "run"
    argv = ["backtest", "--baselines", "uniform", "--variants", "", "--out", str(out)]
    _cli_error(capsys, argv, "no target race")
    assert not (tmp_path / "new").exists()


def test_a_bad_scheduler_address_is_one_line(capsys):
    argv = ["backtest", "--baselines", "uniform", "--variants", "", "--scheduler", "nowhere"]
    _cli_error(capsys, argv, "--scheduler 'nowhere': not an address")


def test_a_value_error_of_a_bug_shows_its_traceback(saved_fit, monkeypatch):
    import rivalrymodel.cli.commands as cli

    def broken(args):
        raise ValueError("a bug, not the user's error")

    monkeypatch.setattr(cli, "_forecast", broken)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(_fc(saved_fit))


def test_user_errors_derive_from_the_project_base():
    for cls in (rm.DataValidationError, rm.FitFileError, rm.UnknownAthleteError, rm.InputError):
        assert issubclass(cls, rm.RivalryModelError)
    assert issubclass(rm.InputError, ValueError)  # callers that caught ValueError still do


# --- 5. a user's absences table is checked, not silently dropped -----------------------------


def _absence_forecast(absences):
    sl = rm.StartList(list(MEANS), date="2024-06-01")
    return rm.forecast(_fit(), sl, absences=absences, random_seed=1)


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        (pd.DataFrame({"athlete": ["Runner A"], "start": ["2024-04-01"]}),
         "missing column(s) ['athlete_id', 'announced']"),
        (pd.DataFrame({"athlete_id": ["Runner A"], "start": ["2024-04-01"],
                       "announced": ["2024-04-02"]}),
         "row 1 (line 2), column 'athlete_id': a name, not an id: give the athlete_id (A)"),
        (pd.DataFrame({"athlete_id": ["A"], "start": ["April"], "announced": ["2024-04-02"]}),
         "column 'start': not a date"),
        (pd.DataFrame({"athlete_id": ["A"], "start": ["2024-04-01"], "announced": [None]}),
         "column 'announced': required value is empty"),
        (pd.DataFrame({"athlete_id": ["A"], "start": ["2024-04-01"], "end": ["2024-03-01"],
                       "announced": ["2024-04-02"]}),
         "column 'end': before its start"),
    ],
)  # fmt: skip
def test_a_malformed_absences_table_is_refused_in_one_line(table, needle):
    with pytest.raises(rm.DataValidationError) as err:
        _absence_forecast(table)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_valid_absences_table_changes_the_forecast():
    table = pd.DataFrame({"athlete_id": ["A"], "start": ["2024-04-01"], "end": [None],
                          "announced": ["2024-04-02"]})  # fmt: skip
    hurt = _absence_forecast(table).table.set_index("athlete_id")
    fit_only = _absence_forecast(None).table.set_index("athlete_id")
    assert hurt.loc["A", "injury"] < -0.5 and fit_only.loc["A", "injury"] == 0


# --- 6. sheet identities, and one name resolver for sheets, start lists and the CLI ---------


def _sheet_row(athlete, place="1", **extra):
    return {
        "date": "2024-03-01", "competition": "Meet", "event": "1500m", "round": "final",
        "heat": "0", "place": place, "athlete": athlete, "country": "", "time": "",
        "status": "OK", "source": "https://example.org/x", **extra,
    }  # fmt: skip


def test_an_athlete_id_contradicting_the_name_is_refused(tiny_dir):
    data = rm.load_dataset(tiny_dir)
    sheet = pd.DataFrame([_sheet_row("Timothy CHERUIYOT", athlete_id="A1"),
                          _sheet_row("Josh KERR", "2", athlete_id="")])  # fmt: skip
    with pytest.raises(rm.DataValidationError, match="contradicts the name") as err:
        data.with_results(sheet)
    assert (err.value.row, err.value.column, err.value.value) == (1, "athlete_id", "A1")
    assert "A1 Jakob INGEBRIGTSEN" in str(err.value)
    # The id of the athlete the name is, or a new spelling sharing his surname, is taken.
    ok = sheet.assign(athlete_id=["A3", ""], athlete=["Tim Cheruiyot", "Josh KERR"])
    assert "A3" in set(data.with_results(ok).results["athlete_id"])


@pytest.mark.parametrize(
    ("typed", "needle"),
    [("12345678", "a number, not a name"), ("J\u043esh KERR", "mixes alphabets (Cyrillic, Latin)")],
)
def test_digit_and_look_alike_names_are_refused(tiny_dir, typed, needle):
    sheet = pd.DataFrame([_sheet_row(typed), _sheet_row("Jakob INGEBRIGTSEN", "2")])
    with pytest.raises(
        rm.DataValidationError, match=needle.replace("(", r"\(").replace(")", r"\)")
    ):
        rm.load_dataset(tiny_dir).with_results(sheet)


def test_a_typo_becomes_a_new_athlete_with_a_close_match_hint(tiny_dir):
    sheet = pd.DataFrame([_sheet_row("Jakob Ingebritsen"), _sheet_row("Josh KERR", "2")])
    added = rm.load_dataset(tiny_dir).with_results(sheet).added
    assert added.close_matches == (("Jakob Ingebritsen", "Jakob INGEBRIGTSEN (id A1)"),)
    assert "'Jakob Ingebritsen' is close to Jakob INGEBRIGTSEN (id A1): a typo?" in str(added)


def test_start_lists_resolve_names_as_sheets_do_aliases_and_middle_names():
    tree = forecast_tree(MEANS)
    names = ["Narve Gilje NORDAS", *(f"Runner {a}" for a in "BCDE")]
    post = tree["posterior"].to_dataset().assign_coords(athlete_name=("athlete", names))
    tree["posterior"] = post
    tree.attrs["athletes"] = json.dumps(
        [{"athlete_id": "A", "name": "Narve Gilje NORDAS", "country": "NOR",
          "aliases": "Narve NORDAAS"}]
        + [{"athlete_id": a, "name": f"Runner {a}", "country": "", "aliases": ""}
           for a in "BCDE"]
    )  # fmt: skip
    fit = rm.Fit(tree)
    for typed in ("Narve Nordaas", "Narve NORDAS", "A"):
        fc = rm.forecast(fit, rm.StartList((typed, "B"), date="2024-06-01"), random_seed=0)
        assert set(fc.table["athlete_id"]) == {"A", "B"}


def test_the_roster_lists_each_athlete_once():
    roster = _fit().roster
    assert roster["athlete_id"].is_unique and set(roster["athlete_id"]) == {*MEANS, "NEW"}
    assert list(roster.set_index("athlete_id").loc[list(MEANS), "index"]) == [0, 1, 2, 3, 4]


# --- 4. a race typed twice in one sheet ----------------------------------------------------


@pytest.mark.parametrize(
    "change", [{"competition": "Millrose games (NY)"}, {"heat": "1"}, {"round": "heat"}]
)
def test_a_race_typed_twice_in_one_sheet_is_refused(tiny_dir, change):
    first = [_sheet_row("Josh KERR"), _sheet_row("Jakob INGEBRIGTSEN", "2")]
    again = [{**r, **change} for r in first]
    with pytest.raises(rm.DataValidationError, match="same day in the same event as row 1") as e:
        rm.load_dataset(tiny_dir).with_results(pd.DataFrame(first + again))
    assert (e.value.row, e.value.column, e.value.value) == (3, "athlete", "Josh KERR")


# --- 9. priors and spec fields are checked when made ------------------------------------------


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: rm.Prior("HalfNormal", sigma=-1.0), "sigma must be a positive number"),
        (lambda: rm.Prior("HalfNormal", sigma=float("nan")), "sigma must be a positive number"),
        (lambda: rm.Prior("Normal", mu=float("inf"), sigma=1), "mu must be a finite number"),
        (lambda: rm.Prior("Normal", mu="zero", sigma=1), "mu must be a number"),
        (lambda: rm.Prior("HalfNormal", mu=1), "unknown parameter(s) ['mu']; HalfNormal takes"),
        (lambda: rm.Prior("sample"), "PyMC has no distribution named 'sample'"),
        (lambda: rm.Prior("Nonsense", sigma=1), "no distribution named 'Nonsense'"),
        (lambda: rm.ModelSpec(dynamic="no"), "ModelSpec.dynamic must be True or False"),
        (lambda: rm.ModelSpec(time_scale=-1), "ModelSpec.time_scale must be > 0"),
        (lambda: rm.ModelSpec(time_scale=float("nan")), "ModelSpec.time_scale must be > 0"),
        (lambda: rm.ModelSpec(injury_decay_days=float("inf")), "injury_decay_days must be > 0"),
        (lambda: rm.ModelSpec(name=""), "ModelSpec.name must be a non-empty string"),
    ],
)
def test_bad_priors_and_spec_fields_are_refused_when_made(make, needle):
    with pytest.raises(rm.InputError) as err:
        make()
    assert needle in str(err.value)


def test_good_priors_still_work_and_round_trip():
    spec = rm.ModelSpec(step_sd=rm.Prior("Exponential", lam=4), noise=rm.Prior("StudentT", nu=4,
                        mu=0, sigma=0.5))  # fmt: skip
    assert rm.ModelSpec.from_json(spec.to_json()) == spec


# --- 10, 11, 13: bad values of the Python API, sizes, and misleading numbers -----------------


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda f: rm.StartList(("A", "B"), date=None), "StartList.date is missing"),
        (lambda f: rm.StartList(("A", "B"), date=pd.NaT), "StartList.date is missing"),
        (lambda f: rm.StartList(("A", "B"), date="soon"), "StartList.date: not a date"),
        (lambda f: rm.forecast(f, rm.StartList(("A", "B"), date="2024-06-01"), sims=2.5),
         "sims must be a whole number >= 1, not 2.5"),
        (lambda f: rm.forecast(f, rm.StartList(("A", "B"), date="2024-06-01"), top_k=2.5),
         "top_k must be a whole number >= 1, not 2.5"),
        (lambda f: rm.head_to_head(f, "A", "B", date="2024-06-01", sims=0), "sims must be >= 1"),
        (lambda f: rm.Qualify(0), "nobody qualifies"),
        (lambda f: rm.Qualify(2.5), "Qualify.per_heat must be a whole number"),
        (lambda f: rm.simulate_championship(
            f, [rm.StartList(("A", "B"), date="2024-06-01", round="heat")], [rm.Qualify(1)],
            sims=1.5), "sims must be a whole number"),
    ],
)  # fmt: skip
def test_bad_api_values_raise_a_clear_input_error(call, needle):
    with pytest.raises(rm.InputError) as err:
        call(_fit())
    assert needle in str(err.value)


def test_a_place_too_large_for_the_table_is_one_line(tiny_dir):
    sheet = pd.DataFrame([_sheet_row("Josh KERR", "99999999999999999999"),
                          _sheet_row("Jakob INGEBRIGTSEN", "2")])  # fmt: skip
    with pytest.raises(rm.DataValidationError, match=r"not a place \(1 to 999\)"):
        rm.load_dataset(tiny_dir).with_results(sheet)


def test_sizes_that_cannot_fit_in_memory_are_refused_up_front(monkeypatch):
    from rivalrymodel.forecasting import limits

    monkeypatch.setattr(limits, "_memory_budget", lambda: 2**30)  # a 2 GB machine
    sl = rm.StartList(list(MEANS), date="2024-06-01")
    with pytest.raises(rm.InputError, match=r"a forecast of 5 runners x 1000 draws x 1000000 sims"
                                            r" needs about .* GB of memory"):  # fmt: skip
        rm.forecast(_fit(), sl, sims=1_000_000)
    assert limits.forecast_bytes(4000, 300, 20, exact=True) > 10 * 2**30  # the 300
    assert limits.forecast_bytes(4000, 14, 20, exact=True) < 2**28  # a real final: small


def test_a_top_k_interval_holds_its_mean():
    fc = rm.forecast(_fit({"A": 6.0, "B": 0.0, "C": 0.0, "D": 0.0, "E": -6.0}),
                     rm.StartList(list("ABCDE"), date="2024-06-01"), top_k=4, sims=20,
                     random_seed=1)  # fmt: skip
    t = fc.table
    for col in ("p_win", "p_podium", "p_top_k", "expected_place"):
        assert ((t[f"{col}_lo"] <= t[col]) & (t[col] <= t[f"{col}_hi"])).all(), col


def test_head_to_head_pairs_sum_to_one_whichever_is_asked_first():
    fit = _fit()
    for a, b in [("A", "B"), ("C", "Nova Newcomer"), ("E", "B")]:
        ab = rm.head_to_head(fit, a, b, date="2025-06-01", random_seed=3).iloc[0]
        ba = rm.head_to_head(fit, b, a, date="2025-06-01", random_seed=3).iloc[0]
        assert ab["p_a_ahead"] + ba["p_a_ahead"] == pytest.approx(1, abs=1e-12)
        assert ab["p_a_ahead_lo"] == pytest.approx(1 - ba["p_a_ahead_hi"], abs=1e-12)
        assert ab["athlete_a"] == ba["athlete_b"]


# --- 8. an unusable cache or a full disk: the fit goes on without the cache -----------------

TEN = rm.SamplerSettings(draws=10)


@pytest.fixture
def fake_sampler(monkeypatch):
    calls = []

    def sampled(spec, data, settings, **kwargs):  # what the cache falls back to
        calls.append(kwargs)
        return _fit()

    def sampled_at(self, draws):  # what the cache samples an entry with
        calls.append({"draws": draws})
        return _fit()

    monkeypatch.setattr("rivalrymodel.inference.cache.fit", sampled)
    monkeypatch.setattr("rivalrymodel.inference.sampling.Sampler.fit_at", sampled_at)
    return calls


def _full_disk(monkeypatch):
    import errno

    from rivalrymodel.inference import storage

    def full(path, data):
        with open(path, "wb") as fh:
            fh.write(bytes(data)[:100])  # a partial file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_write_bytes", full)


def test_a_cache_path_that_is_a_file_falls_back_to_fitting_uncached(tmp_path, fake_sampler):
    from rivalrymodel.inference import CacheWarning, cached_fit

    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    with pytest.warns(CacheWarning, match="cache .* is unusable .*: fitting without it"):
        got = cached_fit(rm.ModelSpec(), None, TEN, cache_dir=blocker, random_seed=1)
    assert isinstance(got, rm.Fit) and len(fake_sampler) == 1


def test_a_full_disk_while_saving_to_the_cache_keeps_the_fit(tmp_path, fake_sampler, monkeypatch):
    from rivalrymodel.inference import CacheWarning, cached_fit

    _full_disk(monkeypatch)
    with pytest.warns(CacheWarning, match="fit not cached: .*No space left on device"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rm.ConvergenceWarning)  # a hand-built posterior
            got = cached_fit(rm.ModelSpec(), _TinyData(), TEN, cache_dir=tmp_path, random_seed=1)
    assert isinstance(got, rm.Fit)
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".tmp", ".nc")]  # nothing partial


def test_a_full_disk_while_saving_a_fit_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    _full_disk(monkeypatch)
    with pytest.raises(rm.FitFileError, match=r"fit.nc: could not write the fit \(.*No space"):
        _fit().save(tmp_path / "fit.nc")
    assert list(tmp_path.iterdir()) == []


class _TinyData:
    """What the cache key reads of a RaceData."""

    cutoff = None

    def fingerprint(self) -> str:
        return "tiny"


# --- 7. dates: races before 2016, doubtful absences --------------------------------------------


def test_a_race_before_2016_is_refused(tiny_dir):
    sheet = pd.DataFrame([_sheet_row("Josh KERR"), _sheet_row("Jakob INGEBRIGTSEN", "2")])
    with pytest.raises(rm.DataValidationError, match="before 2016-01-01") as err:
        rm.load_dataset(tiny_dir).with_results(sheet.assign(date="1900-07-01"))
    assert (err.value.row, err.value.column) == (1, "date")


def test_doubtful_absences_warn_in_one_line_each(tiny_dir):
    from rivalrymodel.data.sheet_checks import SheetWarning

    sheet = pd.DataFrame([_sheet_row("Josh KERR"), _sheet_row("Jakob INGEBRIGTSEN", "2")])
    cols = ["athlete", "start", "end", "kind", "announced", "source"]
    absences = pd.DataFrame(
        [["Josh KERR", "2024-02-01", "2024-04-01", "injury", "2024-02-02", "s"],
         ["Jakob INGEBRIGTSEN", "2024-05-01", "", "injury", "2023-01-02", "s"]], columns=cols
    )  # fmt: skip
    with pytest.warns(SheetWarning) as caught:
        rm.load_dataset(tiny_dir).with_results(sheet, absences)
    lines = sorted(str(w.message) for w in caught)
    assert len(lines) == 2 and all("\n" not in x for x in lines)
    assert "absences, row 1 (line 2): A2 ran 1 race during this absence" in lines[0]
    assert "absences, row 2 (line 3): announced 2023-01-02, more than a year before" in lines[1]
