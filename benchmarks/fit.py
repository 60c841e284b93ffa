"""Whole-process fit of a variant on the bundled data, with the time of each stage.

Run: ``.venv/bin/python benchmarks/fit.py`` (the acceptance run: full variant, 4 chains x
(1000 + 1000)), or ``--centring`` to compare parametrisations of the ability term in one run
(short chains; sampling efficiency as minimum ESS per second of sampling, and the ratio).
"""

from __future__ import annotations

import argparse
import time
import warnings

import rivalrymodel as rm


def _summary(fit: rm.Fit, label: str) -> float:
    d = fit.diagnostics()
    stats = fit.tree["sample_stats"].to_dataset()
    t = fit.timings
    worst = d.loc["all"]
    per_s = worst["ess_bulk"] / t["sample"]
    print(
        f"{label}: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in t.items())
        + f"; total {sum(t.values()):.1f} s; leapfrog steps per draw "
        f"{float(stats['n_steps'].mean()):.0f}; divergences {worst['divergences']}; "
        f"max r_hat {worst['r_hat']:.3f}; min ess_bulk {worst['ess_bulk']:.0f} "
        f"({per_s:.2f} per s of sampling)"
    )
    return per_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="full", choices=list(rm.variants()))
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--centring", action="store_true")
    parser.add_argument("--save", help="write the fit here (netCDF) for a later look")
    args = parser.parse_args()
    data = rm.load_dataset()
    if not args.centring:
        start = time.perf_counter()
        fit = rm.variants()[args.variant].fit(
            data, draws=args.draws, tune=args.tune, chains=args.chains, random_seed=1
        )
        print(f"wall clock of spec.fit: {time.perf_counter() - start:.1f} s")
        _summary(fit, args.variant)
        if args.save:
            fit.save(args.save)
        return
    rates = {}
    for label, spec in {
        "non-centred (default)": rm.ModelSpec(),
        "busy athletes centred (>= 20 results)": rm.ModelSpec(centred=("ability",)),
    }.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rm.ConvergenceWarning)
            fit = spec.fit(data, draws=500, tune=500, chains=2, random_seed=1)
        rates[label] = _summary(fit, label)
    a, b = rates.values()
    print(f"ratio of min ESS per second, non-centred / centred: {a / b:.1f}x")


if __name__ == "__main__":
    main()
