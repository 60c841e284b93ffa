"""The fit cache: shared by processes, atomic writes, damaged entries refitted with a warning."""

from __future__ import annotations

import multiprocessing as mp
import warnings

import numpy as np
import pytest
import xarray as xr

import rivalrymodel as rm
from rivalrymodel.inference import cache as cache_mod
from rivalrymodel.inference import cached_fit
from tests.helpers import MEANS, forecast_tree


@pytest.fixture
def tiny():
    from rivalrymodel.models.synthetic import simulate_dataset

    data, _ = simulate_dataset(n_athletes=12, seasons=(2018, 2019), races_per_season=15,
                               n_injured=2, random_seed=3)  # fmt: skip
    return data.as_of("2019-12-31")


def _fake_sampler(monkeypatch) -> list:
    """Make the cache's ``fit`` return a hand-built posterior; the list counts the calls."""
    calls = []

    def fake_fit(spec, data, **kwargs):
        calls.append(1)
        return rm.Fit(forecast_tree(MEANS, draws=50))

    monkeypatch.setattr(cache_mod, "fit", fake_fit)
    return calls


def test_a_damaged_entry_is_refitted_with_a_warning(tmp_path, monkeypatch, tiny):
    calls = _fake_sampler(monkeypatch)
    spec = rm.ModelSpec()
    first = cached_fit(spec, tiny, cache_dir=tmp_path, random_seed=1, draws=50)
    entry = cache_mod.entry_path(spec, tiny, tmp_path, random_seed=1, draws=50)
    assert entry.exists() and len(calls) == 1
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.ConvergenceWarning)
        again = cached_fit(spec, tiny, cache_dir=tmp_path, random_seed=1, draws=50)
    assert len(calls) == 1
    xr.testing.assert_identical(again.posterior, first.posterior)
    entry.write_bytes(entry.read_bytes()[:2000])  # truncated, as by a crash of an old writer
    with pytest.warns(cache_mod.CacheWarning, match="cache entry refitted.*not a readable"):
        cached_fit(spec, tiny, cache_dir=tmp_path, random_seed=1, draws=50)
    assert len(calls) == 2
    rm.load_fit(entry)  # repaired


def test_a_failing_attempt_is_followed_by_one_with_twice_the_draws(tmp_path, monkeypatch, tiny):
    """The default plan (2000, 4000, 8000 draws) stops at the first attempt that passes; each
    attempt is an entry, so a second call loads the one that passed without sampling."""
    calls = []

    def fake_fit(spec, data, *, draws, **kwargs):
        calls.append(draws)
        tree = forecast_tree(MEANS, draws=50)
        tree.attrs["fake_draws"] = draws
        return rm.Fit(tree)

    monkeypatch.setattr(cache_mod, "fit", fake_fit)
    # a fit passes its checks from 4000 draws per chain on (as read back from its entry)
    monkeypatch.setattr(cache_mod, "_passed", lambda f: int(f.tree.attrs["fake_draws"]) >= 4000)
    spec = rm.ModelSpec()
    kept = cached_fit(spec, tiny, cache_dir=tmp_path, random_seed=1)
    assert calls == [2000, 4000] and kept.tree.attrs["fake_draws"] == 4000
    again = cached_fit(spec, tiny, cache_dir=tmp_path, random_seed=1)
    assert calls == [2000, 4000] and again.tree.attrs["fake_draws"] == 4000
    for draws in (2000, 4000):
        assert cache_mod.entry_path(spec, tiny, tmp_path, random_seed=1, draws=draws).exists()
    # given draws are taken as given: one attempt, though it fails
    cached_fit(spec, tiny, cache_dir=tmp_path, random_seed=1, draws=700)
    assert calls == [2000, 4000, 700]
    # a plan that never passes keeps its last attempt
    cached_fit(spec, tiny, cache_dir=tmp_path, random_seed=2, draws=100, max_draws=400)
    assert calls[3:] == [100, 200, 400]


def _worker(args):
    cache_dir, seed = args
    from rivalrymodel.models.synthetic import simulate_dataset

    data, _ = simulate_dataset(n_athletes=12, seasons=(2018, 2019), races_per_season=15,
                               n_injured=2, random_seed=3)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cached_fit(rm.ModelSpec(), data.as_of("2019-12-31"), cache_dir=cache_dir,
                         random_seed=seed, draws=30, tune=30, chains=1)  # fmt: skip
    return fit.draws("ability")


@pytest.mark.slow
def test_two_processes_share_one_cache_entry(tmp_path):
    """Two processes ask for one entry at once: both finish with the same draws, which equal a
    fresh fit's (a third process, with a cache of its own), and the entry loads equal."""
    shared, alone = tmp_path / "shared", tmp_path / "alone"
    with mp.get_context("spawn").Pool(3) as pool:
        a, b, fresh = pool.map(_worker, [(str(shared), 4), (str(shared), 4), (str(alone), 4)])
    entries = list(shared.glob("*.nc"))
    assert len(entries) == 1 and not list(shared.glob(".*.tmp"))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, fresh)
    np.testing.assert_array_equal(rm.load_fit(entries[0]).draws("ability"), fresh)


def test_draw_plan_doubles_from_the_default_and_takes_given_draws_as_given():
    from rivalrymodel.inference import DEFAULTS, draw_plan

    assert draw_plan() == [DEFAULTS["draws"], 2 * DEFAULTS["draws"], DEFAULTS["max_draws"]]
    assert draw_plan(500) == [500]
    assert draw_plan(100, 450) == [100, 200, 400]
    with pytest.raises(ValueError, match="max_draws .300. must be >= draws .500."):
        draw_plan(500, 300)
    with pytest.raises(ValueError, match="draws must be >= 1"):
        draw_plan(0)


def test_ctrl_c_while_sampling_stops_the_fit_and_saves_nothing(tmp_path, monkeypatch, tiny):
    """nutpie's own blocking call turns Ctrl-C into the draws so far; the fit must not take
    those as a finished run (nor cache them): it cancels the sampler and re-raises."""
    import nutpie

    class Interrupted:
        cancelled = False

        def wait(self):
            raise KeyboardInterrupt

        def cancel(self):
            Interrupted.cancelled = True

    monkeypatch.setattr(nutpie, "compile_pymc_model", lambda model: None)
    monkeypatch.setattr(nutpie, "sample", lambda compiled, **kw: Interrupted())
    with pytest.raises(KeyboardInterrupt):
        cached_fit(rm.ModelSpec(), tiny, cache_dir=tmp_path, random_seed=1, draws=50)
    assert Interrupted.cancelled
    assert not list(tmp_path.glob("*.nc"))


def test_a_ctrl_c_swallowed_by_a_callback_while_compiling_is_raised_after_it():
    """numba's compile calls Python back from C; ctypes prints a KeyboardInterrupt raised
    there and carries on. The fit's guard re-raises it once the block is done."""
    import os
    import signal

    from rivalrymodel.inference.sampling import _ctrl_c_kept

    # as in a terminal (a job started in the background may run with SIGINT ignored)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    went_on = []
    try:
        with pytest.raises(KeyboardInterrupt):
            with _ctrl_c_kept():
                try:  # stands in for the C callback that swallows the exception
                    os.kill(os.getpid(), signal.SIGINT)
                    for _ in range(1000):  # the handler runs between bytecodes
                        pass
                except KeyboardInterrupt:
                    pass
                went_on.append(1)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    finally:
        signal.signal(signal.SIGINT, previous)
    assert went_on == [1]


def test_an_entry_with_its_log_likelihood_serves_a_lean_request(tmp_path, monkeypatch, tiny):
    calls = _fake_sampler(monkeypatch)
    spec, kw = rm.ModelSpec(), {"cache_dir": tmp_path, "random_seed": 1, "draws": 50}
    rich = cached_fit(spec, tiny, log_likelihood=True, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.ConvergenceWarning)
        lean = cached_fit(spec, tiny, **kw)
    assert len(calls) == 1
    xr.testing.assert_identical(lean.posterior, rich.posterior)
    assert not cache_mod.entry_path(spec, tiny, tmp_path, random_seed=1, draws=50).exists()
    # ... but not the other way round: a lean entry has no log-likelihood to give
    cached_fit(spec, tiny, **{**kw, "random_seed": 2})
    cached_fit(spec, tiny, log_likelihood=True, **{**kw, "random_seed": 2})
    assert len(calls) == 3
