"""Load the bundled dataset (or a user's folder of the same CSVs) into an immutable RaceData.

``as_of`` filtering lives here and only here, so that no forecast or backtest can see the future.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .consistency import check_dataset
from .schema import TABLES, DataValidationError, Tables, parse_table
from .sheets import AddedResults, add_results
from .text import read_csv_strings

__all__ = ["RaceData", "load_dataset", "from_tables", "bundled_data_dir"]

_FILES = tuple(TABLES)  # athletes, races, results, absences


def bundled_data_dir() -> Path:
    """The repository's data/ folder (``RIVALRYMODEL_DATA`` overrides it)."""
    override = os.environ.get("RIVALRYMODEL_DATA")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True, eq=False)
class RaceData:
    """The four tables of a dataset, validated. Accessors return copies: the data never changes.

    Attributes
    ----------
    races, results, athletes, absences : pandas.DataFrame
        Typed tables as documented in data/README.md.
    """

    _athletes: pd.DataFrame
    _races: pd.DataFrame
    _results: pd.DataFrame
    _absences: pd.DataFrame
    cutoff: pd.Timestamp | None = None
    #: What :meth:`with_results` added (None on any other RaceData).
    added: AddedResults | None = None

    # Shallow copies are cheap under pandas copy-on-write, and edits to them never reach us.
    @property
    def athletes(self) -> pd.DataFrame:
        return self._athletes.copy(deep=False)

    @property
    def races(self) -> pd.DataFrame:
        return self._races.copy(deep=False)

    @property
    def results(self) -> pd.DataFrame:
        return self._results.copy(deep=False)

    @property
    def absences(self) -> pd.DataFrame:
        return self._absences.copy(deep=False)

    @property
    def data_end(self) -> pd.Timestamp | None:
        """The date of the last race (None without races): where the data end."""
        return self._races["date"].max() if len(self._races) else None

    @property
    def earliest_as_of(self) -> pd.Timestamp | None:
        """The first day these data could have been known: the earliest ``D`` whose
        ``as_of(D)`` sees all of them.

        The day after the last race, or later when an absence was announced later (on that
        day) or ended later (the day after its return race); None without races. It is the
        ``cutoff`` a fit of these data records, whether or not they were cut with ``as_of``:
        ``as_of(D)`` of the same data gives the same tables for every ``D`` from here to the
        next race or announcement, and so the same fit.
        """
        if not len(self._races):
            return None
        one = pd.Timedelta(days=1)
        days = [self._races["date"].max() + one, self._absences["announced"].max(),
                self._absences["end"].max() + one]  # fmt: skip
        return max(d for d in days if pd.notna(d))

    def as_of(self, date: dt.date | str | pd.Timestamp) -> RaceData:
        """The data a forecaster had on ``date``.

        Keeps races strictly before ``date`` (and their results), and absences announced on or
        before ``date``; an absence whose end (return race) lies on or after ``date`` was still
        open then, so its ``end`` is blanked.
        """
        day = pd.Timestamp(date).normalize()
        races = self._races[self._races["date"] < day].reset_index(drop=True)
        results = self._results[self._results["race_id"].isin(races["race_id"])]
        absences = self._absences[self._absences["announced"] <= day].copy()
        absences.loc[absences["end"] >= day, "end"] = pd.NaT
        return RaceData(
            self._athletes,
            races,
            results.reset_index(drop=True),
            absences.reset_index(drop=True),
            cutoff=day,
        )

    def since(self, date: dt.date | str | pd.Timestamp) -> RaceData:
        """Only the races on or after ``date`` (and their results); athletes and absences kept.

        For quick fits on recent seasons; the cutoff is unchanged.
        """
        day = pd.Timestamp(date).normalize()
        races = self._races[self._races["date"] >= day].reset_index(drop=True)
        results = self._results[self._results["race_id"].isin(races["race_id"])]
        return RaceData(
            self._athletes,
            races,
            results.reset_index(drop=True),
            self._absences,
            cutoff=self.cutoff,
        )

    def with_results(
        self,
        sheet: str | os.PathLike | pd.DataFrame,
        absences: str | os.PathLike | pd.DataFrame | None = None,
        *,
        replace: bool = False,
        today: dt.date | None = None,
    ) -> RaceData:
        """A new RaceData with a user's own results (and absences) added.

        Parameters
        ----------
        sheet
            CSV path or DataFrame, one row per runner per race (docs/own_results.md); races are
            grouped by (date, competition, event, round, heat).
        absences
            Optional CSV path or DataFrame with ``athlete, start, end, kind, announced, source``.
        replace
            Replace a race of the data that a sheet race repeats (same date, event, round and
            heat, a runner in common) instead of refusing it; likewise an absence with the same
            athlete and start.
        today
            Dates after this are rejected (default: the real today).

        Returns
        -------
        RaceData
            With the rows added (``as_of`` treats them as any other) and ``added`` telling what
            was added; ``str(data.added)`` is one line such as ``added 2 races, 9 results, 0 new
            athletes``.

        Raises
        ------
        DataValidationError
            One line naming the sheet, row, column and value: a bad cell, an ambiguous name
            (the candidates listed), a repeated race, a date on or after this data's cutoff.
        """
        mine = Tables(self._athletes, self._races, self._results, self._absences)
        tables, added = add_results(
            mine, self.cutoff, sheet, absences, replace=replace, today=today
        )
        return RaceData(
            tables.athletes,
            _by_date(tables.races),
            tables.results,
            tables.absences,
            cutoff=self.cutoff,
            added=added,
        )

    def fingerprint(self) -> str:
        """A hash of the content, for caching fits by data."""
        h = hashlib.sha256()
        for df in (self._athletes, self._races, self._results, self._absences):
            h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
        return h.hexdigest()[:16]

    def __repr__(self) -> str:
        span = ""
        if len(self._races):
            span = f", {self._races['date'].min():%Y-%m-%d}..{self._races['date'].max():%Y-%m-%d}"
        cut = f", as of {self.cutoff:%Y-%m-%d}" if self.cutoff is not None else ""
        return (
            f"RaceData({len(self._races)} races, {len(self._results)} results, "
            f"{len(self._athletes)} athletes, {len(self._absences)} absences{span}{cut})"
        )


def _read_csv(path: Path) -> pd.DataFrame:
    """Read every cell as a string; a row with the wrong number of fields is an error.

    A UTF-8 byte-order mark (Excel's "CSV UTF-8") is accepted. Encoding and quoting errors,
    duplicate column names and short or long rows name the file and the row.
    """
    return read_csv_strings(path.read_bytes(), path.name)


def load_dataset(
    path: str | os.PathLike | None = None, *, today: dt.date | None = None
) -> RaceData:
    """Load and validate a dataset folder (default: the bundled data/).

    Parameters
    ----------
    path
        Folder holding athletes.csv, races.csv, results.csv and absences.csv.
    today
        Dates after this are rejected (default: the real today).

    Raises
    ------
    DataValidationError
        If a file is missing or malformed, or a value breaks the schema; the message names the
        file, row, column and value.
    """
    folder = Path(path) if path is not None else bundled_data_dir()
    raw = {}
    for file in _FILES:
        fpath = folder / file
        if not fpath.is_file():
            raise DataValidationError(str(fpath), "file not found")
        raw[file] = _read_csv(fpath)
    if raw["races.csv"].empty:
        raise DataValidationError(str(folder), "no races: races.csv holds a header and no rows")
    return from_tables(
        raw["athletes.csv"], raw["races.csv"], raw["results.csv"], raw["absences.csv"], today=today
    )


def from_tables(
    athletes: pd.DataFrame,
    races: pd.DataFrame,
    results: pd.DataFrame,
    absences: pd.DataFrame,
    *,
    today: dt.date | None = None,
) -> RaceData:
    """Validate four tables given as strings, as in the CSV files, and return a RaceData.

    Each DataFrame holds the columns of its CSV file (data/README.md) with every cell a string
    (``""`` for empty); errors name the table, row, column and value as :func:`load_dataset`.
    """
    tables = {}
    for file, raw in zip(_FILES, (athletes, races, results, absences), strict=True):
        tables[file] = parse_table(file, raw.fillna("").astype(str), today=today)
    check_dataset(
        tables["athletes.csv"], tables["races.csv"], tables["results.csv"], tables["absences.csv"]
    )
    return RaceData(
        tables["athletes.csv"],
        _by_date(tables["races.csv"]),
        tables["results.csv"],
        tables["absences.csv"],
    )


def _by_date(races: pd.DataFrame) -> pd.DataFrame:
    """Races in the order RaceData keeps them: by date, then race id."""
    return races.sort_values(["date", "race_id"], kind="stable").reset_index(drop=True)
