"""Fit without MCMC: hand-built posteriors test abilities, diagnostics, warnings and save/load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import rivalrymodel as rm
from rivalrymodel import ConvergenceWarning, Fit, ModelSpec

ATHLETES = np.array(["A", "B", "C"])
NAMES = np.array(["Runner A", "Runner B", "Runner C"])
# A raced 2022-2023, B 2023 only, C 2022 only.
CELL_ATHLETE = np.array(["A", "A", "B", "C"])
CELL_SEASON = np.array([2022, 2023, 2023, 2022])


def fake_tree(chains=4, draws=500, *, stuck=False, divergences=0, seed=0) -> xr.DataTree:
    rng = np.random.default_rng(seed)
    means = np.array([2.0, 2.5, 0.0, -1.0])
    ability = means + 0.1 * rng.standard_normal((chains, draws, 4))
    if stuck:  # one chain elsewhere: r_hat far above 1.01
        ability[0] += 1.0
    post = xr.Dataset(
        {
            "ability": (("chain", "draw", "cell"), ability),
            "distance": (
                ("chain", "draw", "athlete"),
                np.broadcast_to([0.5, -0.5, 0.0], (chains, draws, 3))
                + 0.01 * rng.standard_normal((chains, draws, 3)),
            ),
            "unpaced": (
                ("chain", "draw", "athlete"),
                np.broadcast_to([0.0, 1.0, 0.0], (chains, draws, 3))
                + 0.01 * rng.standard_normal((chains, draws, 3)),
            ),
            "step_sd": (("chain", "draw"), 0.3 + 0.01 * rng.standard_normal((chains, draws))),
        },
        coords={
            "chain": np.arange(chains),
            "draw": np.arange(draws),
            "cell": [f"{a}:{s}" for a, s in zip(CELL_ATHLETE, CELL_SEASON, strict=True)],
            "cell_athlete": ("cell", CELL_ATHLETE),
            "cell_season": ("cell", CELL_SEASON),
            "athlete": ATHLETES,
            "athlete_name": ("athlete", NAMES),
        },
    )
    div = np.zeros((chains, draws), dtype=bool)
    div.flat[:divergences] = True
    stats = xr.Dataset({"diverging": (("chain", "draw"), div)})
    ll = xr.Dataset(
        {
            "finish_order": (
                ("chain", "draw", "race"),
                -1.0 + 0.1 * rng.standard_normal((chains, draws, 5)),
            )
        }
    )
    obs = xr.Dataset({"finish_order": (("race", "slot"), np.ones((5, 3), dtype=np.int64))})
    tree = xr.DataTree.from_dict(
        {"posterior": post, "sample_stats": stats, "log_likelihood": ll, "observed_data": obs}
    )
    # One cell per season, with the unpaced skill: the first default, as the cells above are.
    spec = ModelSpec(periods_per_season=1, pacing=True)
    tree.attrs.update(spec=spec.to_json(), cutoff="2024-01-01")
    return tree


def test_abilities_are_tidy_sorted_and_use_the_season_of_the_date():
    fit = Fit(fake_tree())
    df = fit.abilities("2023-06-01")
    assert list(df.columns) == [
        "athlete_id", "name", "event", "season", "seasons_away", "mean", "q05", "q95",
    ]  # fmt: skip
    assert list(df["athlete_id"]) == ["A", "B", "C"]
    assert (df["season"] == 2023).all()
    a = df.set_index("athlete_id").loc["A"]
    assert a["mean"] == pytest.approx(2.5, abs=0.02)
    assert a["q05"] < a["mean"] < a["q95"]
    # In 2022 A is the 2022 cell, and B (first seen 2023) is carried back one random-walk step.
    d22 = fit.abilities("2022-06-01").set_index("athlete_id")
    assert d22.loc["A", "mean"] == pytest.approx(2.0, abs=0.02)
    assert d22.loc["B", "q95"] - d22.loc["B", "q05"] > 0.8  # widened by step_sd 0.3 x 2 x 1.645


def test_abilities_add_distance_and_unpaced_terms():
    fit = Fit(fake_tree())
    base = fit.abilities("2023-06-01").set_index("athlete_id")["mean"]
    far = fit.abilities("2023-06-01", event="5000m").set_index("athlete_id")["mean"]
    tactical = fit.abilities("2023-06-01", unpaced=True).set_index("athlete_id")["mean"]
    assert far["A"] - base["A"] == pytest.approx(0.5, abs=0.02)
    assert far["B"] - base["B"] == pytest.approx(-0.5, abs=0.02)
    assert tactical["B"] - base["B"] == pytest.approx(1.0, abs=0.02)


def test_abilities_default_to_the_cutoff_and_are_reproducible():
    fit = Fit(fake_tree())
    df = fit.abilities(max_gap=None)
    assert (df["season"] == 2024).all()
    pd.testing.assert_frame_equal(df, fit.abilities(max_gap=None))


def test_abilities_leave_out_athletes_long_gone_unless_asked():
    fit = Fit(fake_tree())
    # In 2024, C (last seen 2022) is two seasons away; A and B one.
    assert set(fit.abilities("2024-06-01")["athlete_id"]) == {"A", "B"}
    everyone = fit.abilities("2024-06-01", max_gap=None).set_index("athlete_id")
    assert everyone.loc["C", "seasons_away"] == 2


def test_diagnostics_pass_on_a_healthy_posterior():
    fit = Fit(fake_tree())
    d = fit.diagnostics()
    assert {"r_hat", "ess_bulk", "ess_tail", "divergences", "passed"} <= set(d.columns)
    assert d.loc["all", "passed"] and d.loc["all", "divergences"] == 0
    assert d.loc["all", "size"] == 4 + 3 + 3 + 1
    assert fit.check()


def test_diagnostics_fail_and_warn_with_numbers_on_a_stuck_chain():
    fit = Fit(fake_tree(stuck=True))
    d = fit.diagnostics()
    assert not d.loc["ability", "passed"] and not d.loc["all", "passed"]
    assert d.loc["distance", "passed"]
    with pytest.warns(ConvergenceWarning, match=r"max r_hat \d\.\d{3}.*failing: ability"):
        assert not fit.check()


def test_divergences_alone_fail_the_check():
    fit = Fit(fake_tree(divergences=3))
    d = fit.diagnostics()
    assert d.loc["all", "divergences"] == 3 and not d.loc["all", "passed"]
    with pytest.warns(ConvergenceWarning, match="3 divergences"):
        fit.check()


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_save_and_load_round_trip_exactly(tmp_path, suffix):
    fit = Fit(fake_tree())
    path = fit.save(tmp_path / f"fit{suffix}")
    back = rm.load_fit(path)
    assert back.spec == fit.spec and back.cutoff == fit.cutoff
    xr.testing.assert_identical(
        back.tree["posterior"].to_dataset(), fit.tree["posterior"].to_dataset()
    )
    pd.testing.assert_frame_equal(back.abilities(max_gap=None), fit.abilities(max_gap=None))


def test_load_fit_errors_name_the_path(tmp_path):
    with pytest.raises(rm.FitFileError, match="nothing.nc: no saved fit"):
        rm.load_fit(tmp_path / "nothing.nc")
    xr.DataTree(xr.Dataset({"x": ("a", [1.0])})).to_netcdf(tmp_path / "other.nc")
    with pytest.raises(rm.FitFileError, match="other.nc.*not a rivalrymodel fit"):
        rm.load_fit(tmp_path / "other.nc")


def test_damaged_or_truncated_fit_files_are_refused_in_one_line(tmp_path):
    path = Fit(fake_tree()).save(tmp_path / "fit.nc")
    raw = bytearray(path.read_bytes())
    truncated = tmp_path / "truncated.nc"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(rm.FitFileError, match=r"truncated.nc: not a readable fit file") as err:
        rm.load_fit(truncated)
    assert "\n" not in str(err.value)
    # A changed draw in a file that is otherwise valid HDF5: the checksum catches it.
    import h5py

    with h5py.File(path, "r+") as f:
        f["posterior/step_sd"][0, 0] = 99.0
    with pytest.raises(rm.FitFileError, match="fit.nc: checksum mismatch"):
        rm.load_fit(path)
    # Flipped bytes anywhere in the data: refused, never loaded silently.
    for at in range(len(raw) // 3, len(raw), len(raw) // 7):
        bad = bytearray(raw)
        bad[at] ^= 0xFF
        (tmp_path / "flipped.nc").write_bytes(bytes(bad))
        try:
            back = rm.load_fit(tmp_path / "flipped.nc")
        except rm.FitFileError:
            continue
        # A flip in unused bytes (padding, free space) changes nothing that is read.
        xr.testing.assert_identical(back.posterior, Fit(fake_tree()).posterior)


def test_fit_tree_is_a_copy():
    fit = Fit(fake_tree())
    tree = fit.tree
    tree["posterior"]["step_sd"].values[...] = 99.0
    assert float(fit.posterior["step_sd"].max()) < 1.0
