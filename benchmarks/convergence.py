"""Do default fits pass their convergence checks at every origin the yardstick uses?

For each origin of ``yardstick_targets`` (one fit per championship event, one per month), fits the
model on ``data.as_of(origin)`` with the library's default sampler settings (or the ones given),
through the fit cache that the yardstick's runner shares, and records the worst r_hat, bulk and
tail ESS and the divergences against ``rivalrymodel.inference.THRESHOLDS``. Rows are kept in
``--csv`` (one per origin, data fingerprint and settings) and the run resumes from it: origins
already measured on the same data and settings are not refitted, so the sweep can be split
over several sessions. ``--minutes`` stops starting new fits after that long. Origins are taken
spread over the years first (a van der Corput order), so a partial sweep covers every season.

    .venv/bin/python benchmarks/convergence.py [--sets championship_final] [--minutes 60]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

import rivalrymodel as rm
from rivalrymodel.data.files import write_text_atomically
from rivalrymodel.evaluation import yardstick_targets
from rivalrymodel.inference import (
    DEFAULT,
    QUICK,
    THRESHOLDS,
    ConvergenceWarning,
    SamplerSettings,
    cached_fit,
)

ROOT = Path(__file__).resolve().parent
COLUMNS = [
    "origin", "variant", "draws", "max_draws", "tune", "chains", "seed", "data", "races_seen",
    "draws_used", "r_hat", "r_hat_worst", "ess_bulk", "ess_tail", "ess_worst", "divergences",
    "passed", "sample_s",
]  # fmt: skip


def spread(n: int) -> list[int]:
    """0..n-1 in van der Corput order: each prefix is spread evenly over the range."""

    def radical_inverse(i: int) -> float:
        out, f = 0.0, 0.5
        while i:
            out += f * (i & 1)
            i >>= 1
            f /= 2
        return out

    return sorted(range(n), key=lambda i: (radical_inverse(i), i))


def measure(fit: rm.Fit) -> dict:
    """The worst diagnostics of a fit, and which parameter is worst."""
    d = fit.diagnostics()
    params = d.drop(index="all")
    worst = d.loc["all"]
    return {
        "draws_used": int(fit.posterior.sizes["draw"]),
        "r_hat": round(float(worst["r_hat"]), 4),
        "r_hat_worst": str(params["r_hat"].idxmax()),
        "ess_bulk": round(float(worst["ess_bulk"])),
        "ess_tail": round(float(worst["ess_tail"])),
        "ess_worst": str(params[["ess_bulk", "ess_tail"]].min(axis=1).idxmin()),
        "divergences": int(worst["divergences"]),
        "passed": bool(worst["passed"]),
        "sample_s": round(float(fit.timings.get("sample", float("nan"))), 1),
    }


def report(df: pd.DataFrame, total: int, command: str) -> str:
    passed = int(df["passed"].sum())
    lines = [
        "# Convergence of default fits at the yardstick's origins",
        "",
        f"`{command}`; rows accumulate in `convergence.csv` over runs (one fit per origin).",
        f"Thresholds: r_hat <= {THRESHOLDS['r_hat']}, bulk and tail ESS >= "
        f"{THRESHOLDS['ess_bulk']:.0f}, {THRESHOLDS['divergences']} divergences. Draws per "
        "chain: the first of the plan, doubled up to its maximum while a check fails (the "
        f"library's default: {DEFAULT.chains} chains x {DEFAULT.draws} up to "
        f"{DEFAULT.max_draws}); the table gives the draws and sampling time of the fit kept.",
        "",
        f"**{len(df)} of {total} origins measured; {passed} of {len(df)} pass.** Worst over "
        f"them: r_hat {df['r_hat'].max():.4f}, bulk ESS {df['ess_bulk'].min()}, tail ESS "
        f"{df['ess_tail'].min()}, divergences {df['divergences'].max()}.",
        "",
        "| origin | races seen | max r_hat (where) | min ESS bulk / tail (where) | divergences "
        "| passed | draws per chain | sampling s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in df.sort_values("origin").itertuples():
        lines.append(
            f"| {r.origin} | {r.races_seen} | {r.r_hat:.4f} ({r.r_hat_worst}) | "
            f"{r.ess_bulk} / {r.ess_tail} ({r.ess_worst}) | {r.divergences} | "
            f"{'yes' if r.passed else '**no**'} | {r.draws_used:.0f} | {r.sample_s} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default="", help="only the origins of these target sets")
    p.add_argument("--variant", default="default")
    p.add_argument("--draws", type=int, default=DEFAULT.draws)
    p.add_argument("--max-draws", type=int, default=DEFAULT.max_draws)
    p.add_argument("--tune", type=int, default=DEFAULT.tune)
    p.add_argument("--chains", type=int, default=DEFAULT.chains)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="two origins, smoke-run fits")
    p.add_argument("--minutes", type=float, default=float("inf"), help="no new fit after this")
    p.add_argument("--csv", default=str(ROOT / "convergence.csv"))
    p.add_argument("--report", default=str(ROOT / "convergence_default.md"))
    args = p.parse_args(argv)
    start = time.perf_counter()
    data = rm.load_dataset()
    targets = yardstick_targets(data)
    if args.sets:
        targets = targets[targets["set"].isin(args.sets.split(","))]
    origins = sorted(targets["origin"].dt.strftime("%Y-%m-%d").unique())
    settings = SamplerSettings(draws=args.draws, max_draws=args.max_draws, tune=args.tune,
                               chains=args.chains)  # fmt: skip
    if args.quick:
        settings, origins = QUICK, origins[-2:]
    # the columns of convergence.csv that say how a row was sampled
    plan = {"draws": settings.draws, "max_draws": settings.max_draws, "tune": settings.tune,
            "chains": settings.chains}  # fmt: skip
    csv = Path(args.csv)
    done = pd.read_csv(csv, dtype={"origin": str, "data": str}) if csv.exists() else None
    rows = [] if done is None else done.to_dict("records")
    spec = rm.variants()[args.variant]
    for i in spread(len(origins)):
        origin = origins[i]
        seen = settings.data(data.as_of(origin))  # the data the fit sees, for the table
        key = {"origin": origin, "variant": spec.name, **plan, "seed": args.seed,
               "data": seen.fingerprint()}  # fmt: skip
        if any(all(r.get(k) == v for k, v in key.items()) for r in rows):
            continue
        if (time.perf_counter() - start) / 60 > args.minutes:
            print(f"stopping: {args.minutes} minutes passed", flush=True)
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the table says it
            fit = cached_fit(spec, seen, settings, random_seed=args.seed)
        row = {**key, "races_seen": len(seen.races), **measure(fit)}
        rows.append(row)
        print(f"{origin}: {row}", flush=True)
        write_text_atomically(csv, pd.DataFrame(rows, columns=COLUMNS).to_csv(index=False))
    df = pd.DataFrame(rows, columns=COLUMNS)
    for k, v in {"variant": spec.name, **plan}.items():
        df = df[df[k] == v]
    if len(df):
        words = sys.argv[1:] if argv is None else argv
        command = "python benchmarks/convergence.py " + shlex.join(words)
        text = report(df, len(origins), command.strip())
        write_text_atomically(args.report, text)
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
