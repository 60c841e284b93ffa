"""Forecast speed: a 12-runner race from 4,000 posterior draws, and a championship.

Run: ``.venv/bin/python benchmarks/forecast.py [--fit FILE]``. Without ``--fit`` the posterior
is synthetic (1,500 athletes, 4,000 draws, the full model's variables), which is what the timing
depends on. Prints seconds per call and ns per simulated runner-race, and the ratio of the
vectorised simulation (an exponential race, the same law as Gumbel-max) to a pure-Python
Gumbel-max loop, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import timeit

import numpy as np
import xarray as xr

import rivalrymodel as rm
from rivalrymodel.models.pl_law import plackett_luce_places
from rivalrymodel.models.simulate import simulate_places


def synthetic_fit(n_athletes=1500, draws=4000, seed=0) -> rm.Fit:
    rng = np.random.default_rng(seed)
    ids = np.array([f"B{i:04d}" for i in range(n_athletes)])
    per = {"chain": [0], "draw": np.arange(draws)}

    def scalar(v):
        return (("chain", "draw"), np.full((1, draws), v))

    def athlete(sd):
        return (("chain", "draw", "athlete"), sd * rng.standard_normal((1, draws, n_athletes)))

    post = xr.Dataset(
        {
            "ability": (("chain", "draw", "cell"), rng.normal(0, 1, (1, draws, n_athletes))),
            "distance": athlete(0.5),
            "unpaced": athlete(0.4),
            "noise": (("chain", "draw", "noise_term"), rng.normal(0.2, 0.05, (1, draws, 4))),
            **{
                k: scalar(v)
                for k, v in [
                    ("step_sd", 0.7),
                    ("ability_sd", 1.2),
                    ("injury_mean", -0.6),
                    ("injury_length", -0.2),
                ]
            },
        },  # fmt: skip
        coords={
            **per,
            "cell": ids,
            "cell_athlete": ("cell", ids),
            "cell_season": ("cell", np.full(n_athletes, 2025)),
            "athlete": ids,
            "athlete_name": ("athlete", [f"Runner {i}" for i in ids]),
            "noise_term": ["heat", "semi", "unpaced", "indoor"],
        },
    )
    tree = xr.DataTree.from_dict({"posterior": post})
    tree.attrs.update(spec=rm.ModelSpec().to_json(), cutoff="2025-09-01", absences=json.dumps([]))
    return tree


def python_loop(v: np.ndarray, seed: int = 0) -> np.ndarray:
    """Gumbel-max one race per draw with Python loops: the reference for the ratio."""
    rnd = random.Random(seed)
    places = []
    for row in v.tolist():
        scores = [(x - math.log(-math.log(rnd.random())), i) for i, x in enumerate(row)]
        order = sorted(scores, reverse=True)
        place = [0] * len(row)
        for k, (_, i) in enumerate(order, start=1):
            place[i] = k
        places.append(place)
    return np.array(places)


def best(fn, number):
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--fit", help="a saved fit (default: a synthetic posterior)")
    args = p.parse_args(argv)
    fit = rm.load_fit(args.fit) if args.fit else rm.Fit(synthetic_fit())
    post = fit.posterior
    n_draws = post.sizes["chain"] * post.sizes["draw"]
    ids = list(post["athlete"].to_numpy()[:12])
    day = fit.cutoff or "2025-09-01"
    sl = rm.StartList(tuple(ids), date=day, event="1500m")
    print(f"{fit}; 12 runners, {n_draws} draws")

    t_exact = best(lambda: rm.forecast(fit, sl, top_k=3, random_seed=0), 5)
    t_mc = best(lambda: rm.forecast(fit, sl, random_seed=0), 5)
    print(f"fit.forecast, P(win)/P(podium) exact, top-3:      {1e3 * t_exact:7.1f} ms per race")
    print(f"fit.forecast, with simulated top-8 (20 per draw): {1e3 * t_mc:7.1f} ms per race")

    v = np.random.default_rng(1).normal(size=(n_draws, 12))
    t_closed = best(lambda: plackett_luce_places(v), 20)
    print(f"closed-form places 1-3, all draws:               {1e3 * t_closed:7.2f} ms")
    present = np.ones(12, dtype=bool)
    t_vec = best(lambda: simulate_places(v, present, 0), 20)
    sub = v[:400]
    t_py = best(lambda: python_loop(sub), 3) * (n_draws / len(sub))
    per = n_draws * 12
    print(
        f"simulated races, one per draw: numpy (exponential race) {1e9 * t_vec / per:6.1f} ns, "
        f"Python loop (Gumbel-max) {1e9 * t_py / per:6.1f} ns per runner-race; "
        f"ratio {t_py / t_vec:5.1f}x"
    )

    heats = [
        rm.StartList(tuple(post["athlete"].to_numpy()[12 * h : 12 * h + 12]), date=day,
                     round="heat")
        for h in range(4)
    ]  # fmt: skip
    rules = [rm.Qualify(6, 0, next_sections=2), rm.Qualify(6, 0)]
    sims = 25
    t_ch = best(lambda: rm.simulate_championship(fit, heats, rules, sims=sims, random_seed=0), 2)
    print(
        f"championship, 4 heats of 12 -> 2 semis -> final, {sims} per draw: {t_ch:5.2f} s, "
        f"{1e6 * t_ch / (n_draws * sims):5.2f} us per simulated championship"
    )


if __name__ == "__main__":
    main()
