"""Fit benchmarks: the acceptance fit, samplers and formulations side by side, and scaling.

Run from the repository root with the project's venv:

- ``python benchmarks/fit.py`` (acceptance): the default model (``rm.ModelSpec()``) on the
  bundled data at the library's default sampler settings (``inference.DEFAULT``: 2 chains x
  2000 draws, doubled while a check fails), cold (empty PyTensor/numba caches, in a fresh
  process) and warm; the time of every stage, min ESS per second, divergences.
- ``python benchmarks/fit.py --samplers [--since 2025-01-01]``: one model, several samplers and
  formulations on the same data, with ratios: the library's default (compiled race kernel,
  nutpie), the same model with the likelihood as a PyTensor graph under nutpie, PyMC's NUTS,
  numpyro and blackjax (the JAX samplers need the graph form; they run when installed:
  ``pip install -e ".[bench]"``), and a naive formulation (a Python loop over races and
  places building O(K^2) Plackett-Luce terms, centred random walk) under nutpie.
- ``python benchmarks/fit.py --scaling``: synthetic datasets from the model's simulator with
  100, 300, 1000 and 3000 athletes (races in proportion): fit time and ESS/s per size, and the
  exponent b of time ~ athletes^b fitted by least squares on the log scale.
- ``python benchmarks/fit.py --centring``: non-centred vs centred ability on the bundled data.
- ``python benchmarks/fit.py --extend [--seed 1] [--draws D --max-draws M --tune T]
  [--through]``: the doubling policy, the user's fit (``rm.fit(rm.ModelSpec(),
  rm.load_dataset(), random_seed=1)``, default settings unless given) sampled both ways from one
  compiled model: the chains extended at each failed checkpoint (the library's policy) and
  restarted from the warm-up at each (the policy before), with the draws kept compared;
  ``--through`` judges every checkpoint of the plan, as if each failed (the cost per checkpoint).

``--quick`` shrinks every mode to a smoke run (the test suite runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

import rivalrymodel as rm
from rivalrymodel.data.schema import Event
from rivalrymodel.inference import diagnostics as dg
from rivalrymodel.models import build_design, build_model
from rivalrymodel.models.design import SLOT_FINISH, SLOT_PAD
from rivalrymodel.models.synthetic import simulate_dataset
from rivalrymodel.models.terms import athlete_utility, busy_coords, coords, race_noise_scale

SPEC = rm.variants()["full"]  # the samplers' and formulations' comparisons (recorded on it)
DEFAULT = rm.ModelSpec()  # the acceptance fit


def _min_ess(tree) -> tuple[float, float, int]:
    """(min ESS bulk, max r_hat) over every named parameter, and divergences."""
    post = tree["posterior"].to_dataset()
    names = [v for v in post.data_vars if post[v].size and not str(v).endswith("_z")]
    rows = dg.by_parameter(post, names)
    div = int(tree["sample_stats"]["diverging"].sum())
    ess = np.nanmin([r["ess_bulk"] for r in rows])
    return float(ess), float(np.nanmax([r["r_hat"] for r in rows])), div


def naive_model(data: rm.RaceData, spec: rm.ModelSpec) -> pm.Model:
    """The same model as a first PyMC version would write it.

    Centred random walk for every athlete's seasons, and the likelihood as one term per
    finisher, ``v_j - logsumexp(v_j..v_n)``, built race by race in Python (O(K^2) per race).
    """
    spec = spec.replace(centred=("ability",), centre_min_results=1)
    design = build_design(data, spec)
    c = coords(design)
    c["event"] = np.array([e.value for e in Event])
    c.update(busy_coords(design, spec))
    with pm.Model(coords=c) as model:
        u = athlete_utility(design, spec)
        tau = race_noise_scale(design, spec)
        terms = []
        for r in range(design.n_races):
            kinds = design.slot_kind[r]
            runners = design.slots[r][kinds != SLOT_PAD]
            v = u[runners] / tau[r]
            for j in range(int((kinds == SLOT_FINISH).sum())):
                terms.append(v[j] - pt.logsumexp(v[j:]))
        pm.Potential("finish_order", pt.stack(terms).sum())
    return model


def _sample(model: pm.Model, sampler: str, draws: int, tune: int, chains: int, seed: int):
    """(tree, seconds compiling, seconds sampling)."""
    start = time.perf_counter()
    if sampler == "nutpie":
        import nutpie

        compiled = nutpie.compile_pymc_model(model)
        compiled_at = time.perf_counter()
        tree = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, seed=seed,
                             progress_bar=False)  # fmt: skip
        return tree, compiled_at - start, time.perf_counter() - compiled_at
    with model, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = pm.sample(draws=draws, tune=tune, chains=chains, random_seed=seed,
                         nuts_sampler=sampler, progressbar=False,
                         compute_convergence_checks=False)  # fmt: skip
    return tree, 0.0, time.perf_counter() - start  # compile is inside pm.sample


SAMPLERS = [
    ("kernel likelihood, nutpie (default)", "kernel", "nutpie"),
    ("graph likelihood, nutpie", "graph", "nutpie"),
    ("graph likelihood, PyMC NUTS (pm.sample)", "graph", "pymc"),
    ("graph likelihood, numpyro", "graph", "numpyro"),
    ("graph likelihood, blackjax", "graph", "blackjax"),
]
NAIVE = [SAMPLERS[0], ("naive formulation, nutpie", "naive", "nutpie")]


def samplers(data: rm.RaceData, draws: int, tune: int, chains: int, contenders) -> pd.DataFrame:
    import importlib.util

    rows = []
    for label, form, sampler in contenders:
        if sampler in ("numpyro", "blackjax") and importlib.util.find_spec(sampler) is None:
            print(f"{label}: skipped ({sampler} is not installed)", flush=True)
            continue
        t0 = time.perf_counter()
        if form == "naive":
            model = naive_model(data, SPEC)
        else:
            model, _ = build_model(data, SPEC, likelihood=form)
        build = time.perf_counter() - t0
        try:
            tree, compile_s, sample_s = _sample(model, sampler, draws, tune, chains, seed=1)
        except Exception as e:  # a backend that installs but cannot run is reported, not fatal
            print(f"{label}: failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
            continue
        ess, rhat, div = _min_ess(tree)
        wall = build + compile_s + sample_s
        rows.append({"formulation and sampler": label, "build s": build, "compile s": compile_s,
                     "sample s": sample_s, "wall s": wall, "min ESS bulk": ess,
                     "max r_hat": rhat, "divergences": div,
                     "ESS/s (wall)": ess / wall})  # fmt: skip
        print(f"{label}: wall {wall:.1f} s, min ESS {ess:.0f}, {ess / wall:.2f} ESS/s", flush=True)
    df = pd.DataFrame(rows).set_index("formulation and sampler")
    default = df["ESS/s (wall)"].iloc[0]
    df["default's ESS/s is ... x this"] = default / df["ESS/s (wall)"]
    return df


def scaling(sizes: list[int], draws: int, tune: int, chains: int) -> pd.DataFrame:
    rows = []
    for n in sizes:
        per_season = max(10, n // 4)  # races in proportion to athletes
        # Narrower spreads than the simulator's defaults (ability 1.0, distance 0.7): with
        # thousands of athletes the extreme ones otherwise run simulated 5000m times under the
        # world record, which validation refuses. The cost of a fit does not depend on them.
        data, _ = simulate_dataset(n_athletes=n, seasons=(2016, 2020), races_per_season=per_season,
                                   ability_sd=0.7, distance_sd=0.35, n_injured=max(2, n // 10),
                                   random_seed=n)  # fmt: skip
        t0 = time.perf_counter()
        model, design = build_model(data, SPEC)
        build = time.perf_counter() - t0
        tree, compile_s, sample_s = _sample(model, "nutpie", draws, tune, chains, seed=1)
        ess, rhat, div = _min_ess(tree)
        n_params = sum(np.size(v) for v in model.initial_point().values())
        rows.append({"athletes": n, "races": design.n_races, "results": design.n_obs,
                     "parameters": n_params, "compile s": compile_s, "sample s": sample_s,
                     "fit s": build + compile_s + sample_s, "min ESS bulk": ess,
                     "ESS/s (sampling)": ess / sample_s, "max r_hat": rhat,
                     "divergences": div})  # fmt: skip
        print(f"{n} athletes: {rows[-1]['fit s']:.1f} s", flush=True)
    df = pd.DataFrame(rows).set_index("athletes")
    slope = np.polyfit(np.log(df.index.to_numpy(float)), np.log(df["sample s"]), 1)[0]
    df.attrs["exponent"] = float(slope)
    return df


def _single(args) -> None:
    """One acceptance fit in this process; prints a JSON line of its measurements."""
    data = rm.load_dataset()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.ConvergenceWarning)
        settings = rm.SamplerSettings.from_options(args.draws, None, args.tune, args.chains)
        fit = rm.fit(DEFAULT, data, settings, random_seed=1)
    wall = time.perf_counter() - start
    worst = fit.diagnostics().loc["all"]
    stats = fit.tree["sample_stats"].to_dataset()
    out = {"wall": wall, **fit.timings, "draws": int(fit.posterior.sizes["draw"]),
           "r_hat": float(worst["r_hat"]),
           "ess_bulk": float(worst["ess_bulk"]), "ess_tail": float(worst["ess_tail"]),
           "divergences": int(worst["divergences"]),
           "steps": float(stats["n_steps"].mean())}  # fmt: skip
    print("RESULT " + json.dumps(out))


def acceptance(args) -> pd.DataFrame:
    cols = {}
    cold = tempfile.mkdtemp(prefix="rm-cold-")
    for label, extra_env in [
        ("cold caches", {"PYTENSOR_FLAGS": f"compiledir={cold}",
                         "NUMBA_CACHE_DIR": f"{cold}/numba"}),
        ("warm caches", {}),
    ]:  # fmt: skip
        cmd = [sys.executable, __file__, "--single"]
        cmd += ["--chains", str(args.chains)] if args.chains else []
        cmd += ["--draws", str(args.draws)] if args.draws else []
        cmd += ["--tune", str(args.tune)] if args.tune else []
        out = subprocess.run(cmd, env={**os.environ, **extra_env}, capture_output=True,
                             text=True, check=True)  # fmt: skip
        line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
        cols[label] = json.loads(line.removeprefix("RESULT "))
        print(f"{label}: {cols[label]['wall']:.1f} s", flush=True)
    df = pd.DataFrame(cols)
    df.loc["min ESS bulk per s (wall)"] = df.loc["ess_bulk"] / df.loc["wall"]
    return df


def centring() -> None:
    data = rm.load_dataset()
    rates = {}
    for label, spec in {
        "non-centred (default)": rm.ModelSpec(),
        "busy athletes centred (>= 20 results)": rm.ModelSpec(centred=("ability",)),
    }.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rm.ConvergenceWarning)
            settings = rm.SamplerSettings(draws=500, tune=500, chains=2)
            fit = rm.fit(spec, data, settings, random_seed=1)
        worst = fit.diagnostics().loc["all"]
        rates[label] = worst["ess_bulk"] / fit.timings["sample"]
        print(f"{label}: " + ", ".join(f"{k} {v:.1f} s" for k, v in fit.timings.items())
              + f"; min ess_bulk {worst['ess_bulk']:.0f} ({rates[label]:.2f} per s)")  # fmt: skip
    a, b = rates.values()
    print(f"ratio of min ESS per second, non-centred / centred: {a / b:.1f}x")


def _attempts(sampler, restart: bool, through: bool) -> tuple[list[dict], object]:
    """The plan's checkpoints judged until one passes (``through``: all of them, the cost of
    each checkpoint), each timed: (rows, the last drawn)."""
    rows = []
    for draws in sampler.settings.plan:
        if restart:
            sampler.close()  # the next checkpoint starts again from the warm-up
        start = time.perf_counter()
        drawn = sampler.sample(draws)
        rows.append({**drawn.summary, "seconds": time.perf_counter() - start})
        print(f"  {draws} draws: r_hat {drawn.summary['r_hat']}, passed "
              f"{drawn.summary['passed']}, {rows[-1]['seconds']:.1f} s", flush=True)  # fmt: skip
        if drawn.summary["passed"] and not through:
            break
    sampler.close()
    return rows, drawn


def extend(args) -> pd.DataFrame:
    """The default fit's doubling, chains extended vs restarted, in this one process."""
    from rivalrymodel.inference.sampling import Sampler

    seed, quick = args.seed, args.quick
    settings = rm.SamplerSettings.from_options(args.draws, args.max_draws, args.tune)
    if quick:
        settings = rm.SamplerSettings(draws=20, max_draws=80, tune=30)
    data = rm.load_dataset()
    data = data.since("2025-11-01") if quick else settings.data(data)
    sampler = Sampler(DEFAULT, data, settings, seed, progress=False)
    start = time.perf_counter()
    sampler.compile()  # once, outside both arms
    print(f"build + compile {time.perf_counter() - start:.1f} s", flush=True)
    arms, kept = {}, {}
    for label, restart in [("extended (new)", False), ("restarted (old)", True)]:
        print(f"{label}: load {os.getloadavg()[0]:.1f}", flush=True)
        rows, drawn = _attempts(sampler, restart, args.through)
        arms[label], kept[label] = rows, drawn.tree["posterior"].to_dataset()
    a, b = kept.values()
    same = all(np.array_equal(a[v].to_numpy(), b[v].to_numpy(), equal_nan=True) for v in a)
    columns = {}
    for label, rows in arms.items():
        restarted = label.startswith("restarted")
        runs = len(rows) if restarted else 1  # each run pays the warm-up
        drawn = sum(r["draws"] for r in rows) if restarted else rows[-1]["draws"]
        columns[label] = {
            "checkpoints judged (+ passed)": " ".join(
                f"{r['draws']}{'+' if r['passed'] else '-'}" for r in rows
            ),
            "r_hat at each": " ".join(str(r["r_hat"]) for r in rows),
            "iterations per chain": runs * settings.tune + drawn,
            "sampling s (judging included)": round(sum(r["seconds"] for r in rows), 1),
        }
    table = pd.DataFrame(columns)
    new, old = (table.loc["sampling s (judging included)", k] for k in arms)
    print(f"restarted / extended sampling time: {old / new:.2f}x; load now "
          f"{os.getloadavg()[0]:.1f}; the draws kept are the same: {same}")  # fmt: skip
    return table


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--samplers", action="store_true")
    mode.add_argument("--scaling", action="store_true")
    mode.add_argument("--centring", action="store_true")
    mode.add_argument("--extend", action="store_true", help="doubling: extended vs restarted")
    mode.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--since", default="2025-01-01", help="--samplers: data from this day on")
    p.add_argument(
        "--naive-since", default="2025-09-15", help="--samplers: data for the naive model"
    )
    p.add_argument("--draws", type=int, default=None, help="default: the library's plan")
    p.add_argument("--tune", type=int, default=None, help="default: the library's")
    p.add_argument("--chains", type=int, default=None, help="default: the library's")
    p.add_argument("--seed", type=int, default=1, help="--extend: the fit's random seed")
    p.add_argument("--max-draws", type=int, default=None, help="--extend: the plan's largest")
    p.add_argument(
        "--through", action="store_true", help="--extend: judge every checkpoint, pass or not"
    )
    p.add_argument("--quick", action="store_true", help="a smoke run: tiny data and chains")
    args = p.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    if args.single:
        return _single(args)
    if args.centring:
        return centring()
    if args.extend:
        print(extend(args).to_string())
        return None
    if args.scaling:
        quick = ([30, 60], (50, 50, 2))
        sizes, (d, t, c) = quick if args.quick else ([100, 300, 1000, 3000], (500, 500, 2))
        df = scaling(sizes, d, t, c)
        print(df.round(2).to_string())
        print(f"sampling time grows as athletes^{df.attrs['exponent']:.2f}")
        return None
    if args.samplers:
        full = rm.load_dataset()
        if args.quick:  # two months of races: the naive graph's compile grows fast with races
            full = full.as_of("2026-01-01")
        d, t = (50, 50) if args.quick else (args.draws or 1000, args.tune or 500)
        chains = 2 if args.quick else args.chains or 4  # as recorded
        since = "2025-11-01" if args.quick else args.since
        for title, day, contenders in [
            ("Samplers", since, SAMPLERS),
            ("Naive formulation", "2025-11-01" if args.quick else args.naive_since, NAIVE),
        ]:
            data = full.since(day)
            print(f"{title}: races from {day} on ({len(data.races)} races), {chains} chains x "
                  f"({t} warm-up + {d} draws)", flush=True)  # fmt: skip
            print(samplers(data, d, t, chains, contenders).round(2).to_string(), flush=True)
        return None
    print(acceptance(args).round(3).to_string())
    return None


if __name__ == "__main__":
    main()
