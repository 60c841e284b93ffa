"""What the CLI checks before it does any work: options, paths, dates, and the data it loads.

Every expected user error is a :class:`UsageError` (or the data's own
:class:`~rivalrymodel.data.schema.DataValidationError`): one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from ..data.racedata import RaceData, load_dataset
from ..data.text import read_csv_strings
from ..errors import RivalryModelError
from ..forecasting.forecast import check_out_suffix
from ..inference import SamplerSettings, SettingsError

__all__ = [
    "UsageError", "check_options", "dask_executor", "load_data", "say", "start_list_names",
]  # fmt: skip


class UsageError(RivalryModelError):
    """A bad option value: printed as one line, exit status 2."""


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _date(args, name: str) -> pd.Timestamp | None:
    value = getattr(args, name, None)
    if value is None:
        return None
    try:
        return pd.Timestamp(value).normalize()
    except ValueError:
        raise UsageError(
            f"--{name.replace('_', '-')}: not a date (YYYY-MM-DD): {value!r}"
        ) from None


def _writable_file(path: str, what: str) -> None:
    p = Path(path)
    if p.is_dir() and p.suffix != ".zarr":
        raise UsageError(f"{what} {path}: is a directory; give a file name")
    if not p.parent.is_dir():
        raise UsageError(f"{what} {path}: no such directory {p.parent}")
    if not os.access(p.parent, os.W_OK):
        raise UsageError(f"{what} {path}: directory {p.parent} is not writable")


def _writable_dir(path: str, what: str) -> None:
    """A folder that exists and takes a file, or could be made: nothing is created here, so a
    run that fails later leaves no empty folder behind."""
    p = Path(path).absolute()
    there = next(q for q in (p, *p.parents) if q.exists())
    if not there.is_dir():
        raise UsageError(f"{what} {path}: cannot write there ({there} is a file)")
    try:
        with tempfile.NamedTemporaryFile(dir=there):
            pass
    except OSError as err:
        raise UsageError(f"{what} {path}: cannot write there ({err.strerror})") from None


# Options that make or shape a fit: a saved fit (--fit) has its own, so they cannot apply.
_FIT_MAKING = ("variant", "quick", "draws", "max_draws", "tune", "chains", "data", "add_results",
               "add_absences", "replace_results")  # fmt: skip


def _fit_options_with_saved_fit(args: argparse.Namespace) -> None:
    if not getattr(args, "fit", None):
        return
    given = [n for n in _FIT_MAKING if getattr(args, n, None) not in (None, False)]
    if given:
        opts = ", ".join(f"--{n.replace('_', '-')}" for n in given)
        raise UsageError(f"{opts}: cannot apply with --fit (a saved fit is made already); drop "
                         f"{'it' if len(given) == 1 else 'them'} or drop --fit")  # fmt: skip


def check_options(args: argparse.Namespace) -> None:
    """Refuse bad options before any sampling (the order a user would fix them in); then fill
    in the defaults (None until here, so that --fit can tell a given option): the sampler's
    options become ``args.settings`` (a :class:`~rivalrymodel.inference.SamplerSettings`)."""
    _fit_options_with_saved_fit(args)
    if hasattr(args, "draws"):  # a command that samples
        try:
            args.settings = SamplerSettings.from_options(
                args.draws, args.max_draws, args.tune, args.chains, quick=args.quick
            )
        except SettingsError as err:
            raise UsageError(f"--{err.field.replace('_', '-')} {err.problem}") from None
    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be >= 1, not {workers}")
    top_k = getattr(args, "top_k", None)
    if top_k is not None and top_k < 1:
        raise UsageError(f"--top-k must be >= 1, not {top_k}")
    day, as_of = _date(args, "date"), _date(args, "as_of")
    if getattr(args, "fit", None) and as_of is not None:
        raise UsageError("--as-of and --fit exclude each other: a saved fit has its own cutoff")
    if day is not None and as_of is not None and as_of > day:
        raise UsageError(
            f"--as-of {as_of:%Y-%m-%d} is after the race on {day:%Y-%m-%d}: the fit would see "
            "the race; give --as-of on or before --date"
        )
    out = getattr(args, "out", None)
    if out and args.command in ("fit", "forecast"):
        _writable_file(out, "--out")
    if out and args.command == "forecast":
        try:
            check_out_suffix(out)
        except RivalryModelError as err:
            raise UsageError(f"--out {err}") from None
    if out and args.command == "backtest":
        _writable_dir(out, "--out")
    start = getattr(args, "start_list", None)
    if start and not Path(start).is_file():
        kind = "is a directory" if Path(start).is_dir() else "no such file"
        raise UsageError(f"--start-list {start}: {kind}")
    for name in ("add_results", "add_absences"):
        value = getattr(args, name, None)
        if value and not Path(value).is_file():
            raise UsageError(f"--{name.replace('_', '-')} {value}: no such file")
    for name in ("add_absences", "replace_results"):
        if getattr(args, name, None) and not getattr(args, "add_results", None):
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"{flag} needs --add-results (a results sheet)")
    if hasattr(args, "variant") and args.variant is None:
        args.variant = "default"


def load_data(args: argparse.Namespace) -> RaceData:
    """The dataset of ``--data`` with the sheets of ``--add-results``/``--add-absences``."""
    data = load_dataset(args.data)
    sheet = getattr(args, "add_results", None)
    if sheet:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = data.with_results(
                sheet,
                getattr(args, "add_absences", None),
                replace=bool(getattr(args, "replace_results", False)),
            )
        say(f"{sheet}: {data.added}")
        for w in caught:
            say(f"warning: {w.message}")
    return data


def start_list_names(path: str) -> list[str]:
    """The ``athlete`` column of a start-list CSV (names or ids), checked cell by cell."""
    p = Path(path)
    df = read_csv_strings(p.read_bytes(), p.name)
    if "athlete" not in df.columns:
        raise UsageError(f"{p}: needs a column 'athlete' (names or ids); has {list(df)}")
    blank = df.index[df["athlete"].str.strip() == ""]
    if len(blank):
        i = int(blank[0])
        raise UsageError(f"{p}, row {i + 1} (line {i + 2}), column 'athlete': empty")
    return list(df["athlete"].str.strip())


def dask_executor(address: str):
    """The executor of the Dask scheduler at ``address``; one line when it cannot be reached."""
    from distributed import Client

    if "://" not in address or not address.rsplit(":", 1)[-1].isdigit():
        raise UsageError(f"--scheduler {address!r}: not an address (tcp://host:port)")
    try:
        client = Client(address, timeout=5)
    except (OSError, TimeoutError) as err:
        raise UsageError(f"--scheduler {address}: no scheduler answers there ({err})") from None
    return client.get_executor()
