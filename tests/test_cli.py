"""The rivalrymodel command."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from rivalrymodel.cli import main
from rivalrymodel.forecasting.forecast import CSV_COLUMNS


def test_summary_prints_coverage_and_key_athletes(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "Coverage per season x event" in out
    races_part, absences_part = out.split("Absences (injury, illness, other)")
    lines = {
        line.split()[0] + " " + line.split()[1]: line
        for line in races_part.splitlines()
        if line.startswith(("Jakob", "Josh"))
    }
    assert int(lines["Jakob Ingebrigtsen"].split()[-1]) >= 100
    assert int(lines["Josh Kerr"].split()[-1]) >= 40
    ab = {line.split()[0]: line.split() for line in absences_part.splitlines() if line.strip()}
    assert int(ab["all"][-1]) >= 40  # athletes with a sourced absence
    assert int(ab["Jakob"][-2]) >= 4  # Ingebrigtsen's absences
    total = next(line for line in out.splitlines() if line.split()[:2] == ["all", "all"])
    races, results = int(total.split()[2]), int(total.split()[5])
    assert races >= 500 and results >= 5000


def test_summary_reports_every_listed_championship_final(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    head, table = out.split("Championship finals: ")
    done, listed = int(table.split()[0]), int(table.split()[2])
    rows = [line.split() for line in table.splitlines()[4:] if line.strip()]
    assert listed == len(rows) == 56  # 28 championships x 2 events
    assert done == sum(row[2] == "complete" for row in rows) >= 20
    by_key = {(row[0], row[1]): row for row in rows}
    # Tokyo 2020 1500m: final of 13 and both semis complete (olympedia, see headline_facts.csv).
    assert by_key[("OG2020", "1500m")][2:5] == ["complete", "13", "2/2"]


def test_summary_by_event(capsys):
    assert main(["summary", "--by-event"]) == 0
    out = capsys.readouterr().out
    assert " 2023 1500m " in out and " 2024  mile " in out


def test_invalid_data_exits_2_with_the_message(tmp_path, tiny_tables, capsys):
    from tests.helpers import write_dataset

    tiny_tables["races.csv"][1][5] = "800m"
    folder = write_dataset(tmp_path / "bad", tiny_tables)
    assert main(["summary", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "races.csv, row 1 (line 2), column 'event'" in err and "'800m'" in err


def test_console_script_help():
    out = subprocess.run(
        [sys.executable, "-m", "rivalrymodel.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "summary" in out


def test_forecast_from_a_saved_fit_prints_and_writes_csv_and_json(saved_fit, tmp_path, capsys):
    out = tmp_path / "fc.csv"
    args = ["forecast", "--fit", str(saved_fit), "--date", "2024-06-01", "--paced"]
    assert main(args + ["--athletes", "Runner A; B ;C", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Runner A" in printed and "win % [90%]" in printed
    df = pd.read_csv(out, dtype={"athlete_id": str})
    assert list(df.columns) == CSV_COLUMNS
    assert df["p_win"].sum() == pytest.approx(1.0, abs=0.002)
    assert df["p_podium"].sum() == pytest.approx(3.0, abs=0.002)
    assert list(df["athlete_id"]) == ["A", "B", "C"]
    start = tmp_path / "start.csv"
    start.write_text("athlete\nA\nRunner B\nE\n")
    js = tmp_path / "fc.json"
    assert main(["forecast", "--fit", str(saved_fit), "--date", "2024-06-01",
                 "--start-list", str(start), "--out", str(js)]) == 0  # fmt: skip
    records = json.loads(js.read_text())
    assert {r["athlete_id"] for r in records} == {"A", "B", "E"}


def test_forecast_errors_are_one_clear_line(saved_fit, tmp_path, capsys):
    base = ["forecast", "--fit", str(saved_fit), "--date", "2024-06-01"]
    assert main(base + ["--athletes", "Runer A;B"]) == 2
    assert "close matches: Runner A (id A)" in capsys.readouterr().err
    bad = tmp_path / "start.csv"
    bad.write_text("name\nA\nB\n")
    assert main(base + ["--start-list", str(bad)]) == 2
    assert "needs a column 'athlete'" in capsys.readouterr().err
    bad.write_text("athlete\nA\n \nB\n")
    assert main(base + ["--start-list", str(bad)]) == 2
    assert "row 2 (line 3), column 'athlete': empty" in capsys.readouterr().err
    assert main(base) == 2
    assert "either --athletes" in capsys.readouterr().err
    late = ["forecast", "--fit", str(saved_fit), "--date", "2023-06-01", "--athletes", "A;B"]
    assert main(late) == 2
    assert "fit on data.as_of(2023-06-01)" in capsys.readouterr().err


def test_h2h_prints_the_probability_with_its_interval(saved_fit, capsys):
    args = ["h2h", "Runner A", "E", "--fit", str(saved_fit), "--date", "2024-06-01", "--paced"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("P(Runner A ahead of Runner E) in a paced 1500m race on 2024-06-01: ")
    assert "90% interval" in out


@pytest.mark.slow
def test_fit_then_forecast_end_to_end(tmp_path, capsys):
    """The real model, quick settings: fit as of a date, save, forecast Tokyo's 5000m final."""
    path = tmp_path / "quick.nc"
    cache = ["--seed", "3"]
    assert main(["fit", "--quick", "--as-of", "2025-09-13", "--out", str(path)] + cache) == 0
    assert path.exists()
    capsys.readouterr()
    out = tmp_path / "fc.csv"
    athletes = "Jakob Ingebrigtsen;Grant Fisher;Cole Hocker;Nico Young"
    args = ["forecast", "--fit", str(path), "--date", "2025-09-21", "--event", "5000m"]
    assert main(args + ["--athletes", athletes, "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) == 4 and df["p_win"].sum() == pytest.approx(1.0, abs=0.002)
    assert "INGEBRIGTSEN" in " ".join(df["athlete"])


def test_backtest_of_the_baselines_writes_tables_and_the_calibration_plot(tmp_path, capsys):
    out = tmp_path / "bt"
    four = "uniform,season_best,elo,openskill"
    args = ["backtest", "--variants", "", "--baselines", four, "--targets", "classic"]
    assert main(args + ["--out", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["model"]) == {"uniform", "season_best", "elo", "openskill"}
    assert set(summary["set"]) == {"championship_final", "dl", "all"}
    races = pd.read_csv(out / "races.csv")
    assert races.groupby("model").size().nunique() == 1  # every model scored every race
    assert (out / "calibration.png").stat().st_size > 10_000
    assert "log loss minus uniform's" in capsys.readouterr().out
    assert main(["backtest", "--variants", "fancy", "--out", str(out)]) == 2


@pytest.mark.slow
def test_backtest_quick_with_the_model(tmp_path, capsys):
    out = tmp_path / "bt"
    args = ["backtest", "--quick", "--variants", "default", "--baselines", "elo", "--out", str(out)]
    assert main(args) == 0
    races = pd.read_csv(out / "races.csv", parse_dates=["date", "origin"])
    assert set(races["model"]) == {"default", "elo"} and len(races) == 6
    assert races["origin"].nunique() == 3  # the yardstick's: one per championship event
    assert (races["origin"] <= races["date"]).all()
    assert "convergence:" in capsys.readouterr().err  # a quick fit does not converge: said so
