"""Figures from forecasts and fits (matplotlib). The model code never calls this module.

Each function draws on ``ax`` (a new figure when None) and returns the axes, so figures compose in
notebooks; intervals are the 90% posterior intervals the tables report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .models.intervals import LABEL, TAIL

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .forecasting import Forecast
    from .inference import Fit

__all__ = ["plot_forecast", "plot_abilities", "plot_rivalry", "plot_calibration"]


def _axes(ax, size=(7, 4.5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size, layout="constrained")[1]


def plot_forecast(
    forecast: Forecast | pd.DataFrame,
    *,
    column: str = "p_win",
    top: int | None = 15,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of a probability per athlete, with 90% interval whiskers.

    ``forecast`` is a :class:`~rivalrymodel.Forecast` or any table with ``athlete``,
    ``column`` and, optionally, ``column_lo``/``column_hi`` (a championship table has none).
    A Forecast's data end and age ("data to 2026-09-13, 94 days before the race") end the
    title.
    """
    table = forecast.table if hasattr(forecast, "table") else forecast
    df = table.sort_values(column, ascending=False, kind="stable")
    if top is not None:
        df = df.head(top)
    df = df.iloc[::-1]  # the favourite on top
    ax = _axes(ax, (7, 0.35 * len(df) + 1.2))
    y = np.arange(len(df))
    ax.barh(y, 100 * df[column], color="tab:blue", alpha=0.75)
    label = column.removeprefix("p_").replace("_", " ")
    right = df[column]
    if f"{column}_lo" in df:
        right = df[f"{column}_hi"]
        err = 100 * np.vstack([df[column] - df[f"{column}_lo"], right - df[column]])
        ax.errorbar(100 * df[column], y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
        ax.set_xlabel(f"P({label}) %: bars, posterior mean; whiskers, {LABEL} interval")
    else:
        ax.set_xlabel(f"P({label}) %")
    known = df["known"].astype(bool) if "known" in df else pd.Series(True, index=df.index)
    ax.set_yticks(y, [a if k else f"{a} *" for a, k in zip(df["athlete"], known, strict=True)])
    if not known.all():
        ax.annotate("* no results before the fit's cutoff: population draws",
                    (0, 0), xycoords="figure fraction", xytext=(4, 4),
                    textcoords="offset points", fontsize=7)  # fmt: skip
    if title is None and hasattr(forecast, "start_list"):
        sl = forecast.start_list
        title = f"{sl.name or sl.event}\n{sl.date:%Y-%m-%d}"
    note = getattr(forecast, "data_note", "")
    if note:
        title = f"{title}\n{note}" if title else note
    if title:
        ax.set_title(title)
    ax.set_xlim(0, min(100.0, max(100 * float(right.max()), 1.0) * 1.08))
    return ax


def plot_abilities(
    fit: Fit,
    athletes: Sequence[str],
    *,
    seasons: Sequence[int] | None = None,
    event: str = "1500m",
    unpaced: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Ability per season (mean and 90% band) of the named athletes, by id or name.

    The ability is the utility in ``event`` (paced unless ``unpaced``) at mid-season; a season
    without races is carried by the random walk, so its band widens.
    """
    from .forecasting import roster_rows

    who = roster_rows(fit, athletes)
    post = fit.posterior
    if seasons is None:
        seasons = range(int(post["cell_season"].min()), int(post["cell_season"].max()) + 1)
    ax = _axes(ax)
    rows = []
    for s in seasons:
        u = fit.ability_draws(f"{s}-07-01", event=event, unpaced=unpaced, random_seed=s)
        u = u.sel(athlete=who["athlete_id"].to_numpy())
        q = u.quantile([TAIL, 1 - TAIL], dim=("chain", "draw")).to_numpy()
        rows.append((s, u.mean(("chain", "draw")).to_numpy(), q[0], q[1]))
    for j, name in enumerate(who["name"]):
        x = [r[0] for r in rows]
        mean = [r[1][j] for r in rows]
        line = ax.plot(x, mean, marker="o", label=name)[0]
        lo, hi = [r[2][j] for r in rows], [r[3][j] for r in rows]
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2)
    kind = "unpaced" if unpaced else "paced"
    ax.set_xlabel("season")
    ax.set_ylabel(f"ability ({event}, {kind}), {LABEL} band")
    ax.legend()
    return ax


def plot_rivalry(rivalry: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """P(a ahead of b) over time with 90% bands, one line per paced/unpaced race type.

    ``rivalry`` is the table of :func:`~rivalrymodel.rivalry`; the title ends with the last
    race date its fit saw.
    """
    ax = _axes(ax)
    for paced, group in rivalry.groupby("paced", sort=False):
        group = group.sort_values("date")
        label = "paced race" if paced else "unpaced (championship) race"
        line = ax.plot(group["date"], group["p_a_ahead"], marker="o", label=label)[0]
        ax.fill_between(
            group["date"],
            group["p_a_ahead_lo"],
            group["p_a_ahead_hi"],
            color=line.get_color(),
            alpha=0.2,
        )
    a, b = rivalry["athlete_a"].iloc[0], rivalry["athlete_b"].iloc[0]
    ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"P({a} ahead of {b})")
    title = f"{a} vs {b}: head to head, {LABEL} bands"
    if "data_end" in rivalry and rivalry["data_end"].notna().any():
        title += f"\nfit's data to {pd.Timestamp(rivalry['data_end'].max()):%Y-%m-%d}"
    ax.set_title(title)
    ax.legend()
    return ax


def plot_calibration(backtest, models: Sequence[str], *, what: str = "p_win", ax=None) -> Axes:
    """Reliability diagram: forecast probability vs observed frequency, per model, with 90%
    Wilson intervals; the diagonal is perfect calibration. ``backtest``: an evaluation.Backtest.
    """
    ax = _axes(ax, (6, 5.5))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
    for model in models:
        t = backtest.calibration(model, what)
        if t.empty:
            continue
        err = np.vstack([t["observed"] - t["observed_lo"], t["observed_hi"] - t["observed"]])
        ax.errorbar(t["mean_p"], t["observed"], yerr=err, marker="o", capsize=2, label=model)
    label = "win" if what == "p_win" else "podium"
    ax.set_xlabel(f"forecast P({label})")
    ax.set_ylabel(f"observed frequency ({LABEL} interval)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"Calibration of P({label}) on the backtest's races")
    ax.legend()
    return ax
