"""A disk cache of fits that several processes can share.

Entries are keyed by (spec, data fingerprint, sampler settings, version): by the data a fit sees
(races, results, absences), not by the date they were cut at, so every forecast date after the
data end (with no absence announced in between) shares one fit. A writer holds
an exclusive lock on the entry while it samples and saves (a second process asking for the same
entry waits, then loads it); the file is written under a unique temporary name and renamed into
place; a reader verifies the entry's checksum, and an entry that fails is refitted with a
warning. A fit is reproducible, so the cache changes nothing but the time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import warnings
from pathlib import Path

from .._version import __version__
from ..data.racedata import RaceData
from ..errors import InputError
from ..spec import ModelSpec
from .posterior import Fit, load_fit
from .sampling import Sampler, fit, until_converged
from .settings import DEFAULT, SamplerSettings
from .storage import FitFileError

__all__ = ["cached_fit", "default_cache_dir", "CacheWarning"]


class CacheWarning(UserWarning):
    """A cache entry was damaged and has been refitted, or the cache could not be used (a
    read-only folder, a file in its place, a full disk) and the fit was made without it."""


def default_cache_dir() -> Path:
    """``RIVALRYMODEL_CACHE``, else ~/.cache/rivalrymodel."""
    override = os.environ.get("RIVALRYMODEL_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "rivalrymodel"


def entry_path(
    spec: ModelSpec,
    data: RaceData,
    cache_dir=None,
    *,
    settings: SamplerSettings = DEFAULT,
    draws: int | None = None,
    random_seed: int,
    log_likelihood: bool = False,
) -> Path:
    """Where the cached fit of one attempt lives: ``draws`` per chain (default: the plan's
    first) with ``settings`` on ``data``, the data the fit sees (``settings.data`` applied).
    The key holds the attempt's draws, tune and chains (:meth:`SamplerSettings.key`), not the
    plan: an attempt is the same fit whatever plan asked for it."""
    # Not data.cutoff: as_of dates that see the same tables make the same fit (whose cutoff,
    # data.earliest_as_of, is a function of the tables).
    attempt = settings.key(settings.draws if draws is None else draws)
    key = {"spec": spec.to_json(), "data": data.fingerprint(), "version": __version__,
           **attempt, "random_seed": random_seed}  # fmt: skip
    if log_likelihood:
        key["log_likelihood"] = True
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return Path(cache_dir or default_cache_dir()) / f"{spec.name}-{digest}.nc"


def cached_fit(
    spec: ModelSpec,
    data: RaceData,
    settings: SamplerSettings = DEFAULT,
    *,
    random_seed: int,
    cache_dir: str | Path | None = None,
    log_likelihood: bool = False,
    progress: bool | None = None,
) -> Fit:
    """:func:`~.sampling.fit`, kept on disk.

    ``random_seed`` must be given, as an unseeded fit is not reproducible. A cached fit that
    failed its convergence checks repeats its ConvergenceWarning when loaded.
    ``log_likelihood=True`` keeps the pointwise log-likelihood in the entry (for ``loo()``);
    such entries are separate from the lean ones, and a lean request is served by one when it
    exists (the same fit, with more kept). Each attempt of the settings' plan (the doubling
    loop of :func:`~.sampling.fit`, :func:`~.sampling.until_converged`) is an entry of its
    own, keyed by its draws: the next is loaded or sampled only when the one before fails its
    checks, and the model is compiled once, when the first attempt not in the cache is sampled.
    An entry holds the draws of a run of its length, however they were sampled: with nutpie an
    attempt sampled after one that failed extends its chains (:mod:`~.chains`) and draws the
    same, so a cache hit returns the fit a cold run would.
    """
    if random_seed is None:
        raise InputError("cached_fit needs a random_seed: an unseeded fit cannot be reused")
    folder = Path(cache_dir or default_cache_dir())
    problem = _unusable(folder)
    if problem:
        warnings.warn(f"fit cache {folder} {problem}: fitting without it", CacheWarning,
                      stacklevel=2)  # fmt: skip
        return fit(spec, data, settings, random_seed=random_seed, progress=progress)
    seen = settings.data(data)
    sampler = Sampler(spec, seen, settings, random_seed, progress)

    def attempt(draws: int):
        result = _entry(sampler, folder, log_likelihood, draws)
        return result, _passed(result)

    with sampler:  # the chains stop once an attempt is kept
        result = until_converged(settings.plan, attempt)
    result.check()  # once, for the attempt kept (an entry loaded repeats its warning)
    return result


def _unusable(folder: Path) -> str | None:
    """Why the cache folder cannot take an entry (a file in its place, read-only), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as err:
        return f"is unusable ({err.strerror or err})"
    return None


def _passed(result: Fit) -> bool:
    return bool(result.diagnostics().loc["all", "passed"])


def _entry(sampler: Sampler, folder: Path, log_likelihood: bool, draws: int) -> Fit:
    """The fit of one attempt: loaded from its entry, or sampled and saved."""
    key = {"settings": sampler.settings, "draws": draws, "random_seed": sampler.random_seed}
    path = entry_path(sampler.spec, sampler.data, folder, log_likelihood=log_likelihood, **key)
    if not log_likelihood:
        # The same fit kept with its log-likelihood serves a lean request too. Entries are
        # renamed into place whole, so an existing one is complete; a damaged one is passed by.
        rich = entry_path(sampler.spec, sampler.data, folder, log_likelihood=True, **key)
        if rich.exists() and not path.exists():
            try:
                return load_fit(rich)
            except FitFileError:
                pass
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also on a crash
        if path.exists():
            try:
                return load_fit(path)
            except FitFileError as err:
                warnings.warn(f"cache entry refitted: {err}", CacheWarning, stacklevel=5)
        result = sampler.fit_at(draws)
        try:
            result.save(path, log_likelihood=log_likelihood)
        except FitFileError as err:  # a full disk: the fit is good, only its entry is lost
            warnings.warn(f"fit not cached: {err}", CacheWarning, stacklevel=5)
    return result
