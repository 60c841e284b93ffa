"""The build's output: absences resolved to athlete ids, the four tables and BUILD_REPORT.md,
each written to a temporary file and renamed over the old one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from ..data.files import replace_atomically
from ..data.schema import TABLES
from ..data.text import normalise


def absences_table(folder: Path, athletes: pd.DataFrame, report: Counter, conflicts: list):
    """data/sources/supplement/absences.csv with each athlete resolved to the dataset's id.

    By WA id when the row gives one, else by normalised name and nationality, else by name
    alone, else by name tokens held one in the other with the same nationality, each only when
    exactly one athlete of the dataset fits. Absences of athletes the
    dataset does not hold are listed in the build report and left out.
    """
    cols = [c.name for c in TABLES["absences.csv"]]
    path = folder / "absences.csv"
    if not path.exists():
        return pd.DataFrame(columns=cols)
    ab = pd.read_csv(path, dtype=str, keep_default_na=False)
    keys = athletes.assign(key=athletes["name"].map(normalise))
    ids = []
    for i, row in enumerate(ab.itertuples(index=False), start=1):
        if row.wa_id:
            hit = keys[keys["athlete_id"] == row.wa_id]
        else:
            key = normalise(row.name)
            hit = keys[(keys["key"] == key) & (keys["country"] == row.country)]
            if hit.empty:
                hit = keys[keys["key"] == key]
            if hit.empty:  # "Elijah Manangoi" is "Elijah Motonei MANANGOI" (identity rule 6)
                mine = set(key.split())
                held = (
                    keys["key"]
                    .str.split()
                    .map(
                        lambda t, mine=mine: (
                            len(mine & set(t)) >= 2 and (mine <= set(t) or set(t) <= mine)
                        )
                    )
                )
                hit = keys[held & (keys["country"] == row.country)]
        if len(hit) != 1:
            report["absences left out: athlete not (or not uniquely) in the dataset"] += 1
            conflicts.append(
                f"absences.csv row {i}: {row.name} ({row.country}) matches {len(hit)} athletes "
                "of the dataset; left out"
            )
            ids.append("")
            continue
        ids.append(hit["athlete_id"].iloc[0])
    ab["athlete_id"] = ids
    ab = ab[ab["athlete_id"] != ""]
    report["absences"] += len(ab)
    return ab[cols].sort_values(["athlete_id", "start"]).reset_index(drop=True)


def write_tables(out: Path, athletes, races, results, absences) -> None:
    replace_atomically(
        out / "absences.csv", lambda p: absences.to_csv(p, index=False, lineterminator="\n")
    )
    for file, df in (("athletes.csv", athletes), ("races.csv", races), ("results.csv", results)):
        cols = [c.name for c in TABLES[file]]
        df = df[cols].copy()
        for c in df.columns:
            if df[c].dtype == bool:
                df[c] = df[c].map({True: "true", False: "false"})
        replace_atomically(
            out / file,
            lambda p, df=df: df.to_csv(p, index=False, float_format="%.2f", lineterminator="\n"),
        )


def write_report(out: Path, report: Counter, conflicts: list[str]) -> None:
    lines = [
        "# Build report",
        "",
        "Written by `python -m rivalrymodel.build`.",
        "",
        "| rule | rows or races |",
        "| --- | ---: |",
    ]
    lines += [f"| {k} | {v} |" for k, v in sorted(report.items())]
    lines += ["", f"## Conflicts between sources ({len(conflicts)})", ""]
    lines += [f"- {c}" for c in conflicts]
    text = "\n".join(lines) + "\n"
    replace_atomically(out / "BUILD_REPORT.md", lambda p: p.write_text(text))
