"""The yardstick's report: markdown tables of a backtest, every number with its 90% interval.

``yardstick_report(backtest, targets, reference=..., header=...)`` renders what
``benchmarks/backtest.md`` holds: target counts per set, each forecaster's scores per set (all
races and complete fields only), the paired per-race differences to a reference, and the
probability each forecaster gave the winner of every championship final.
``sets_report(runs, targets, ...)`` renders ``benchmarks/yardstick_sets.md``: the pooled yardstick
and the sets that show where it matters, each with its holdout part on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import SETS, Backtest, bootstrap_mean, expected_calibration_error
from .evaluation.metrics import top_bins
from .evaluation.targets import HOLDOUT
from .models.intervals import LABEL

__all__ = ["yardstick_report", "sets_report", "LABELS"]

LABELS = {
    "log_loss": "winner log loss",
    "brier": "Brier",
    "rps": "RPS",
    "top3_log_loss": "top-3 log loss",
    "pair_accuracy": "pairwise accuracy",
    "pair_log_loss": "pairwise log loss",
}
_HIGHER_IS_BETTER = {"pair_accuracy"}


def _table(rows: list[list[str]], head: list[str]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _ci(row, m: str) -> str:
    return f"{row[m]:.3f} [{row[m + '_lo']:.3f}, {row[m + '_hi']:.3f}]"


def counts(targets: pd.DataFrame) -> str:
    """Races, complete fields and origins (fits) per set."""
    g = targets.groupby("set")
    rows = [
        [s, str(len(t)), str(int(t["field_complete"].sum())), str(t["origin"].nunique())]
        for s, t in g
    ]
    rows.append(
        ["all", str(len(targets)), str(int(targets["field_complete"].sum())),
         str(targets["origin"].nunique())]
    )  # fmt: skip
    return _table(rows, ["set", "races", "complete fields", "origins (fits)"])


def scores(summary: pd.DataFrame) -> str:
    """One table per set: forecasters by winner log loss, every metric with its interval."""
    if summary.empty:  # e.g. no complete field among the targets
        return "No races."
    parts = []
    for tset, g in summary.groupby("set", sort=False):
        g = g.sort_values("log_loss")
        head = ["forecaster", *LABELS.values(), "GM P(winner)", "ECE win", "ECE podium"]
        rows = [
            [r["model"], *(_ci(r, m) for m in LABELS), f"{r['gm_p_winner']:.3f}",
             f"{r['ece_win']:.3f}", f"{r['ece_podium']:.3f}"]
            for _, r in g.iterrows()
        ]  # fmt: skip
        if g["races"].nunique() > 1:  # a forecaster run on some origins only: say on how many
            head.insert(1, "races")
            for row, n in zip(rows, g["races"], strict=True):
                row.insert(1, str(int(n)))
        parts.append(f"#### {tset} ({int(g['races'].max())} races)\n\n" + _table(rows, head))
    return "\n\n".join(parts)


def differences(
    bt, reference: str, metrics=("log_loss", "pair_accuracy"), *, pooled: bool = True, **kw
) -> str:
    """Paired per-race differences to ``reference`` with 90% bootstrap intervals (``pooled``:
    with the row ``all`` of every set together)."""
    frames = []
    for m in metrics:
        d = bt.differences(reference, m, **kw).assign(metric=LABELS[m])
        frames.append(d)
    d = pd.concat(frames, ignore_index=True)
    if not pooled:
        d = d[d["set"].ne("all")]
    rows = []
    for _, r in d.iterrows():
        if r["metric"] in {LABELS[m] for m in _HIGHER_IS_BETTER}:
            better, worse = r["lo"] > 0, r["hi"] < 0
        else:
            better, worse = r["hi"] < 0, r["lo"] > 0
        verdict = "better" if better else "worse" if worse else "no clear difference"
        rows.append(
            [r["set"], r["model"], r["metric"], str(int(r["races"])),
             f"{r['mean']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}]", verdict]
        )  # fmt: skip
    rows.sort(key=lambda x: (x[0], x[2], x[1]))
    head = ["set", "forecaster", "metric", "races", f"minus {reference} [{LABEL}]", "verdict"]
    return _table(rows, head)


def touched(bt, targets: pd.DataFrame, data, reference: str) -> str:
    """The paired differences on the races the injury and pacing terms touch
    (:func:`~rivalrymodel.evaluation.term_subsets`), each race once per subset it is in."""
    from .evaluation import term_subsets

    sub = bt.by_subset(term_subsets(data, targets))
    if sub.races["model"].nunique() < 2:
        return "No target race here is touched by the injury or pacing term."
    text = differences(sub, reference, pooled=False)
    return (
        "`after_absence`: a runner is back from an absence announced by the origin (his first "
        "race after it, or within 120 days of it); `unpaced`: no pacemaker. A model without "
        "the injury term (`no_injury`), or one with the pacing skill (`pacing`), against the "
        "reference here says whether the term pays where it acts.\n\n" + text
    )


def finals(bt, targets: pd.DataFrame, data) -> str:
    """P(winner) per championship final and forecaster."""
    fin = targets[targets["set"].eq("championship_final")]
    p = bt.probabilities
    won = p[p["won"].astype(bool) & p["race_id"].isin(fin["race_id"])]
    wide = won.pivot_table(index="race_id", columns="model", values="p_win")
    names = data.athletes.set_index("athlete_id")["name"]
    winner = won.drop_duplicates("race_id").set_index("race_id")["athlete_id"].map(names)
    models = list(wide.columns)
    rows = []
    for _, t in fin.iterrows():
        if t["race_id"] not in wide.index:
            continue
        best = wide.loc[t["race_id"]].max()
        cells = [
            (f"**{v:.3f}**" if np.isclose(v, best) else f"{v:.3f}") if np.isfinite(v) else ""
            for v in wide.loc[t["race_id"]]
        ]
        label = f"{t['date']:%Y-%m-%d} {t['championship_id']} {t['event']}"
        rows.append([label, str(winner.get(t["race_id"], "")), str(t["finishers"]), *cells])
    return _table(rows, ["final", "winner", "finishers", *models])


def yardstick_report(bt, targets, data, *, reference: str, header: str = "") -> str:
    """The whole markdown report (see the module docstring)."""
    parts = [header.strip()] if header.strip() else []
    parts += ["## Targets\n\n" + counts(targets)]
    parts += ["## Scores: all races\n\n" + scores(bt.summary())]
    parts += ["## Scores: complete fields only\n\n" + scores(bt.summary(complete_only=True))]
    parts += ["## The reliability plot's top two bins\n\n" + top_bins_table(bt)]
    parts += [
        f"## Paired differences to {reference}\n\nPer race, the forecaster's score minus "
        f"{reference}'s; the {LABEL} interval is a bootstrap over races. For the log loss lower is "
        "better, for pairwise accuracy higher.\n\n" + differences(bt, reference)
    ]
    parts += ["## Races the covariate terms touch\n\n" + touched(bt, targets, data, reference)]
    parts += ["## P(winner) in each championship final\n\n" + finals(bt, targets, data)]
    if bt.notes:
        parts += ["## Fits that failed a convergence check\n\n" + "\n".join(
            f"- {n}" for n in bt.notes
        )]  # fmt: skip
    return "\n\n".join(parts) + "\n"


def _with_all(targets: pd.DataFrame) -> pd.DataFrame:
    """``targets`` and, as set ``all``, those of the base sets (the pooled yardstick)."""
    pooled = targets[targets["set"].isin(SETS)].assign(set="all")
    return pd.concat([targets, pooled], ignore_index=True)


def _set_forecasts(runs: list[Backtest], targets: pd.DataFrame) -> Backtest:
    """The forecasts of every target of ``targets`` (a target also in a base set is in ``all``
    too) from the runs that made them from its origin, each (forecaster, race, set) once: the
    first run that has it."""
    targets = _with_all(targets)
    races, probs, have = [], [], set()
    for run in runs:
        f = run.for_targets(targets)
        keys = list(zip(f.races["model"], f.races["race_id"], f.races["set"], strict=True))
        new = [k not in have for k in keys]
        added = {k for k, n in zip(keys, new, strict=True) if n}
        races.append(f.races[new])
        pk = zip(f.probabilities["model"], f.probabilities["race_id"], f.probabilities["set"],
                 strict=True)  # fmt: skip
        probs.append(f.probabilities[[k in added for k in pk]])
        have |= added
    seasons = targets.drop_duplicates(["race_id", "set"])[["race_id", "set", "season", "round"]]
    races = pd.concat(races, ignore_index=True).merge(seasons, on=["race_id", "set"])
    return Backtest(races, pd.concat(probs, ignore_index=True))


def _groups(bt: Backtest, targets: pd.DataFrame, holdout: int):
    """(label, part, races, number of targets) per set, its finals alone where it has rounds
    too, and its holdout season apart."""
    order = ["all", *(s for s in ("global_championship", "preseason", "in_championship",
                                  "season_2026") if s in set(targets["set"]))]  # fmt: skip
    tset = _with_all(targets)
    for name in order:
        t = tset[tset["set"].eq(name)]
        finals = t["round"].eq("final")
        subsets = [(name, t)]
        if t["championship_id"].ne("").all() and finals.any() and not finals.all():
            subsets.append((f"{name}, finals", t[finals]))
        for label, sub in subsets:
            for late in (False, True):
                part = sub[sub["season"].eq(holdout) == late]
                if part.empty:
                    continue
                r = bt.races[bt.races["set"].eq(name) & bt.races["race_id"].isin(part["race_id"])]
                shown = r["race_id"].nunique() >= len(part) / 2
                seen = r["season"] if shown else part["season"]  # the seasons scored
                years = f"{seen.min()}" + (f"-{seen.max()}" if seen.max() > seen.min() else "")
                yield label, str(holdout) if late else years, r, len(part)


def _bin_cells(p: pd.DataFrame) -> list[str]:
    """The top two bins of these P(win) forecasts (n: mean, wins [90% band]) and whether both
    are within their band."""
    tb = top_bins(p["p_win"].to_numpy(), p["won"].to_numpy())
    cells = [f"{b.n}: {b.mean_p:.2f}, {b.wins} won [{b.band_lo}, {b.band_hi}]" if b.n else "none"
             for b in tb.itertuples()]  # fmt: skip
    return [*cells, "yes" if tb["inside"].all() else "**no**"]


_BINS_HEAD = ["P(win) 0.8-0.9", "P(win) 0.9-1", "within band"]
_BINS_TEXT = (
    "P(win) in [0.8, 0.9) and [0.9, 1]: forecasts, their mean, the wins, and the "
    f"{LABEL} band of "
    "the wins if the forecasts were right (Binomial(n, mean)).\n\n"
)


def top_bins_table(bt) -> str:
    """The reliability plot's top two bins per set (and ``all``) and forecaster."""
    rows = []
    for (tset, model), g in bt.pooled().groupby(["set", "model"]):
        p = bt.probabilities
        rows.append([tset, model, *_bin_cells(p[p["model"].eq(model) & p["race_id"].isin(
            g["race_id"])])])  # fmt: skip
    return _BINS_TEXT + _table(rows, ["set", "forecaster", *_BINS_HEAD])


def _set_rows(bt, r, wide, full, models, reference, reps):
    """The cells of one set's rows: winner log loss (with the best peer and the paired
    interval), ECE of P(win), and the top two bins of the reference and the best peer."""
    mean = wide.mean()
    peers = [m for m in full if m != reference]
    best = min(peers, key=lambda m: mean[m]) if peers else None
    cells = [
        "" if m not in full else f"**{mean[m]:.3f}**" if mean[m] == mean.min()
        else f"{mean[m]:.3f}" for m in models
    ]  # fmt: skip
    diff = ""
    if best and reference in full:
        d, lo, hi = bootstrap_mean((wide[reference] - wide[best]).to_numpy(), reps=reps)
        diff = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]"
    p = bt.probabilities
    p = p[p["set"].eq(r["set"].iloc[0]) & p["race_id"].isin(wide.index)]
    eces, bins = [], []
    for m in models:
        pm = p[p["model"].eq(m)]
        eces.append(f"{expected_calibration_error(pm['p_win'], pm['won']):.3f}"
                    if m in full else "")  # fmt: skip
        if m in full and m in (reference, best):
            bins.append([m, *_bin_cells(pm)])
    return [*cells, best or "", diff], eces, bins


def sets_report(
    runs: list[Backtest],
    targets: pd.DataFrame,
    *,
    models: list[str],
    reference: str = "default",
    holdout: int = HOLDOUT,
    reps: int = 2000,
) -> str:
    """Winner log loss, ECE of P(win) and the reliability plot's top two bins per target set.

    ``runs``: backtests whose forecasts are matched to ``targets`` (a forecast counts for a
    target only if made from the target's origin); ``models``: the forecasters to show,
    ``reference`` first, the others its peers. In each set (and part) only the forecasters that
    forecast the most targets are shown, all on the same races; the paired interval is the
    reference minus the best of them, a bootstrap over races. Where the reference forecast
    part of a set only (at least half of it), a row first puts every forecaster on its races.
    """
    bt = _set_forecasts(runs, targets)
    loss_rows, ece_rows, bin_rows, left, short = [], [], [], [], []
    for label, part, r, n_targets in _groups(bt, targets, holdout):
        r = r[r["model"].isin(models)]
        if r["race_id"].nunique() < n_targets / 2:  # a set not run from its origins yet
            short.append(f"{label} {part} ({r['race_id'].nunique()} of {n_targets} targets)")
            continue
        count = r.groupby("model")["race_id"].nunique()
        shown = [[m for m in models if count.get(m, 0) == count.max()]]
        if reference not in shown[0] and count.get(reference, 0) >= n_targets / 2:
            # the reference ran on part of the set: every forecaster on its races first
            shown.insert(0, [m for m in models if count.get(m, 0) >= count[reference]])
        left += [f"{m} ({count[m]} of {label} {part})" for m in models
                 if 0 < count.get(m, 0) and not any(m in s for s in shown)]  # fmt: skip
        for full in shown:
            wide = (
                r[r["model"].isin(full)]
                .pivot_table(index="race_id", columns="model", values="log_loss")
                .dropna()
            )  # the races every forecaster shown forecast
            if part != str(holdout):  # the seasons of the races scored
                seen = r.loc[r["race_id"].isin(wide.index), "season"]
                part = f"{seen.min()}" + (f"-{seen.max()}" if seen.max() > seen.min() else "")
            rows = _set_rows(bt, r, wide, full, models, reference, reps)
            loss_rows.append([label, part, str(n_targets), str(len(wide)), *rows[0]])
            ece_rows.append([label, part, str(len(wide)), *rows[1]])
            bin_rows += [[label, part, *row] for row in rows[2]]
    head = ["set", "seasons", "targets", "races", *models, "best peer", f"{reference} minus best"]
    out = [
        "## Winner log loss per set\n\nMean per race (lower is better; the best in bold) on the "
        "races every forecaster shown forecast from the set's origin; the last column: paired "
        f"per-race difference, {reference} minus the best peer, with its {LABEL} bootstrap "
        "interval (negative: the reference is better).\n\n" + _table(loss_rows, head),
        "## ECE of P(win) per set\n\n" + _table(ece_rows, ["set", "seasons", "races", *models]),
        "## The reliability plot's top two bins\n\n"
        + _BINS_TEXT
        + _table(bin_rows, ["set", "seasons", "forecaster", *_BINS_HEAD]),
    ]
    if left:
        out.append("Left out where they forecast fewer races than the others: " + "; ".join(left))
    if short:
        out.append("Not shown, fewer than half their targets forecast from their origins in these "
                   "runs: " + "; ".join(short))  # fmt: skip
    return "\n\n".join(out) + "\n"
