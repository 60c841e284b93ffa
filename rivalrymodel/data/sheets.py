"""Your own results: a flat sheet, one row per runner per race, added to a RaceData (issue 21).

The sheet's columns are :data:`SHEET_COLUMNS` (required) and :data:`OPTIONAL_COLUMNS`, an absence
sheet's :data:`ABSENCE_COLUMNS` and :data:`OPTIONAL_ABSENCE_COLUMNS` (docs/own_results.md). Names
are resolved by :mod:`rivalrymodel.data.names`. Every bad cell raises :class:`DataValidationError`
naming file, row, column and value; the added rows then pass the dataset's own checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .consistency import check_dataset
from .names import NameResolver, name_problem, resolve_names
from .schema import (
    TABLES,
    AbsenceKind,
    DataValidationError,
    DatePrecision,
    Tables,
    parse_table,
)
from .sheet_checks import (
    FILLED,
    NOT_FORMULA,
    RACE_LEVEL,
    SheetWarning,
    absence_doubts,
    cell_text,
    check,
    check_cells,
    dates,
    one_of,
    seconds,
)
from .text import read_csv_strings

__all__ = [
    "ABSENCE_COLUMNS",
    "OPTIONAL_ABSENCE_COLUMNS",
    "OPTIONAL_COLUMNS",
    "SHEET_COLUMNS",
    "AddedResults",
    "add_results",
]

SHEET_COLUMNS = (
    "date", "competition", "event", "round", "heat", "place", "athlete", "country", "time",
    "status", "source",
)  # fmt: skip
OPTIONAL_COLUMNS = ("venue", "indoor", "championship", "paced", "field_complete", "athlete_id")
ABSENCE_COLUMNS = ("athlete", "start", "end", "kind", "announced", "source")
OPTIONAL_ABSENCE_COLUMNS = ("country", "description", "precision", "athlete_id")
RACE_KEY = ["date", "competition", "event", "round", "heat"]
# A column of the results or absences table -> the sheet column a user would fix.
_SHEET_COLUMN = {"time_s": "time", "athlete_id": "athlete", "race_id": "event"}


@dataclass(frozen=True)
class AddedResults:
    """What :meth:`RaceData.with_results` added; ``str()`` is one line for a CLI.

    Attributes
    ----------
    races, results, absences : int
        Rows added to each table.
    new_athletes : tuple of (athlete_id, name)
        Names that matched no athlete of the data and became new athletes.
    replaced : tuple of str
        Race ids of the data's races that ``replace=True`` replaced.
    close_matches : tuple of (name, hint)
        New athletes whose names are close to an athlete of the data: a typo? (``hint`` names
        the close ones with their ids; an ``athlete_id`` column settles it).
    """

    races: int
    results: int
    new_athletes: tuple[tuple[str, str], ...] = ()
    absences: int = 0
    replaced: tuple[str, ...] = ()
    close_matches: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        new = len(self.new_athletes)
        who = ", ".join(f"{name} = {aid}" for aid, name in self.new_athletes)
        line = f"added {_count(self.races, 'race')}, {_count(self.results, 'result')}, "
        line += _count(new, "new athlete") + (f" ({who})" if new else "")
        if self.absences:
            line += f", {_count(self.absences, 'absence')}"
        if self.replaced:
            line += f"; replaced {_count(len(self.replaced), 'race')} ({', '.join(self.replaced)})"
        for name, hint in self.close_matches:
            line += f"; new athlete {name!r} is close to {hint}: a typo?"
        return line


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def add_results(
    data: Tables,
    cutoff: pd.Timestamp | None,
    sheet: str | os.PathLike | pd.DataFrame,
    absences: str | os.PathLike | pd.DataFrame | None = None,
    *,
    replace: bool = False,
    today: dt.date | None = None,
) -> tuple[Tables, AddedResults]:
    """The tables ``data`` (cut at ``cutoff``) with the sheet's races and the absence sheet's
    rows, and what was added; races in no order. See :meth:`RaceData.with_results`."""
    today = today or dt.date.today()
    df, file = _read(sheet, SHEET_COLUMNS, OPTIONAL_COLUMNS, "sheet")
    check_cells(file, df, today, cutoff)
    df["athlete_id"], new_athletes, close = resolve_names(file, df, data.athletes)
    athletes = data.athletes
    if len(new_athletes):
        athletes = pd.concat([athletes, parse_table("athletes.csv", new_athletes)])
        athletes = athletes.reset_index(drop=True)
    races, results = _tables(file, df, set(data.races["race_id"]), today)
    drop = _repeated_races(file, df, data, races, results, replace)
    ab_df, ab_file, ab = _absences(absences, athletes, data, cutoff, today, replace)
    try:
        check_dataset(athletes, races, results, ab)
    except DataValidationError as err:
        if err.file == "absences.csv":
            raise _in_sheet(err, ab_file, ab_df) from err
        raise _in_sheet(err, file, df) from err
    for doubt in absence_doubts(ab_file, ab, _runs(data, races, results)):
        warnings.warn(doubt, SheetWarning, stacklevel=3)
    old_ab = data.absences
    if replace:
        pairs = set(zip(ab["athlete_id"], ab["start"], strict=True))
        old = zip(old_ab["athlete_id"], old_ab["start"], strict=True)
        old_ab = old_ab[[pair not in pairs for pair in old]]
    summary = AddedResults(
        races=len(races),
        results=len(results),
        new_athletes=tuple(zip(new_athletes["athlete_id"], new_athletes["name"], strict=True)),
        absences=len(ab),
        replaced=tuple(sorted(drop)),
        close_matches=close,
    )
    tables = Tables(
        athletes,
        _concat(data.races[~data.races["race_id"].isin(drop)], races),
        _concat(data.results[~data.results["race_id"].isin(drop)], results),
        _concat(old_ab, ab),
    )
    return tables, summary


def _runs(data, races, results) -> pd.DataFrame:
    """athlete_id, date, race_id of every start (finish, DNF, DQ) in the data and the sheet."""
    frames = []
    for rac, res in ((data.races, data.results), (races, results)):
        started = res[res["status"].isin(["OK", "DNF", "DQ"])][["athlete_id", "race_id"]]
        frames.append(started.merge(rac[["race_id", "date"]], on="race_id"))
    return _concat(*frames)


def _concat(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Append without pandas' warning on empty frames."""
    frames = [df for df in (old, new) if len(df)] or [old]
    return pd.concat(frames, ignore_index=True)


def _read(sheet, columns, optional, default_name) -> tuple[pd.DataFrame, str]:
    """The sheet as stripped strings with every optional column present; its file name."""
    if isinstance(sheet, pd.DataFrame):
        file = default_name
        dup = sheet.columns[sheet.columns.duplicated()]
        if len(dup):
            raise DataValidationError(
                file, "column name appears twice", column=dup[0], value=dup[0]
            )
        raw = sheet.map(cell_text).rename(columns=str)
    else:
        path = Path(sheet)
        file = path.name
        if not path.is_file():
            raise DataValidationError(str(path), "file not found")
        raw = read_csv_strings(path.read_bytes(), file)
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise DataValidationError(file, f"missing column(s) {missing}; found {list(raw.columns)}")
    unknown = [c for c in raw.columns if c not in columns + optional]
    if unknown:
        problem = f"unknown column; allowed: {list(columns + optional)}"
        raise DataValidationError(file, problem, column=unknown[0], value=unknown[0])
    if raw.empty:
        raise DataValidationError(file, "no rows: the sheet holds only a header")
    raw = raw.reindex(columns=list(columns + optional), fill_value="")
    return raw.map(lambda v: str(v).strip()).reset_index(drop=True), file


def _tables(file, df, taken: set[str], today) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed races (one per date, competition, event, round, heat) and results (sheet order)."""
    race = df.groupby(RACE_KEY, sort=False).ngroup().to_numpy()
    first = df.groupby(RACE_KEY, sort=False).cumcount().to_numpy() == 0
    for col in RACE_LEVEL:
        expected = df[col].to_numpy()[first][race]
        differ = df[col].to_numpy() != expected
        if differ.any():
            i = int(np.flatnonzero(differ)[0])
            opened = int(np.flatnonzero(first & (race == race[i]))[0])
            problem = f"differs from row {opened + 1} of the same race (same {', '.join(RACE_KEY)})"
            raise DataValidationError(file, problem, row=i + 1, column=col, value=df[col].iloc[i])
    heads = df[first].reset_index(drop=True)
    ids = []
    for key in heads[RACE_KEY].itertuples(index=False):
        ids.append(_race_id(tuple(key), taken))
        taken.add(ids[-1])
    champ = heads["championship"].replace("", "false")
    unpaced = (heads["round"] != "final") | (champ == "true")
    pieces = df["source"].str.split(" ; ")
    sources = pieces.groupby(race).agg(lambda s: " ; ".join(sorted({p for ps in s for p in ps})))
    races = pd.DataFrame(
        {
            "race_id": ids,
            "date": heads["date"],
            "season": heads["date"].str[:4],
            "competition": heads["competition"],
            "venue": heads["venue"],
            "event": heads["event"],
            "indoor": heads["indoor"].replace("", "false"),
            "round": heads["round"],
            "heat": heads["heat"],
            "paced": heads["paced"].where(heads["paced"] != "", np.where(unpaced, "false", "true")),
            "championship": champ,
            "field_complete": heads["field_complete"].replace("", "false"),
            "source": sources.to_numpy(),
        }
    )
    results = pd.DataFrame(
        {
            "race_id": np.asarray(ids, dtype=object)[race],
            "athlete_id": df["athlete_id"],
            "place": df["place"],
            "time_s": df["time"].map(seconds),
            "status": df["status"],
            "source": df["source"],
        }
    )
    # A runner runs one race of an event a day (build rule 11): a race typed twice with its
    # competition spelled another way, or heat 0 for 1, must not count twice.
    pair = df["date"] + " " + df["event"] + " " + results["athlete_id"]
    dup = pair.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        opened = int(np.flatnonzero(pair.to_numpy() == pair.iloc[i])[0])
        problem = f"the same athlete as row {opened + 1}, in the same race"
        if race[i] != race[opened]:
            problem = (
                f"the same athlete on the same day in the same event as row {opened + 1}, in "
                "another race (competition, round or heat typed differently?): a runner runs "
                "one race of an event a day"
            )
        raise DataValidationError(
            file, problem, row=i + 1, column="athlete", value=df["athlete"][i]
        )
    return parse_table("races.csv", races, today), parse_table("results.csv", results, today)


def _race_id(key: tuple, taken: set[str]) -> str:
    """``<date>_<event>_<round><heat>_<6 hex>`` as the build's, hashed from the sheet's key."""
    date, _competition, event, rnd, heat = key
    salt = 0
    while True:
        digest = hashlib.sha1("|".join(("own", *key, str(salt))).encode()).hexdigest()[:6]
        race_id = f"{date}_{event}_{rnd}{'' if heat == '0' else heat}_{digest}"
        if race_id not in taken:
            return race_id
        salt += 1


def _repeated_races(file, df, data, races, results, replace) -> set[str]:
    """The data's races a sheet race repeats: an error, or with ``replace`` their ids.

    A repeat is a race of the same date and event with a runner in common, whatever its round
    and heat: a runner runs one race of an event a day (build rule 11), and a section typed
    ``0`` for the data's ``1`` must not count a race twice.
    """
    drop, old = set(), data.races
    # Only the days and events on which a runner of the sheet ran in the data can repeat: a
    # sheet of 50,000 rows is not compared race by race with the whole data.
    ran = data.results.loc[data.results["athlete_id"].isin(results["athlete_id"]), "race_id"]
    seen = old[old["race_id"].isin(ran)]
    days = set(zip(seen["date"], seen["event"], strict=True))
    for race in races.itertuples(index=False):
        if (race.date, race.event) not in days:
            continue
        same = old[(old["date"] == race.date) & (old["event"] == race.event)]
        mine = results["race_id"] == race.race_id
        theirs = data.results[data.results["race_id"].isin(same["race_id"])]
        common = theirs[theirs["athlete_id"].isin(results.loc[mine, "athlete_id"])]
        if common.empty:
            continue
        if not replace:
            i = int(np.flatnonzero(mine & results["athlete_id"].isin(common["athlete_id"]))[0])
            hit = same.set_index("race_id").loc[common["race_id"].iloc[0]]
            problem = (
                f"repeats race {hit.name} of the data ({hit['round']} {hit['heat']}, same date "
                f"and event, {common['athlete_id'].nunique()} runner(s) in common); "
                "pass replace=True (CLI: --replace-results) to replace it"
            )
            name = df["athlete"][i]
            raise DataValidationError(file, problem, row=i + 1, column="athlete", value=name)
        drop |= set(common["race_id"])
    return drop


def _absences(sheet, athletes, data, cutoff, today, replace):
    """The absence sheet: (its strings, its file name, the typed rows with athlete ids)."""
    cols = [c.name for c in TABLES["absences.csv"]]
    if sheet is None:
        empty = pd.DataFrame(columns=cols, dtype=str)
        return empty, "absences", parse_table("absences.csv", empty, today)
    df, file = _read(sheet, ABSENCE_COLUMNS, OPTIONAL_ABSENCE_COLUMNS, "absences")
    checks = [("athlete", *FILLED), *dates(["start", "end", "announced"], today, ("end",))]
    if cutoff is not None:
        day = f"{cutoff:%Y-%m-%d}"
        problem = f"announced after the data's as_of cutoff ({day})"
        checks.append(("announced", lambda v, r: v <= day, problem))
    checks += [
        ("kind", *one_of(AbsenceKind)),
        ("precision", *one_of(DatePrecision, empty_ok=True)),
        ("source", *FILLED),
    ]
    checks += [(col, *NOT_FORMULA) for col in ("athlete", "description", "source")]
    check(file, df, checks)
    resolver, ids = NameResolver(athletes), []
    for i, r in enumerate(df.itertuples(index=False), start=1):
        problem = name_problem(r.athlete)
        if problem:
            raise DataValidationError(file, problem, row=i, column="athlete", value=r.athlete)
        hits = [r.athlete_id] if r.athlete_id else resolver.candidates(r.athlete, r.country)
        if len(hits) > 1:
            raise resolver.ambiguous(file, i, "athlete", r.athlete, hits, r.country)
        if not hits or hits[0] not in resolver.athletes.index:
            column = "athlete_id" if r.athlete_id else "athlete"
            problem = "no athlete of the data or of the results sheet has this name or id"
            close = [] if r.athlete_id else resolver.close(r.athlete)
            problem += f"; close matches: {resolver.hint(close)}" if close else ""
            raise DataValidationError(file, problem, row=i, column=column, value=getattr(r, column))
        if r.athlete_id and not resolver.is_spelling(r.athlete, r.athlete_id):
            problem = f"contradicts the name {r.athlete!r}: the id is {resolver.describe(hits[0])}"
            raise DataValidationError(file, problem, row=i, column="athlete_id", value=hits[0])
        ids.append(hits[0])
    raw = df.assign(
        athlete_id=ids,
        description=df["description"].where(df["description"] != "", df["kind"]),
        precision=df["precision"].where(df["precision"] != "", "day"),
    )
    typed = parse_table("absences.csv", raw[cols], today)
    old = set(zip(data.absences["athlete_id"], data.absences["start"], strict=True))
    for i, pair in enumerate(zip(typed["athlete_id"], typed["start"], strict=True)):
        if pair in old and not replace:
            problem = (
                "the data holds an absence of this athlete from this start; "
                "pass replace=True (CLI: --replace-results)"
            )
            raise DataValidationError(
                file, problem, row=i + 1, column="start", value=df["start"][i]
            )
    return df, file, typed


def _in_sheet(err: DataValidationError, file: str, df: pd.DataFrame) -> DataValidationError:
    """An error of the added results or absences table, told in the sheet's row and column."""
    if err.row is None or err.column is None:
        return DataValidationError(file, err.problem)
    column = _SHEET_COLUMN.get(err.column, err.column)
    value = df[column].iloc[err.row - 1] if column in df.columns else err.value
    return DataValidationError(file, err.problem, row=err.row, column=column, value=value)
