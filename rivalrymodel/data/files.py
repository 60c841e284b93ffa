"""Files written whole or not at all, and tables safe to open in a spreadsheet.

A writer writes a unique temporary name beside the target and renames it into place, so that a
reader, or a second writer at the same time, never sees half a file. Every CSV or JSON table the
library writes goes through :func:`write_table`, which neutralises text cells a spreadsheet
would run as a formula (:func:`neutralise`).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd

__all__ = [
    "FORMULA_START", "neutralise", "neutralise_text", "replace_atomically", "write_table",
    "write_text_atomically",
]  # fmt: skip

# The OWASP rule for CSV injection: a cell starting with one of these is a formula to Excel,
# LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def replace_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a unique temporary path beside ``path``, then rename it over
    ``path``; the temporary file is removed if ``write`` fails."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomically(path: str | Path, text: str) -> Path:
    """``path.write_text(text)``, atomically (see :func:`replace_atomically`)."""
    return replace_atomically(path, lambda tmp: tmp.write_text(text))


def neutralise_text(value):
    """``value`` with a ``'`` in front when it is text a spreadsheet would run as a formula.

    Text that is a plain number (``-0.05``) is left alone: it runs nothing.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are safe in a spreadsheet (:func:`neutralise_text`);
    numeric, boolean and date columns are unchanged."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise_text)
    return out


def write_table(path: str | Path, df: pd.DataFrame, **kwargs) -> Path:
    """Write ``df`` to ``.csv`` (``.csv.gz``) or ``.json`` (records), atomically, with its text
    cells neutralised; ``kwargs`` go to ``to_csv`` / ``to_json``."""
    path = Path(path)
    safe = neutralise(df)
    if path.suffix == ".json":
        kwargs = {"orient": "records", "indent": 1, **kwargs}
        return replace_atomically(path, lambda tmp: safe.to_json(tmp, **kwargs))
    kwargs = {"index": False, **kwargs}
    if path.name.endswith(".gz"):
        kwargs.setdefault("compression", "gzip")  # the temporary name ends in .tmp
    return replace_atomically(path, lambda tmp: safe.to_csv(tmp, **kwargs))
