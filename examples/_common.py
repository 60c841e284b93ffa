"""What the example scripts share: command-line options and a fit as of a date (cached)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

import rivalrymodel as rm
from rivalrymodel.inference import DEFAULT, QUICK, cached_fit

OUT = Path(__file__).resolve().parent / "output"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run in under a minute: {QUICK.describe()} "
        "(the numbers are illustrative only; the fit will not pass the convergence checks)",
    )
    p.add_argument("--fit", metavar="FILE", help="use a fit saved with Fit.save instead")
    p.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    p.add_argument("--out", metavar="DIR", default=str(OUT), help=f"figures go here ({OUT})")
    p.add_argument(
        "--no-cache", action="store_true", help="always sample (default: reuse a cached fit)"
    )
    return p


def settings_of(args: argparse.Namespace) -> rm.SamplerSettings:
    """The library's sampler settings, or its smoke run with ``--quick``."""
    return QUICK if args.quick else DEFAULT


def fit_as_of(args: argparse.Namespace, day: str, spec: rm.ModelSpec | None = None) -> rm.Fit:
    """The fit on the bundled data strictly before ``day``: loaded, cached or sampled."""
    if args.fit:
        fit = rm.load_fit(args.fit)
        if fit.cutoff is None or fit.cutoff > pd.Timestamp(day):
            sys.exit(f"{args.fit}: fitted on data up to {fit.cutoff}, after {day}: refit")
        return fit
    spec = spec or rm.ModelSpec()
    data = rm.load_dataset().as_of(day)
    settings = settings_of(args)
    what = "quick fit (illustrative)" if settings.quick else f"fit, {settings.describe()}"
    print(f"{spec.name}: {what} on {settings.data(data)} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    if args.no_cache:
        fit = rm.fit(spec, data, settings, random_seed=args.seed)
    else:
        fit = cached_fit(spec, data, settings, random_seed=args.seed)
    print(f"  ready in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return fit


def races(data: rm.RaceData, competition: str, event: str, round: str) -> list[str]:
    """Race ids of one round of a championship, by heat number.

    The competition matches as a substring: sources name one championship differently
    ("2024 Summer Olympics", "Athletics at the 2024 Summer Olympics").
    """
    r = data.races
    named = r["competition"].str.contains(competition, regex=False)
    hit = r[named & r["event"].eq(event) & r["round"].eq(round)]
    return list(hit.sort_values("heat")["race_id"])


def save(ax, out: str, name: str) -> Path:
    path = Path(out) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(path, dpi=120)
    print(f"  figure: {os.path.relpath(path)}")
    return path
