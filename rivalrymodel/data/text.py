"""Text helpers of the data layer, shared with the offline build: CSV bytes read as a table of
strings (:func:`read_csv_strings`), and names normalised for matching (:func:`normalise`)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pandas as pd

from .schema import DataValidationError

__all__ = ["normalise", "read_csv_strings"]


def normalise(name: str) -> str:
    """Lower case, accents stripped, hyphens split, tokens sorted."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Letters NFKD leaves alone.
    text = text.translate(
        str.maketrans(
            {"ø": "o", "Ø": "o", "ı": "i", "ł": "l", "Ł": "l", "đ": "d", "æ": "ae", "ß": "ss"}
        )
    )
    text = re.sub(r"[^\w\s]", " ", text.lower().replace("'", ""))
    tokens = text.split()
    return " ".join(sorted(tokens))


def read_csv_strings(data: bytes, file: str) -> pd.DataFrame:
    """Parse CSV bytes (UTF-8, optional BOM) into a DataFrame of strings; errors name ``file``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise _line_error(
            file, line, f"not UTF-8 text ({err.reason})", data[err.start : err.end]
        ) from err
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, start = [], 1
    try:
        for row in reader:
            rows.append(row)
            start = reader.line_num + 1
    except csv.Error as err:
        value = lines[start - 1] if start <= len(lines) else ""
        raise _line_error(file, start, f"malformed CSV: {err}", value) from err
    if not rows:
        raise DataValidationError(file, "empty file: no header row")
    header, body = rows[0], rows[1:]
    seen = set()
    for name in header:
        if name in seen:
            raise DataValidationError(
                file, "column name appears twice in the header", column=name, value=name
            )
        seen.add(name)
    for i, row in enumerate(body, start=1):
        if len(row) != len(header):
            raise DataValidationError(
                file,
                f"malformed CSV: {len(row)} fields, header has {len(header)}",
                row=i,
                column=None,
                value=",".join(row),
            )
    return pd.DataFrame(body, columns=header, dtype=str)


def _line_error(file: str, line: int, problem: str, value: object) -> DataValidationError:
    """An error at CSV line ``line`` (1 = the header): data row ``line - 1``."""
    if line <= 1:
        return DataValidationError(file, f"header line: {problem} (value {value!r})")
    return DataValidationError(file, problem, row=line - 1, value=value)
