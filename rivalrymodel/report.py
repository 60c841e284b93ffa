"""The yardstick's report: markdown tables of a backtest, every number with its 90% interval.

``yardstick_report(backtest, targets, reference=..., header=...)`` renders what
``benchmarks/backtest.md`` holds: target counts per set, each forecaster's scores per set (all
races and complete fields only), the paired per-race differences to a reference, and the
probability each forecaster gave the winner of every championship final.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["yardstick_report", "LABELS"]

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
    head = ["set", "forecaster", "metric", "races", f"minus {reference} [90%]", "verdict"]
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
    parts += [
        f"## Paired differences to {reference}\n\nPer race, the forecaster's score minus "
        f"{reference}'s; the 90% interval is a bootstrap over races. For the log loss lower is "
        "better, for pairwise accuracy higher.\n\n" + differences(bt, reference)
    ]
    parts += ["## Races the covariate terms touch\n\n" + touched(bt, targets, data, reference)]
    parts += ["## P(winner) in each championship final\n\n" + finals(bt, targets, data)]
    if bt.notes:
        parts += ["## Fits that failed a convergence check\n\n" + "\n".join(
            f"- {n}" for n in bt.notes
        )]  # fmt: skip
    return "\n\n".join(parts) + "\n"
