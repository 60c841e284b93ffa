"""Every expected user error of the CLI: one line on stderr and exit status 2, before any work."""

from __future__ import annotations

import pandas as pd
import pytest

import rivalrymodel as rm
import rivalrymodel.cli.commands as cli
from rivalrymodel.cli import main


@pytest.fixture
def no_sampling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the CLI sampled before checking its options")

    monkeypatch.setattr("rivalrymodel.inference.cached_fit", refuse)


def _one_line_error(capsys, code, *needles):
    out = capsys.readouterr()
    assert code == 2, out
    # "loading" and a saved fit's own convergence warning come before the error line.
    skip = ("loading ", "warning: ")
    lines = [line for line in out.err.splitlines() if not line.startswith(skip)]
    assert len(lines) == 1, out.err
    assert "Traceback" not in out.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return out


def _forecast(fit, *extra):
    return ["forecast", "--fit", str(fit), "--date", "2024-06-01", "--athletes", "A;B", *extra]


@pytest.mark.parametrize("k", ["-3", "0"])
def test_top_k_below_one_is_refused(saved_fit, capsys, k):
    _one_line_error(capsys, main(_forecast(saved_fit, "--top-k", k)), "--top-k must be >= 1")


def test_out_into_a_missing_directory_is_refused_before_the_table(saved_fit, tmp_path, capsys):
    code = main(_forecast(saved_fit, "--out", str(tmp_path / "nope" / "fc.csv")))
    out = _one_line_error(capsys, code, "no such directory")
    assert out.out == ""  # nothing printed before the error


def test_start_list_that_is_a_directory_or_has_a_column_twice(saved_fit, tmp_path, capsys):
    base = ["forecast", "--fit", str(saved_fit), "--date", "2024-06-01"]
    _one_line_error(capsys, main(base + ["--start-list", str(tmp_path)]), "is a directory")
    twice = tmp_path / "twice.csv"
    twice.write_text("athlete,athlete\nA,B\nB,A\n")
    code = main(base + ["--start-list", str(twice)])
    _one_line_error(capsys, code, "twice.csv", "column 'athlete'", "appears twice")


def test_the_same_runner_twice_under_two_spellings(saved_fit, capsys):
    base = ["forecast", "--fit", str(saved_fit), "--date", "2024-06-01", "--athletes"]
    _one_line_error(capsys, main(base + ["A;Runner A;B"]), "'A' and 'Runner A'", "id A")


def test_as_of_with_a_saved_fit_or_after_the_race(saved_fit, capsys, no_sampling):
    code = main(_forecast(saved_fit, "--as-of", "2024-01-01"))
    _one_line_error(capsys, code, "--as-of and --fit exclude each other")
    late = ["forecast", "--as-of", "2025-09-13", "--date", "2025-09-10", "--athletes", "A;B"]
    _one_line_error(capsys, main(late), "--as-of 2025-09-13 is after the race on 2025-09-10")


def test_h2h_before_the_fit_cutoff_is_refused_like_a_forecast(saved_fit, capsys):
    args = ["h2h", "A", "B", "--fit", str(saved_fit), "--date", "2023-06-01"]
    _one_line_error(capsys, main(args), "fit on data.as_of(2023-06-01)")


def test_damaged_fit_file_and_bad_sampler_options(saved_fit, tmp_path, capsys, no_sampling):
    cut = tmp_path / "cut.nc"
    cut.write_bytes(saved_fit.read_bytes()[:5000])
    _one_line_error(capsys, main(_forecast(cut)), "cut.nc: not a readable fit file")
    args = ["fit", "--as-of", "2025-01-01", "--draws", "0", "--out", str(tmp_path / "f.nc")]
    _one_line_error(capsys, main(args), "--draws must be >= 1, not 0")
    args = ["fit", "--as-of", "2025-01-01", "--max-draws", "1500", "--out", str(tmp_path / "f.nc")]
    _one_line_error(capsys, main(args), "--max-draws must be >= the draws (2000), not 1500")


def test_backtest_with_an_unwritable_out_fails_before_the_work(tmp_path, capsys, no_sampling):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    args = ["backtest", "--baselines", "uniform", "--variants", "", "--out", str(blocker / "x")]
    _one_line_error(capsys, main(args), "--out", "cannot write there")


def test_runners_without_results_are_flagged_everywhere(saved_fit, tmp_path, capsys):
    out = tmp_path / "fc.csv"
    args = ["forecast", "--fit", str(saved_fit), "--date", "2024-06-01", "--athletes"]
    assert main(args + ["A;Nova Newcomer;B", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "Nova Newcomer *" in printed.out
    assert "note: no results before the fit's cutoff for Nova Newcomer" in printed.err
    df = pd.read_csv(out, dtype={"athlete_id": str}).set_index("athlete_id")
    assert not df.loc["NEW", "known"] and df.loc["A", "known"]


def test_ctrl_c_is_one_line_and_status_130(saved_fit, capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_forecast", interrupted)
    assert main(_forecast(saved_fit)) == 130
    assert capsys.readouterr().err.strip() == "rivalrymodel forecast: interrupted"


@pytest.mark.parametrize(
    "bug", [KeyError, ValueError, TypeError, AttributeError, IndexError, PermissionError]
)
def test_a_genuine_bug_still_shows_its_traceback(saved_fit, monkeypatch, capsys, bug):
    """Only the project's own errors and a missing file become one line and status 2: a plain
    ValueError or a PermissionError from a bug in the code is not the user's mistake."""

    def broken(args):
        raise bug("a bug")

    monkeypatch.setattr(cli, "_forecast", broken)
    with pytest.raises(bug, match="a bug"):
        main(_forecast(saved_fit))
    assert capsys.readouterr().err == ""


def test_add_results_reaches_the_fit_and_says_what_was_added(monkeypatch, capsys, tmp_path):
    from pathlib import Path

    from tests.helpers import MEANS, forecast_tree

    seen = {}

    def fake_cached_fit(spec, data, settings, **kwargs):
        seen["data"] = data
        return rm.Fit(forecast_tree(MEANS))

    monkeypatch.setattr("rivalrymodel.inference.cached_fit", fake_cached_fit)
    # The example sheet's Millrose races are in the bundled data since issue 29: this plumbing
    # test moves a copy of them to a day the data do not hold (a synthetic sheet, never data).
    example = Path(__file__).resolve().parent.parent / "examples" / "own_results.csv"
    sheet = tmp_path / "own_results.csv"
    sheet.write_text(example.read_text(encoding="utf-8").replace("2026-02-01", "2026-02-07"))
    args = ["forecast", "--date", "2026-02-14", "--athletes", "A;B", "--add-results", str(sheet)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "own_results.csv: added 2 races, 9 results, 0 new athletes" in err
    data = seen["data"]
    assert data.cutoff == pd.Timestamp("2026-02-14")
    assert (data.races["date"] == pd.Timestamp("2026-02-07")).sum() == 2
    missing = ["forecast", "--date", "2026-02-14", "--athletes", "A;B", "--add-results", "x.csv"]
    _one_line_error(capsys, main(missing), "--add-results x.csv: no such file")


def test_replace_results_lets_the_example_sheet_replace_its_bundled_races(monkeypatch, capsys):
    from pathlib import Path

    from tests.helpers import MEANS, forecast_tree

    seen = {}

    def fake_cached_fit(spec, data, settings, **kwargs):
        seen["data"] = data
        return rm.Fit(forecast_tree(MEANS))

    monkeypatch.setattr("rivalrymodel.inference.cached_fit", fake_cached_fit)
    sheet = str(Path(__file__).resolve().parent.parent / "examples" / "own_results.csv")
    args = ["forecast", "--date", "2026-02-14", "--athletes", "A;B", "--add-results", sheet]
    # The sheet repeats two bundled Millrose races: refused without the flag, naming it ...
    _one_line_error(capsys, main(args), "--replace-results")
    # ... and with it the sheet's copies stand in for the bundled ones (two races replaced).
    assert main([*args, "--replace-results"]) == 0
    err = capsys.readouterr().err
    assert "own_results.csv: added 2 races" in err
    day = seen["data"].races["date"] == pd.Timestamp("2026-02-01")
    assert seen["data"].races.loc[day, "event"].value_counts().to_dict() == {"mile": 1, "2mile": 1}
    alone = ["forecast", "--date", "2026-02-14", "--athletes", "A;B", "--replace-results"]
    _one_line_error(capsys, main(alone), "--replace-results needs --add-results")
