"""Build data/*.csv from the raw public datasets: ``python -m rivalrymodel.build``.

Reads ../shared/data-sources/ (or ``--sources``), resolves athletes to one id each
(``identity.py``), merges the copies of one race that several sources hold, sets the race flags,
merges the hand-curated supplements of data/sources/supplement/ (results read on public pages,
and absences, whose athletes it resolves to ids), and writes athletes.csv, races.csv,
results.csv and absences.csv plus BUILD_REPORT.md with what every rule kept, merged and
dropped. Every rule is described in data/README.md. A contradiction no rule resolves stops the
build with a message naming it.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.racedata import bundled_data_dir, load_dataset
from ..data.schema import SLOWEST_S, world_record
from .championships import championship, check_assigned, read_championships
from .common import SourceError
from .identity import resolve
from .sections import split_sections
from .sources import read_all
from .starters import add_starters, read_starters
from .tables import athletes_table, race_table, results_table
from .wikipedia import fill_times, wikipedia_2023_2024
from .writing import absences_table, write_report, write_tables

_TIME_TOL = 0.015  # s: sources round the same mark to hundredths differently at most by this


@dataclass
class _Race:
    key: tuple
    meta: dict
    rows: dict = field(default_factory=dict)  # athlete_id -> row dict
    complete: bool = False
    sources: list = field(default_factory=list)


def _drop_implausible(rows: pd.DataFrame, report: Counter) -> pd.DataFrame:
    record = np.array(
        [world_record(e, d) for e, d in zip(rows["event"], rows["date"], strict=True)]
    )
    fast = rows["time_s"] < record
    if fast.any():
        raise SourceError(f"faster than the world record: {rows[fast].iloc[0].to_dict()}")
    slow = rows["time_s"] > rows["event"].map(SLOWEST_S).astype(float)
    report["rows dropped: slower than the plausible senior bound"] += int(slow.sum())
    return rows[~slow]


def _merge(races_in: pd.DataFrame, champs: pd.DataFrame, report: Counter, conflicts: list):
    """Fold the source races, best source first, into merged races (a list of ``_Race``).

    A runner of a source race joins the race that already holds him that day (same event); a
    source lists each race once, so two races of one source never merge. A championship race
    none of whose runners any race holds joins the one race of that championship with the same
    round and section (heat 3 of the 2022 world 1500m from two pages naming different
    runners). The runners no race holds form a race of their own: this splits the WA lists'
    groups, which lump the sections of a meeting together. When those runners contradict each
    other or the race they would join (two winners), they are split into sections by place and
    time if exactly one split fits (``sections.split_sections``).
    """
    by_day: dict[tuple, list[_Race]] = defaultdict(list)
    merged: list[_Race] = []
    order = races_in.sort_values(["priority", "date", "src", "src_race"], kind="stable")
    for (src, src_race), group in order.groupby(["src", "src_race"], sort=False):
        day = (group["event"].iloc[0], group["date"].iloc[0])
        targets: dict[int, list] = defaultdict(list)
        rest = []
        for row in group.to_dict("records"):
            holders = [
                i
                for i, m in enumerate(by_day[day])
                if row["athlete_id"] in m.rows and src not in m.sources
            ]
            if not holders and _repeats(row, by_day[day]):
                # The same result under another round code of the same source (Tilastopaja's
                # "rB" for Danielsson's 6th in the Stockholm 2018 A race): not a second race.
                report["rows dropped: repeat of a result a race of that day already holds"] += 1
                conflicts.append(
                    f"{src} race {src_race}: {row['name']} {row['date']} {row['event']} place "
                    f"{row['place']} in {row['time_s']} repeats his result in a race of that "
                    "day; left out"
                )
                continue
            (targets[holders[0]] if holders else rest).append(row)
        if not targets and not rest:
            continue
        if not targets:
            same = _same_championship_round(group.iloc[0], by_day[day], src, champs)
            if same is not None:
                targets[same] = []
                report["races joined to the same championship round and section"] += 1
        if len(targets) > 1:
            report["source races split over several races"] += 1
        target = next(iter(targets)) if len(targets) == 1 else None
        if target is not None and by_day[day][target].complete:
            target = None
        fixed = list(by_day[day][target].rows.values()) if target is not None else []
        sections = _sections(fixed, rest, src, src_race, report, conflicts)
        if target is not None:
            targets[target] += sections[0]
            sections = sections[1:]
        new_races = [s for s in sections if s]
        for i, rows in targets.items():
            _fold(by_day[day][i], rows, report, conflicts)
        for i in targets:
            by_day[day][i].sources.append(src)
        for k, rows in enumerate(new_races):
            race = _Race(
                key=(src, src_race if len(new_races) == 1 else f"{src_race}#{k + 1}"),
                meta=dict(rows[0]),
                complete=bool(rows[0]["complete"]),
                rows={r["athlete_id"]: r for r in rows},
                sources=[src],
            )
            by_day[day].append(race)
            merged.append(race)
            report[f"races from {src}"] += 1
    return merged


def _repeats(row: dict, races: list[_Race]) -> bool:
    """A race of the day holds this runner with the same place and time (a finisher)."""
    if row["status"] != "OK" or pd.isna(row["place"]) or pd.isna(row["time_s"]):
        return False
    for m in races:
        have = m.rows.get(row["athlete_id"])
        if (
            have is not None
            and have["status"] == "OK"
            and have["place"] == row["place"]
            and pd.notna(have["time_s"])
            and abs(have["time_s"] - row["time_s"]) <= _TIME_TOL
        ):
            return True
    return False


def _same_championship_round(first, races: list[_Race], src: str, champs) -> int | None:
    """Index of the one race in ``races`` (one event and day) of the championship, round and
    section of the source race whose first row is ``first``, not complete and not from ``src``;
    None when the source race is no championship race or there is not exactly one."""
    champ = championship(first, champs)
    if not champ:
        return None
    hits = [
        i
        for i, m in enumerate(races)
        if not m.complete
        and src not in m.sources
        and (m.meta["round"], int(m.meta["heat"])) == (first["round"], int(first["heat"]))
        and championship(m.meta, champs) == champ
    ]
    return hits[0] if len(hits) == 1 else None


def _sections(fixed, rest, src, src_race, report, conflicts) -> list[list[dict]]:
    """The runners ``rest`` by race: those joining ``fixed`` first (when there is a race to
    join), then one list per race of their own.

    Runners that contradict each other or ``fixed`` are split into sections by place and time
    when exactly one split fits (``sections.split_sections``; partial sources, finishers with a
    place and a time only); otherwise they go where they would have gone, and ``_fold`` leaves
    out those that contradict the race they join, or they are left out here.
    """
    if not rest or _consistent(fixed + rest):
        return [rest, []] if fixed else [rest]
    split = None
    if not any(r["complete"] or r["status"] != "OK" or pd.isna(r["time_s"]) for r in rest):
        known = [
            (int(r["place"]), float(r["time_s"]) if pd.notna(r["time_s"]) else float("nan"))
            for r in fixed
            if r["status"] == "OK" and pd.notna(r["place"])
        ]
        split = split_sections(known, [(int(r["place"]), float(r["time_s"])) for r in rest])
    if split is not None:
        report["rows kept by splitting a source race into its sections"] += len(rest)
        conflicts.append(
            f"{src} race {src_race}: {len(rest)} runners lump {len(split)} sections; split by "
            "place and time (the only split that fits)"
        )
        return [[rest[i] for i in section] for section in split]
    if fixed:
        return [rest]  # _fold leaves them out, recording the contradiction
    report[f"rows dropped: {src} rows that fit no race and contradict each other"] += len(rest)
    conflicts.append(
        f"{src} race {src_race}: {len(rest)} runners fit no known race and "
        "their places contradict their times; left out"
    )
    return []


def _consistent(rows) -> bool:
    """Places and times of a race's finishers tell the same story."""
    fin = sorted(
        (r["place"], r["time_s"]) for r in rows if r["status"] == "OK" and pd.notna(r["time_s"])
    )
    return all(
        t1 <= t2 and (p1 != p2 or t1 == t2)
        for (p1, t1), (p2, t2) in zip(fin, fin[1:], strict=False)
    )


def _fold(race: _Race, rows: list[dict], report: Counter, conflicts: list) -> None:
    src = rows[0]["src"]
    new = [r for r in rows if r["athlete_id"] not in race.rows]
    seen = [r for r in rows if r["athlete_id"] in race.rows]
    if new and race.complete:
        report["rows dropped: runner not in the complete field of that race"] += len(new)
        conflicts.append(
            f"{src} puts {', '.join(r['name'] for r in new)} in {race.key[1]}, "
            "a complete field without them; left out"
        )
        new = []
    if new and not _consistent(list(race.rows.values()) + new):
        report["rows dropped: places contradict the race they would join"] += len(new)
        conflicts.append(
            f"{src} race {rows[0]['src_race']}: runners {[r['name'] for r in new]} "
            f"contradict {race.key[1]}; left out"
        )
        new = []
    for row in new:
        race.rows[row["athlete_id"]] = row
    report[f"rows from {src} added to an existing race"] += len(new)
    for row in seen:
        have = race.rows[row["athlete_id"]]
        if row["status"] == "OK" and have["status"] == "OK" and row["place"] != have["place"]:
            report["place disagreements (kept the better source)"] += 1
            conflicts.append(
                f"{row['name']} {row['date']} {row['event']}: place "
                f"{have['place']} ({have['src']}) vs {row['place']} ({row['src']})"
            )
        if pd.isna(have["time_s"]) and pd.notna(row["time_s"]) and have["status"] == "OK":
            have["time_s"] = row["time_s"]
            have["url"] = f"{have['url']} ; {row['url']}"
            report["times filled in from another source"] += 1
        elif (
            pd.notna(have["time_s"])
            and pd.notna(row["time_s"])
            and abs(have["time_s"] - row["time_s"]) > _TIME_TOL
        ):
            report["time disagreements (kept the better source)"] += 1
            conflicts.append(
                f"{row['name']} {row['date']} {row['event']}: time "
                f"{have['time_s']} ({have['src']}) vs {row['time_s']} ({row['src']})"
            )
        else:
            report["rows confirmed by a second source"] += 1
    for key in ("venue", "competition"):
        if not race.meta.get(key) and rows[0][key]:
            race.meta[key] = rows[0][key]


def build(sources: Path, out: Path) -> Counter:
    """Build the dataset into ``out``; return the report counters."""
    report: Counter = Counter()
    conflicts: list[str] = []
    starters = read_starters(out / "sources" / "starters.csv")
    rows = read_all(sources, report, supplement=out / "sources" / "supplement")
    wiki = wikipedia_2023_2024(
        sources, out / "sources" / "wikipedia_tables.csv", starters, report, conflicts
    )
    rows = pd.concat([rows, wiki], ignore_index=True)
    report["rows read (2016-2026, after source-level filters)"] = len(rows)
    rows = _drop_implausible(rows, report)
    crosswalk = pd.read_csv(
        sources / "captainrobbo__trhackathon" / "athlete_id_crosswalk_men_md.csv",
        dtype=str,
        keep_default_na=False,
    )
    aliases = pd.read_csv(out / "sources" / "athlete_aliases.csv", dtype=str, keep_default_na=False)
    rows["athlete_id"] = rows["person"].map(resolve(rows, crosswalk, aliases, conflicts))
    dup = rows.duplicated(["src", "src_race", "athlete_id"])
    report["rows dropped: same athlete twice in one source race"] += int(dup.sum())
    rows = rows[~dup]
    champs = read_championships(out / "sources" / "championships.csv")
    # Rows of tables that lump the sections of a round only fill in times (wikipedia.py).
    lumped = rows["src"] == "wiki_times"
    merged = _merge(rows[~lumped], champs, report, conflicts)
    fill_times(merged, rows[lumped], _consistent, report, conflicts)
    races = race_table(merged, champs)
    check_assigned(races, champs)
    results = results_table(races)
    races = add_starters(races, starters, "starters.csv", results, conflicts)
    athletes = athletes_table(rows[rows["athlete_id"].isin(results["athlete_id"])])
    absences = absences_table(out / "sources" / "supplement", athletes, report, conflicts)
    write_tables(out, athletes, races, results, absences)
    write_report(out, report, conflicts)
    load_dataset(out)  # the built data must pass the same validation users get
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m rivalrymodel.build", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--sources",
        type=Path,
        default=bundled_data_dir().parent.parent / "shared" / "data-sources",
        help="folder of the raw datasets (default: ../shared/data-sources)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=bundled_data_dir(),
        help="data folder to write (default: the bundled data/)",
    )
    args = parser.parse_args(argv)
    report = build(args.sources, args.out)
    for k, v in sorted(report.items()):
        print(f"{v:7d}  {k}")
