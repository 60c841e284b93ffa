"""The chains of a fit, read at the checkpoints of its plan (2000, 4000, 8000 draws per chain).

nutpie's first n draws of a run are the same whatever the run's length: its warm-up depends on
``tune``, not on the draws, and each chain has its own random stream from the seed (checked by
``tests/test_chains.py`` for the nutpie installed). So :class:`NutpieChains` samples one run of
the plan's largest draws in the background, pauses it once every chain has n draws, and hands
the first n of each on (a chain that ran ahead is cut at n: the machine's timing does not
matter): a checkpoint that fails its checks goes on from where the chains stopped, and the draws
of a checkpoint equal those of a run asked for exactly that many. PyMC's ``pm.sample`` cannot go
on with the same random stream, so :class:`PymcChains` samples each checkpoint afresh.
"""

from __future__ import annotations

import threading

import pymc as pm
import xarray as xr

__all__ = ["NutpieChains", "PymcChains", "chains_of"]


def chains_of(model, sampler: str, tune: int, chains: int, longest: int, seed, progress: bool):
    """The chains of ``model`` (compiled here) that give up to ``longest`` draws each."""
    if sampler == "nutpie":
        import nutpie

        compiled = nutpie.compile_pymc_model(model)
        return NutpieChains(compiled, tune, chains, longest, seed, progress)
    return PymcChains(model, tune, chains, seed, progress)


class NutpieChains:
    """One nutpie run in the background of a compiled model (``nutpie.compile_pymc_model``),
    read at growing checkpoints (:meth:`first`)."""

    def __init__(self, compiled, tune: int, chains: int, longest: int, seed, progress: bool):
        self._compiled = compiled
        self.tune, self.chains, self.longest = tune, chains, longest
        self.seed, self.progress = seed, progress
        self._run, self._total, self._done, self._paused = None, 0, None, False
        self._reached = threading.Condition()
        self._finished = 0  # draws (after the warm-up) every chain has made

    def _count(self, progress) -> None:
        """nutpie's progress callback (its own thread, every 100 ms): the draws every chain
        has made. nutpie holds its own lock while it runs, so the main thread never calls
        nutpie while holding ``_reached`` (a deadlock otherwise)."""
        with self._reached:
            self._finished = min(p.finished_draws for p in progress) - self.tune
            self._reached.notify_all()

    def _start(self, total: int) -> None:
        import nutpie

        self.close()
        self._total, self._done, self._finished, self._paused = total, None, 0, False
        self._run = nutpie.sample(
            self._compiled, draws=total, tune=self.tune, chains=self.chains, seed=self.seed,
            progress_bar=self.progress, save_warmup=False, blocking=False,
            progress_callback=self._count,
        )  # fmt: skip

    def first(self, draws: int) -> xr.DataTree:
        """The first ``draws`` of each chain of the run (started here unless one with as many
        draws is under way), as a run of exactly ``draws`` gives them."""
        if self._run is None or draws > self._total:
            self._start(max(draws, self.longest))
        try:
            tree = None
            if draws < self._total and self._done is None:
                tree = self._checkpoint(draws)
            return _head(self._all(draws) if tree is None else tree, draws)
        except KeyboardInterrupt:
            # nutpie's own blocking call would return the draws so far as if complete
            self.close()
            raise

    def _checkpoint(self, draws: int) -> xr.DataTree | None:
        """The run so far, paused once every chain has ``draws`` (None: it ended first)."""
        behind = False  # the store lagged the progress count: one more tick
        while True:
            self._resume()
            while True:
                # Held only here, never while nutpie is called: its callback thread takes it.
                with self._reached:
                    if behind or self._finished < draws:
                        self._reached.wait(0.5)  # timed: Ctrl-C still reaches this thread
                    reached, behind = self._finished >= draws, False
                if reached:
                    break
                if _ended(self._run):
                    return None
            self._run.pause()  # the chains wait while this checkpoint is judged
            self._paused = True
            tree = self._run.inspect()
            if _complete(tree, draws):
                return tree
            behind = True

    def _all(self, draws: int) -> xr.DataTree:
        """The whole run, once it has ended (a chain's error is raised by ``wait``)."""
        if self._done is None:
            self._resume()  # nutpie 0.16's wait() hangs on a paused run
            self._done = self._run.wait()
        if not _complete(self._done, draws):
            raise RuntimeError(f"nutpie stopped before {draws} draws per chain")
        return self._done

    def _resume(self) -> None:
        if self._paused:
            self._run.resume()
            self._paused = False

    def close(self) -> None:
        """Stop the run and let its draws go."""
        if self._run is not None:
            self._run.cancel()
        self._run, self._total = None, 0


def _ended(run) -> bool:
    """Whether a nutpie run has stopped (nutpie 0.16 raises TimeoutError while it runs)."""
    try:
        return bool(run.is_finished)
    except TimeoutError:
        return False


def _complete(tree: xr.DataTree, draws: int) -> bool:
    """Every chain of an inspected run holds ``draws`` (nutpie pads the shorter ones with NaN)."""
    stats = tree["sample_stats"]
    if stats.sizes.get("draw", 0) < draws:
        return False
    return not bool(stats["energy"].isel(draw=draws - 1).isnull().any())


def _head(tree: xr.DataTree, draws: int) -> xr.DataTree:
    """The first ``draws`` of each chain, in every group that has draws."""
    out = tree.copy()
    for name, group in tree.children.items():
        ds = group.to_dataset()
        if "draw" in ds.dims and ds.sizes["draw"] > draws:
            out[name] = xr.DataTree(ds.isel(draw=slice(0, draws)))
    return out


class PymcChains:
    """PyMC's NUTS: each checkpoint a fresh run of the same chains (same seed)."""

    def __init__(self, model, tune: int, chains: int, seed, progress: bool):
        self.model, self.tune, self.chains = model, tune, chains
        self.seed, self.progress = seed, progress

    def first(self, draws: int) -> xr.DataTree:
        """A run of ``draws`` per chain after the warm-up."""
        with self.model:
            return pm.sample(
                draws=draws, tune=self.tune, chains=self.chains, random_seed=self.seed,
                progressbar=self.progress, nuts_sampler="pymc", compute_convergence_checks=False,
            )  # fmt: skip

    def close(self) -> None:
        """Nothing runs between checkpoints."""
