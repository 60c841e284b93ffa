# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Which pieces earn their place? Comparing the model variants
#
# The default model (`rm.ModelSpec()`, variant `default`) lets ability walk over quarters of a
# season, with a distance profile, the injury term and race-type noise (docs/model.md). Each
# other variant changes one piece of it: `seasonal` (one ability per season), `pacing` (adds a
# skill in unpaced championship races), `no_injury` (no effect of racing soon after an
# absence), `layoff` (the injury effect per absence, so a layoff widens a forecast),
# `temperature`, `static`, `single_distance`, `margins`, `times`; `full` is the first default
# (one ability per season, with the pacing skill). We compare them three ways:
#
# 1. **the yardstick** (`benchmarks/yardstick/`): every forecaster, variants and rating-system
#    peers alike, refitted at each target's origin on only what was known then, on 393 races
#    2021-2025; paired differences to `default` with 90% intervals, on every set and on the
#    races each term touches;
# 2. **PSIS-LOO** on the data before the Tokyo 2025 World Championships (`arviz.compare`);
# 3. **Kerr vs Ingebrigtsen** under each variant, and the learned size of each term.
#
# Set `RIVALRYMODEL_QUICK=1` for a smoke run (three variants, short fits on 18 months of data):
# the test suite runs it that way; its LOO numbers are illustrative only. The yardstick section
# reads the committed results in both modes (producing them takes hours:
# `benchmarks/yardstick.py`). The full run fits each variant once at default settings (cached
# in `~/.cache/rivalrymodel`, shared with the Tokyo example).

# %%
import os
import warnings
from pathlib import Path

import arviz as az
import matplotlib
import pandas as pd

import rivalrymodel as rm
from rivalrymodel.evaluation import Backtest, term_subsets, yardstick_targets
from rivalrymodel.inference import DEFAULT, QUICK, ConvergenceWarning, cached_fit
from rivalrymodel.plotting import plot_calibration

matplotlib.use("Agg")
quick = os.environ.get("RIVALRYMODEL_QUICK") == "1"
everything = ["default", "full", "seasonal", "pacing", "no_injury", "layoff"]
names = ["default", "seasonal", "no_injury"] if quick else everything
settings = QUICK if quick else DEFAULT  # QUICK: 18 months of data, short fits
data = rm.load_dataset()
here = Path.cwd()
root = here if (here / "benchmarks").is_dir() else here.parent
print(data)

# %% [markdown]
# ## 1. The yardstick
#
# Winner log loss (lower is better) and pairwise accuracy (higher is better) per forecaster and
# target set, then each forecaster minus `default`, race by race, with 90% bootstrap intervals.
# The model variants were refitted with reduced settings (2 chains x 500 draws) at each of the
# 64 origins; some variants were run only on the origins of the races their piece touches.

# %%
bt = Backtest.load(root / "benchmarks" / "yardstick")
targets = yardstick_targets(data)
summary = bt.summary(reps=1000)
cols = ["model", "set", "races", "log_loss", "log_loss_lo", "log_loss_hi", "pair_accuracy",
        "ece_win"]  # fmt: skip
summary[summary["set"].eq("all")][cols].sort_values("log_loss").round(3)

# %%
diff = bt.differences("default", reps=1000)
diff.pivot_table(index="model", columns="set", values="mean").round(3)

# %% [markdown]
# The same differences on the races a term acts on: `after_absence` (a runner is back from an
# absence announced by the origin) for the injury term, `unpaced` for the pacing skill.

# %%
touched = bt.by_subset(term_subsets(data, targets))
d = touched.differences("default", reps=1000)
d[d["model"].isin(["no_injury", "pacing", "seasonal", "full"])].round(3)

# %%
ax = plot_calibration(bt, ["default", "ttt", "elo"])

# %% [markdown]
# ## 2. LOO on the data before Tokyo 2025
#
# The pointwise log-likelihood is per race (a whole finishing order), so LOO asks how well a
# variant predicts a race from all the others. Higher `elpd` is better; a difference smaller
# than about two of its standard errors (`dse`) does not separate two variants.

# %%
before_tokyo = data.as_of("2025-09-13")
fits = {}
for name in names:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        # Seed 2025 and default settings, as the Tokyo example: it reuses these fits.
        fits[name] = cached_fit(
            rm.variants()[name], before_tokyo, settings, random_seed=2025, log_likelihood=True
        )
    for w in caught:
        print(f"{name}: {w.message}")
    d = fits[name].diagnostics().loc["all"]
    print(f"{name}: max r_hat {d['r_hat']:.3f}, min ESS {d['ess_bulk']:.0f}, "
          f"{d['divergences']} divergences")  # fmt: skip

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Pareto k warnings are in the table's "warning" column
    loo_table = az.compare({n: f.tree for n, f in fits.items()}, var_name="finish_order")
loo_table

# %% [markdown]
# ## 3. Kerr vs Ingebrigtsen, and the learned terms
#
# P(Kerr finishes ahead of Ingebrigtsen) in the Tokyo 2025 1500m final (unpaced) and in a paced
# race on the same day: only a variant with the pacing skill lets the two differ.

# %%
rows = []
for name, fit in fits.items():
    for paced in (False, True):
        h = rm.head_to_head(
            fit, "Josh Kerr", "Jakob Ingebrigtsen", date="2025-09-17", paced=paced, random_seed=2025
        )
        rows.append(h.assign(variant=name))
h2h = pd.concat(rows)[["variant", "paced", "p_a_ahead", "p_a_ahead_lo", "p_a_ahead_hi"]]
h2h.round(3)

# %% [markdown]
# The size of each term where a variant has it: the walk's step (per season), the injury
# effect's mean and spread, and the noise of each race type (log scale; 0 is a paced final).

# %%
terms = ["step_sd", "injury_mean", "injury_length", "injury_sd", "unpaced_sd", "noise"]
rows = []
for name, fit in fits.items():
    post = fit.posterior
    for t in terms:
        if t not in post:
            continue
        x = post[t]
        extra = [dim for dim in x.dims if dim not in ("chain", "draw")]  # one at most
        for label, v in x.to_series().groupby(extra[0]) if extra else [(t, x.to_series())]:
            lo, hi = v.quantile([0.05, 0.95])
            rows.append({"variant": name, "term": f"{t}[{label}]" if extra else t,
                         "mean": v.mean(), "q05": lo, "q95": hi})  # fmt: skip
pd.DataFrame(rows).pivot_table(index="term", columns="variant", values="mean").round(3)

# %% [markdown]
# ## Reading the results
#
# A piece earns its place when the yardstick's paired interval for the variant without it
# lies on the worse side of zero on the races it acts on; LOO is a second, in-sample view. The
# cell below applies the LOO half of that rule to the run at hand.

# %%
verdict = loo_table[["elpd", "elpd_diff", "dse"]].copy()
verdict["worse_than_best_by_2_se"] = -verdict["elpd_diff"] > 2 * verdict["dse"]
verdict

# %% [markdown]
# **What the full run says** (2026-12-05; the yardstick's numbers are also in
# `benchmarks/backtest.md` and `benchmarks/yardstick_default.md`):
#
# - **The quarterly walk earns its place.** On the yardstick `full` (one ability per season,
#   with the pacing skill) is worse than `default` by +0.013 [+0.003, +0.024] nats per race in
#   winner log loss over 393 races; LOO puts `full` and `seasonal` 120-150 elpd below the
#   quarterly variants (standard errors 12-13). The walk's learned step is about 0.9 per
#   season with quarters (0.77 with seasons).
# - **The pacing skill does not.** `pacing` minus `default` on the 91 unpaced races: -0.001
#   [-0.024, +0.022]; overall -0.000 [-0.006, +0.006]. LOO: +10 elpd (standard error 8.1, not
#   separable). It changes the head to head (P(Kerr ahead) 36% unpaced against 22% paced with
#   it, 28% and 26% without), but not the forecasts' quality, so it left the default.
# - **The injury term earns its place.** `no_injury` minus `default` on the 96 races after an
#   announced absence: +0.017 [+0.001, +0.033] (`benchmarks/yardstick_no_injury_default.md`);
#   LOO puts `no_injury` 20 elpd below `default` (standard error 8.5). The learned effect: mean
#   -0.54 utility units at the return, spread 0.37 across athletes.
# - **Layoffs as uncertainty** (`layoff`): the same LOO as `default` and no difference on the
#   yardstick (measured on `full`); its per-absence spread is larger (0.62) but forecasts do
#   not change enough to score differently.
# - LOO is rough here: 270 to 340 of some 2,600 races have Pareto k above 0.7, depending on
#   the variant.
