"""Scores of a race forecast against the result, and calibration over many forecasts.

Plain functions on arrays and DataFrames (lower is better for every loss). A race is scored over
the runners of its start list who finished with a place; their observed order is their places'
order, so a race known only partly is scored as the ranking of its known finishers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom, norm

from ..forecasting import Forecast
from ..models.intervals import LEVEL, TAIL

__all__ = [
    "score_race", "reliability", "expected_calibration_error", "top_bins", "bootstrap_mean",
]  # fmt: skip

_EPS = 1e-12


def score_race(fc: Forecast, places: pd.Series) -> dict[str, float]:
    """Winner log loss, multi-class Brier, ranked probability score, top-3 log loss, pairwise
    accuracy and log loss of one forecast.

    ``places``: finishing place by athlete id (NaN or missing: did not finish or not known).
    """
    ids = list(fc.athlete_ids)
    n = len(ids)
    place = places.reindex(ids).to_numpy(dtype=float)
    done = np.isfinite(place)
    if done.sum() < 2:
        raise ValueError(f"{fc.start_list.name}: fewer than two finishers to score")
    # The observed order among the forecast runners: 1..m for the m finishers.
    rank = np.full(n, np.nan)
    rank[done] = pd.Series(place[done]).rank(method="first").to_numpy()
    table = fc.table.set_index("athlete_id").loc[ids]
    p_win = table["p_win"].to_numpy()
    p_pod = table["p_podium"].to_numpy()
    won = rank == 1
    cum = np.cumsum(fc.place_probs, axis=1)[:, : n - 1]  # P(place <= k), k = 1..n-1
    hit = rank[:, None] <= np.arange(1, n)[None, :]
    rps = ((cum - hit) ** 2).mean(axis=1)[done]
    podium = rank <= 3
    top3 = -(podium * np.log(p_pod + _EPS) + (~podium) * np.log(1 - p_pod + _EPS))[done]
    fin = np.flatnonzero(done)
    ahead = rank[fin][:, None] < rank[fin][None, :]  # row finisher ahead of column finisher
    p_pair = fc.pairwise[np.ix_(fin, fin)][ahead]
    return {
        "n_runners": n,
        "n_finishers": int(done.sum()),
        "p_winner": float(p_win[won][0]),
        "log_loss": float(-np.log(p_win[won][0] + _EPS)),
        "brier": float(((p_win - won) ** 2).sum()),
        "rps": float(rps.mean()),
        "top3_log_loss": float(top3.mean()),
        "pair_accuracy": float(np.mean(np.where(p_pair == 0.5, 0.5, p_pair > 0.5))),
        "pair_log_loss": float(-np.log(p_pair + _EPS).mean()),
    }


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Forecast probability vs observed frequency in equal-width bins of p.

    Columns: bin (lower edge), n, mean_p, observed, and a 90% Wilson interval of the observed
    frequency (observed_lo, observed_hi).
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    z = norm.ppf(1 - TAIL)
    for b in range(bins):
        m = which == b
        k = int(m.sum())
        if not k:
            continue
        f = y[m].mean()
        centre = (f + z * z / (2 * k)) / (1 + z * z / k)
        half = z * np.sqrt(f * (1 - f) / k + z * z / (4 * k * k)) / (1 + z * z / k)
        # at f = 0 or 1 a bound equals f only up to rounding: keep f inside its interval
        rows.append((edges[b], k, p[m].mean(), f, min(centre - half, f), max(centre + half, f)))
    cols = ["bin", "n", "mean_p", "observed", "observed_lo", "observed_hi"]
    return pd.DataFrame(rows, columns=cols)


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Sum over bins of (share of forecasts) x |mean forecast - observed frequency|."""
    table = reliability(p, y, bins)
    return float(
        (table["n"] / table["n"].sum() * (table["mean_p"] - table["observed"]).abs()).sum()
    )


def top_bins(p: np.ndarray, y: np.ndarray, bins: int = 10, top: int = 2) -> pd.DataFrame:
    """The ``top`` highest bins of the reliability table (equal width, as :func:`reliability`),
    each with the 90% band of its count of wins if the forecasts were right.

    The band is the central 90% of Binomial(n, mean forecast in the bin); ``inside``: the
    observed count is within it (an empty bin is, trivially). Columns: bin, n, mean_p, wins,
    band_lo, band_hi, inside.
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins - top, bins):
        m = which == b
        n, wins = int(m.sum()), int(y[m].sum())
        mean_p = float(p[m].mean()) if n else np.nan
        lo, hi = (binom.ppf(TAIL, n, mean_p), binom.ppf(1 - TAIL, n, mean_p)) if n else (0, 0)
        rows.append((edges[b], n, mean_p, wins, int(lo), int(hi), bool(lo <= wins <= hi)))
    cols = ["bin", "n", "mean_p", "wins", "band_lo", "band_hi", "inside"]
    return pd.DataFrame(rows, columns=cols)


def bootstrap_mean(
    values: np.ndarray, *, reps: int = 2000, level: float = LEVEL, random_seed: int = 0
) -> tuple[float, float, float]:
    """Mean and a percentile bootstrap interval (resampling the values, i.e. races)."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(random_seed)
    idx = rng.integers(0, len(values), size=(reps, len(values)))
    means = values[idx].mean(axis=1)
    tail = (1 - level) / 2
    return (
        float(values.mean()),
        float(np.quantile(means, tail)),
        float(np.quantile(means, 1 - tail)),
    )
