"""Files are written whole or not at all."""

from __future__ import annotations

import pytest

from rivalrymodel.data.files import replace_atomically, write_text_atomically


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")

    def half_then_crash(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        replace_atomically(target, half_then_crash)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_each_write_uses_its_own_temporary_name(tmp_path):
    target, seen = tmp_path / "report.md", []
    for text in ("one", "two"):
        replace_atomically(target, lambda tmp, t=text: (seen.append(tmp.name), tmp.write_text(t)))
    assert seen[0] != seen[1] and all(name.startswith(".report.md.") for name in seen)
    write_text_atomically(target, "three")
    assert target.read_text() == "three" and len(list(tmp_path.iterdir())) == 1
