"""Backtest grid wall time on 1 vs 2 local worker processes and on a Dask LocalCluster.

Run: ``.venv/bin/python benchmarks/backtest_grid.py [--quick]``. The grid: the ``full`` model
refitted at four origins (one per season, the first championship final of each of 2022-2025)
with the library's quick fit settings on the last 12 months of data before each origin, so
every job is one fit plus its forecasts. Each configuration starts from an empty fit cache,
so no run reuses another's fits. The same jobs and seeds everywhere: the scores must agree.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import tempfile
import time
from dataclasses import replace

import pandas as pd

import rivalrymodel as rm
from rivalrymodel.evaluation import backtest, default_targets
from rivalrymodel.inference import QUICK, SamplerSettings


def grid(data: rm.RaceData, n_origins: int) -> pd.DataFrame:
    targets = default_targets(data)
    finals = targets[targets["set"] == "championship_final"].copy()
    finals["season"] = pd.to_datetime(finals["date"]).dt.year
    return finals.sort_values("date").groupby("season").head(1).tail(n_origins)


def run(data, targets, executor, settings) -> tuple[float, float]:
    start = time.perf_counter()
    bt = backtest(
        [rm.variants()["full"]], data, targets, refit="season", executor=executor,
        settings=settings, cache_dir=tempfile.mkdtemp(prefix="rm-grid-"), random_seed=0,
        progress=False,
    )  # fmt: skip
    return time.perf_counter() - start, float(bt.races["log_loss"].mean())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="two origins, tiny chains")
    args = p.parse_args(argv)
    data = rm.load_dataset()
    targets = grid(data, 2 if args.quick else 4)
    # QUICK's fits on the last 12 months of data (tiny chains with --quick)
    settings = replace(QUICK, data_months=12)
    if args.quick:
        settings = SamplerSettings(draws=30, tune=30, chains=2, data_months=12)
    print(f"Backtest grid: {len(targets)} origins x the full model, fits {settings}")
    rows = {}
    for label in ["1 local worker", "2 local workers", "Dask LocalCluster, 2 workers"]:
        if label.startswith("Dask"):
            from distributed import Client, LocalCluster

            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            with cluster, Client(cluster) as client:
                rows[label] = run(data, targets, client.get_executor(), settings)
        else:
            workers = 1 if label.startswith("1") else 2
            with cf.ProcessPoolExecutor(max_workers=workers) as ex:
                rows[label] = run(data, targets, ex, settings)
        print(f"{label}: {rows[label][0]:.1f} s", flush=True)
    df = pd.DataFrame(rows, index=["wall s", "mean log loss"]).T
    df["speed-up vs 1 worker"] = df["wall s"].iloc[0] / df["wall s"]
    print(df.round(3).to_string())


if __name__ == "__main__":
    main()
