"""Plackett-Luce log-likelihood + gradient on the bundled data: one padded matrix vs size buckets.

Run: ``.venv/bin/python benchmarks/likelihood.py``. Prints the time per evaluation of each
layout and their ratio, measured in the same run (the machine is shared: only ratios count).
"""

from __future__ import annotations

import timeit

import numpy as np
import pytensor
import pytensor.tensor as pt

import rivalrymodel as rm
from rivalrymodel.models import build_design
from rivalrymodel.models.plackett_luce import buckets, plackett_luce_logp


def _compile(design, groups):
    u = pt.dvector("u")
    u_pad = pt.concatenate([u, pt.zeros(1)])
    logp = sum(
        plackett_luce_logp(design.slot_kind[rows, :width], u_pad[design.slots[rows, :width]]).sum()
        for rows, width in groups
    )
    return pytensor.function([u], [logp, pytensor.grad(logp, u)], mode="NUMBA")


def main() -> None:
    design = build_design(rm.load_dataset(), rm.ModelSpec())
    width = design.slots.shape[1]
    padded = _compile(design, [(np.arange(design.n_races), width)])
    grouped = _compile(design, buckets(design))
    x = np.random.default_rng(0).normal(size=design.n_obs)
    assert np.isclose(padded(x)[0], grouped(x)[0])
    n = 300
    t_pad = min(timeit.repeat(lambda: padded(x), number=n, repeat=5)) / n
    t_grp = min(timeit.repeat(lambda: grouped(x), number=n, repeat=5)) / n
    slots = sum(len(rows) * w for rows, w in buckets(design))
    print(f"{design.n_races} races, {design.n_obs} ranked runners")
    print(
        f"one padded matrix ({design.n_races} x {width} = {design.n_races * width} slots): "
        f"{t_pad * 1e3:.3f} ms per logp+gradient"
    )
    print(f"size buckets ({slots} slots): {t_grp * 1e3:.3f} ms per logp+gradient")
    print(f"ratio padded / buckets: {t_pad / t_grp:.1f}x")


if __name__ == "__main__":
    main()
