"""Saved-fit size, save and load time, and the round trip of a forecast.

The default full fit of the bundled data (4 chains x 1000 draws, sampled afresh so that it still
holds its raw variables and pointwise log-likelihood), saved without them (the default) and
with; each file is loaded back and a forecast from it is compared with the same forecast from the
fit in memory (same seed). Run:
``.venv/bin/python benchmarks/storage.py [--quick]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

import rivalrymodel as rm
from rivalrymodel.inference import DEFAULT, QUICK


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="18 months of data, a short fit")
    args = p.parse_args(argv)
    data = rm.load_dataset()
    settings = QUICK if args.quick else DEFAULT
    data = settings.data(data)  # the forecast below takes a race of the data the fit saw
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.ConvergenceWarning)
        fit = rm.fit(rm.ModelSpec(), data, settings, random_seed=1)
    post = fit.posterior
    print(f"{fit}: {sum(post[v].size for v in post.data_vars) // fit.n_samples:,} values per draw")
    # The largest field of the last season, run again on the fit's first forecastable day (the
    # day after the data end, or a later absence announcement).
    res = data.results[data.results["status"].eq("OK")]
    size = res.groupby("race_id").size()
    last = data.races[data.races["season"].eq(data.races["season"].max())]
    sl = rm.StartList.from_race(data, size.reindex(last["race_id"]).idxmax())
    sl = rm.StartList(sl.athletes, event=sl.event, date=fit.cutoff)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for keep in (False, True):
            path = Path(tmp) / f"fit_{keep}.nc"
            t0 = time.perf_counter()
            fit.save(path, log_likelihood=keep)
            t1 = time.perf_counter()
            back = rm.load_fit(path)
            t2 = time.perf_counter()
            same = rm.forecast(fit, sl, random_seed=3).table.equals(
                rm.forecast(back, sl, random_seed=3).table
            )
            rows.append(
                {"log_likelihood": keep, "MB": path.stat().st_size / 1e6, "save_s": t1 - t0,
                 "load_s": t2 - t1, "forecast_equal": same}
            )  # fmt: skip
    print(pd.DataFrame(rows).round(2).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
