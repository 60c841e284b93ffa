"""The fit cache: shared by processes, atomic writes, damaged entries refitted with a warning."""

from __future__ import annotations

import multiprocessing as mp
import warnings

import numpy as np
import pytest
import xarray as xr

import rivalrymodel as rm
from rivalrymodel.inference import SamplerSettings, cached_fit
from rivalrymodel.inference import cache as cache_mod
from rivalrymodel.inference.sampling import Sampler
from tests.helpers import MEANS, forecast_tree


@pytest.fixture
def tiny():
    from rivalrymodel.models.synthetic import simulate_dataset

    data, _ = simulate_dataset(n_athletes=12, seasons=(2018, 2019), races_per_season=15,
                               n_injured=2, random_seed=3)  # fmt: skip
    return data.as_of("2019-12-31")


FIFTY = SamplerSettings(draws=50)


def _fake_sampler(monkeypatch) -> list:
    """Make the cache's sampler return a hand-built posterior; the list counts the calls."""
    calls = []

    def fake_fit_at(self, draws):
        calls.append(1)
        return rm.Fit(forecast_tree(MEANS, draws=50))

    monkeypatch.setattr(Sampler, "fit_at", fake_fit_at)
    return calls


def _cached(*args, **kwargs) -> rm.Fit:
    """``cached_fit`` of a hand-built posterior, whose checks fail (one chain), as expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.ConvergenceWarning)
        return cached_fit(*args, **kwargs)


def test_a_damaged_entry_is_refitted_with_a_warning(tmp_path, monkeypatch, tiny):
    calls = _fake_sampler(monkeypatch)
    spec = rm.ModelSpec()
    first = _cached(spec, tiny, FIFTY, cache_dir=tmp_path, random_seed=1)
    entry = cache_mod.entry_path(spec, tiny, tmp_path, settings=FIFTY, random_seed=1)
    assert entry.exists() and len(calls) == 1
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind
    with pytest.warns(rm.ConvergenceWarning):  # a loaded entry repeats its warning
        again = cached_fit(spec, tiny, FIFTY, cache_dir=tmp_path, random_seed=1)
    assert len(calls) == 1
    xr.testing.assert_identical(again.posterior, first.posterior)
    entry.write_bytes(entry.read_bytes()[:2000])  # truncated, as by a crash of an old writer
    with pytest.warns(cache_mod.CacheWarning, match="cache entry refitted.*not a readable"):
        _cached(spec, tiny, FIFTY, cache_dir=tmp_path, random_seed=1)
    assert len(calls) == 2
    rm.load_fit(entry)  # repaired


def test_a_failing_attempt_is_followed_by_one_with_twice_the_draws(tmp_path, monkeypatch, tiny):
    """The default plan (2000, 4000, 8000 draws) stops at the first attempt that passes; each
    attempt is an entry, so a second call loads the one that passed without sampling."""
    calls = []

    def fake_fit_at(self, draws):
        calls.append(draws)
        tree = forecast_tree(MEANS, draws=50)
        tree.attrs["fake_draws"] = draws
        return rm.Fit(tree)

    monkeypatch.setattr(Sampler, "fit_at", fake_fit_at)
    # a fit passes its checks from 4000 draws per chain on (as read back from its entry)
    monkeypatch.setattr(cache_mod, "_passed", lambda f: int(f.tree.attrs["fake_draws"]) >= 4000)
    spec = rm.ModelSpec()
    kept = _cached(spec, tiny, cache_dir=tmp_path, random_seed=1)
    assert calls == [2000, 4000] and kept.tree.attrs["fake_draws"] == 4000
    again = _cached(spec, tiny, cache_dir=tmp_path, random_seed=1)
    assert calls == [2000, 4000] and again.tree.attrs["fake_draws"] == 4000
    for draws in (2000, 4000):
        assert cache_mod.entry_path(spec, tiny, tmp_path, draws=draws, random_seed=1).exists()
    # given draws are taken as given: one attempt, though it fails
    _cached(spec, tiny, SamplerSettings(draws=700), cache_dir=tmp_path, random_seed=1)
    assert calls == [2000, 4000, 700]
    # a plan that never passes keeps its last attempt
    plan = SamplerSettings(draws=100, max_draws=400)
    _cached(spec, tiny, plan, cache_dir=tmp_path, random_seed=2)
    assert calls[3:] == [100, 200, 400]


def _worker(args):
    cache_dir, seed = args
    from rivalrymodel.models.synthetic import simulate_dataset

    data, _ = simulate_dataset(n_athletes=12, seasons=(2018, 2019), races_per_season=15,
                               n_injured=2, random_seed=3)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cached_fit(rm.ModelSpec(), data.as_of("2019-12-31"),
                         SamplerSettings(draws=30, tune=30, chains=1), cache_dir=cache_dir,
                         random_seed=seed)  # fmt: skip
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


@pytest.mark.slow
def test_the_cache_compiles_once_for_all_the_attempts_it_samples(
    tmp_path, monkeypatch, tiny, nutpie_runs
):
    """A plan whose attempts fail samples each of them from one compiled model, the second
    extending the chains of the first; each is an entry, and each has the draws of a fresh
    fit of that many draws."""
    import nutpie

    compiled = []
    real = nutpie.compile_pymc_model

    def counted(model, **kwargs):
        compiled.append(1)
        return real(model, **kwargs)

    monkeypatch.setattr(nutpie, "compile_pymc_model", counted)
    plan = SamplerSettings(draws=10, max_draws=20, tune=20, chains=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.ConvergenceWarning)  # 10-20 draws cannot pass
        kept = cached_fit(rm.ModelSpec(), tiny, plan, cache_dir=tmp_path, random_seed=3)
        fresh = rm.fit(rm.ModelSpec(), tiny, SamplerSettings(draws=20, tune=20, chains=1),
                       random_seed=3)  # fmt: skip
    assert len(compiled) == 2  # the cache's one, and the fresh fit's
    assert nutpie_runs == [20, 20]  # the cache's one run for both attempts, and the fresh fit's
    entries = {draws: cache_mod.entry_path(rm.ModelSpec(), tiny, tmp_path, settings=plan,
                                           draws=draws, random_seed=3)
               for draws in (10, 20)}  # fmt: skip
    assert [a["draws"] for a in kept.attempts] == [20]  # an entry holds its own attempt
    np.testing.assert_array_equal(kept.draws("ability"), fresh.draws("ability"))
    first = rm.load_fit(entries[10])  # the first 10 draws of each chain of the run
    np.testing.assert_array_equal(first.posterior["ability"], fresh.posterior["ability"][:, :10])


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
        cached_fit(rm.ModelSpec(), tiny, FIFTY, cache_dir=tmp_path, random_seed=1)
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
    spec, kw = rm.ModelSpec(), {"settings": FIFTY, "cache_dir": tmp_path, "random_seed": 1}
    rich = _cached(spec, tiny, log_likelihood=True, **kw)
    lean = _cached(spec, tiny, **kw)
    assert len(calls) == 1
    xr.testing.assert_identical(lean.posterior, rich.posterior)
    assert not cache_mod.entry_path(spec, tiny, tmp_path, settings=FIFTY, random_seed=1).exists()
    # ... but not the other way round: a lean entry has no log-likelihood to give
    _cached(spec, tiny, **{**kw, "random_seed": 2})
    _cached(spec, tiny, log_likelihood=True, **{**kw, "random_seed": 2})
    assert len(calls) == 3
