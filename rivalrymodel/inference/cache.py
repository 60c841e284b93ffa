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
from .posterior import ConvergenceWarning, Fit
from .sampling import DEFAULTS, draw_plan, fit
from .storage import FitFileError, load_fit

__all__ = ["cached_fit", "default_cache_dir", "CacheWarning"]


class CacheWarning(UserWarning):
    """A cache entry was damaged and has been refitted, or the cache could not be used (a
    read-only folder, a file in its place, a full disk) and the fit was made without it."""


def default_cache_dir() -> Path:
    """``RIVALRYMODEL_CACHE``, else ~/.cache/rivalrymodel."""
    override = os.environ.get("RIVALRYMODEL_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "rivalrymodel"


def entry_path(spec: ModelSpec, data: RaceData, cache_dir=None, **kwargs) -> Path:
    """Where the cached fit of these arguments (one attempt: ``draws`` as given) lives."""
    for name in ("tune", "chains"):  # one key for the defaults, given or not
        kwargs.setdefault(name, DEFAULTS[name])
    # Not data.cutoff: as_of dates that see the same tables make the same fit (whose cutoff,
    # data.earliest_as_of, is a function of the tables).
    key = json.dumps(
        {"spec": spec.to_json(), "data": data.fingerprint(), "version": __version__,
         **{k: kwargs[k] for k in sorted(kwargs) if k != "progress"}},
        sort_keys=True,
    )  # fmt: skip
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(cache_dir or default_cache_dir()) / f"{spec.name}-{digest}.nc"


def cached_fit(
    spec: ModelSpec,
    data: RaceData,
    *,
    cache_dir: str | Path | None = None,
    log_likelihood: bool = False,
    **kwargs,
) -> Fit:
    """:func:`~.sampling.fit`, kept on disk; ``kwargs`` go to it.

    ``random_seed`` must be given, as an unseeded fit is not reproducible. A cached fit that
    failed its convergence checks repeats its ConvergenceWarning when loaded.
    ``log_likelihood=True`` keeps the pointwise log-likelihood in the entry (for ``loo()``);
    such entries are separate from the lean ones, and a lean request is served by one when it
    exists (the same fit, with more kept). Each attempt of the ``draws`` /
    ``max_draws`` plan of :func:`~.sampling.fit` is an entry of its own, keyed by its draws:
    the next is made only when the one before fails its checks.
    """
    if kwargs.get("random_seed") is None:
        raise InputError("cached_fit needs a random_seed: an unseeded fit cannot be reused")
    folder = Path(cache_dir or default_cache_dir())
    problem = _unusable(folder)
    if problem:
        warnings.warn(f"fit cache {folder} {problem}: fitting without it", CacheWarning,
                      stacklevel=2)  # fmt: skip
        return fit(spec, data, **kwargs)
    plan = draw_plan(kwargs.pop("draws", None), kwargs.pop("max_draws", None))
    for draws in plan[:-1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the next attempt follows
            result = _entry(spec, data, cache_dir, log_likelihood, draws=draws, **kwargs)
        if _passed(result):
            return result
    return _entry(spec, data, cache_dir, log_likelihood, draws=plan[-1], **kwargs)


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


def _entry(spec, data, cache_dir, log_likelihood: bool, **kwargs) -> Fit:
    """The fit of exactly these settings: loaded from its entry, or sampled and saved."""
    key = {"log_likelihood": True} if log_likelihood else {}
    path = entry_path(spec, data, cache_dir, **kwargs, **key)
    if not log_likelihood:
        # The same fit kept with its log-likelihood serves a lean request too. Entries are
        # renamed into place whole, so an existing one is complete; a damaged one is passed by.
        rich = entry_path(spec, data, cache_dir, **kwargs, log_likelihood=True)
        if rich.exists() and not path.exists():
            try:
                result = load_fit(rich)
            except FitFileError:
                pass
            else:
                result.check()
                return result
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also on a crash
        if path.exists():
            try:
                result = load_fit(path)
            except FitFileError as err:
                warnings.warn(f"cache entry refitted: {err}", CacheWarning, stacklevel=3)
            else:
                result.check()
                return result
        result = fit(spec, data, **kwargs)
        try:
            result.save(path, log_likelihood=log_likelihood)
        except FitFileError as err:  # a full disk: the fit is good, only its entry is lost
            warnings.warn(f"fit not cached: {err}", CacheWarning, stacklevel=3)
    return result
