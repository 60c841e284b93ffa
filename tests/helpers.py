"""What several test modules build: the tiny CSV dataset's writer, compact datasets and
hand-made posteriors (imported; the fixtures over them live in conftest.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import rivalrymodel as rm


def write_dataset(folder: Path, tables: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for file, rows in tables.items():
        with (folder / file).open("w", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return folder


def small_dataset(results, absences=(), *, race_dates=None):
    """A RaceData from compact rows, through the same validation as the CSV files.

    ``results``: (race_id, athlete_id, place, status) rows; every race is a paced outdoor
    1500m final in Oslo on ``race_dates[race_id]`` (default 2024-06-01). ``absences``:
    (athlete_id, start, kind, announced) rows, day precision, no end.
    """
    from rivalrymodel.data.racedata import from_tables
    from rivalrymodel.data.schema import TABLES

    cols = {f: [c.name for c in TABLES[f] if not c.may_be_absent] for f in TABLES}
    race_dates = race_dates or {}
    race_ids = list(dict.fromkeys(r[0] for r in results))
    athletes = list(dict.fromkeys(r[1] for r in results))
    races = [
        [r, d := race_dates.get(r, "2024-06-01"), d[:4], "Meet", "Oslo", "1500m", "false",
         "final", "0", "true", "false", "false", "test"]
        for r in race_ids
    ]  # fmt: skip
    return from_tables(
        pd.DataFrame([[a, f"Runner {a}", "NOR", "", "", "test"] for a in athletes],
                     columns=cols["athletes.csv"]),
        pd.DataFrame(races, columns=cols["races.csv"]),
        pd.DataFrame([[r, a, p, "", s, "test"] for r, a, p, s in results],
                     columns=cols["results.csv"]),
        pd.DataFrame([[a, s, "", k, "test", an, "day", "test"] for a, s, k, an in absences],
                     columns=cols["absences.csv"]),
    )  # fmt: skip


def forecast_tree(
    means: dict[str, float],
    *,
    draws: int = 1000,
    sd: float = 0.3,
    noise=(0.4, 0.2, 0.3, 0.1),
    absences=(),
    family: str = "plackett_luce",
    cutoff: str = "2024-01-01",
    seed: int = 0,
) -> xr.DataTree:
    """A posterior of athletes with one 2024 season each, mean ability ``means``, 1 chain."""
    rng = np.random.default_rng(seed)
    ids = np.array(list(means))
    n = len(ids)
    ability = np.array(list(means.values())) + sd * rng.standard_normal((1, draws, n))
    small = {"distance": 0.2, "unpaced": 0.2}
    post = {
        "ability": (("chain", "draw", "cell"), ability),
        **{
            k: (("chain", "draw", "athlete"), s * rng.standard_normal((1, draws, n)))
            for k, s in small.items()
        },
        "step_sd": (("chain", "draw"), np.full((1, draws), 0.5)),
        "ability_sd": (("chain", "draw"), np.full((1, draws), 1.0)),
        "distance_sd": (("chain", "draw"), np.full((1, draws), 0.2)),
        "unpaced_sd": (("chain", "draw"), np.full((1, draws), 0.2)),
        "noise": (("chain", "draw", "noise_term"), np.broadcast_to(noise, (1, draws, 4))),
        "injury_mean": (("chain", "draw"), np.full((1, draws), -1.0)),
        "injury_length": (("chain", "draw"), np.full((1, draws), 0.0)),
    }
    if family == "times":
        post.update(
            time_sd=(("chain", "draw"), np.full((1, draws), 0.003)),
            time_sd_heat=(("chain", "draw"), np.zeros((1, draws))),
            time_nu=(("chain", "draw"), np.full((1, draws), 30.0)),
            race_sd=(("chain", "draw"), np.full((1, draws), 0.01)),
        )
    ds = xr.Dataset(
        post,
        coords={
            "chain": [0],
            "draw": np.arange(draws),
            "cell": [f"{a}:2024" for a in ids],
            "cell_athlete": ("cell", ids),
            "cell_season": ("cell", np.full(n, 2024)),
            "athlete": ids,
            "athlete_name": ("athlete", [f"Runner {a}" for a in ids]),
            "noise_term": ["heat", "semi", "unpaced", "indoor"],
        },
    )
    tree = xr.DataTree.from_dict({"posterior": ds})
    # One cell per season, with the unpaced skill: the first default, as the cells above are.
    spec = rm.ModelSpec(family=family, periods_per_season=1, pacing=True)
    tree.attrs.update(
        spec=spec.to_json(),
        cutoff=cutoff,
        athletes=json.dumps(
            [{"athlete_id": a, "name": f"Runner {a}"} for a in ids]
            + [{"athlete_id": "NEW", "name": "Nova Newcomer"}]
        ),
        absences=json.dumps(list(absences)),
    )
    return tree


MEANS = {"A": 1.5, "B": 1.0, "C": 0.5, "D": 0.0, "E": -0.5}
