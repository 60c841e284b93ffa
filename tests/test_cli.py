"""The rivalrymodel command."""

from __future__ import annotations

import subprocess
import sys

from rivalrymodel.cli import main


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


def test_summary_by_event(capsys):
    assert main(["summary", "--by-event"]) == 0
    out = capsys.readouterr().out
    assert " 2023 1500m " in out and " 2024  mile " in out


def test_invalid_data_exits_2_with_the_message(tmp_path, tiny_tables, capsys):
    from tests.conftest import write_dataset

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
