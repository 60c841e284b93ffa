"""Small, verified fit files: compact draws, a checksum, and writes that never leave half a file.

A full fit holds about 8,000 named parameters x 4,000 draws. Kept as float64 with the raw
non-centred variables and the pointwise log-likelihood that is 600-900 MB. Here:

- :func:`compact` (applied when a fit is made, so a fit in memory and its saved file hold the
  same numbers) stores every draw as float32, and the large per-athlete and per-cell arrays on a
  grid of 2**-9 (0.002 utility units, under 1% of the smallest posterior sd of the bundled fits;
  the error it adds to a win probability is below 0.1 percentage point);
- :func:`save` writes those arrays as 16-bit integers with that scale, zlib-compressed, and by
  default leaves out the pointwise log-likelihood and the raw ``*_z`` variables (``loo()`` needs
  them: ``log_likelihood=True`` keeps both); a checksum of every array goes into the file;
- :func:`load` refuses, with one line, a file of an incompatible version and a damaged,
  truncated or edited one: the checksum covers the arrays, the coordinates (athlete ids) and
  every attribute (spec, cutoff, absences, version...).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import xarray as xr

from .._version import __version__
from ..errors import InputError

__all__ = ["compact", "save", "load", "FitFileError", "GRID"]

GRID = 2.0**-9  # utility units of a stored draw of the large arrays
_LARGE = 64  # values per draw above which a variable is stored on the grid
_INT16 = 32767


class FitFileError(InputError):
    """A fit file that is missing, damaged, truncated or not a rivalrymodel fit."""


def _on_grid(da: xr.DataArray) -> bool:
    per_draw = da.size // max(da.sizes.get("chain", 1) * da.sizes.get("draw", 1), 1)
    return da.dtype.kind == "f" and per_draw > _LARGE and float(np.abs(da).max()) < _INT16 * GRID


def compact(posterior: xr.Dataset) -> xr.Dataset:
    """float32 draws; large arrays rounded to the storage grid (marked ``on_grid``)."""
    out = {}
    for name, da in posterior.data_vars.items():
        if da.dtype.kind != "f":
            out[name] = da
        elif _on_grid(da):
            # + 0.0 turns -0.0 into 0.0, as a stored integer 0 reads back
            q = (np.round(da.to_numpy() / GRID) * GRID + 0.0).astype(np.float32)
            out[name] = da.copy(data=q).assign_attrs(on_grid=1)
        else:
            out[name] = da.astype(np.float32)
    return xr.Dataset(out, coords=posterior.coords, attrs=posterior.attrs)


def _canonical(value):
    """An attribute as the same plain JSON value whether it is in memory or read back (netCDF
    and zarr give numpy scalars and arrays for ints and lists)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _checksum(tree: xr.DataTree) -> str:
    """A hash of everything a forecast reads: every attribute of the file (spec, cutoff,
    absences, athletes, version...: all but the checksum itself), and per group every
    coordinate (athlete ids and names...) and every array."""
    h = hashlib.sha256()
    attrs = {str(k): _canonical(v) for k, v in tree.attrs.items() if k != "checksum"}
    h.update(json.dumps(attrs, sort_keys=True, default=str).encode())
    for group in ("posterior", "sample_stats", "observed_data"):
        if group not in tree.children:
            continue
        ds = tree[group].to_dataset()
        for name in sorted(map(str, ds.coords)):
            arr = ds[name].to_numpy()
            if arr.dtype.kind in "OUS":  # text: its values, whatever the string dtype
                text = json.dumps([str(x) for x in arr.ravel()])
                h.update(f"{group}/coord/{name}:{arr.shape}:{text}".encode())
            else:
                h.update(f"{group}/coord/{name}:{arr.dtype}:{arr.shape}".encode())
                h.update(np.ascontiguousarray(arr).tobytes())
        for name in sorted(ds.data_vars):
            arr = ds[name].to_numpy()
            if ds[name].attrs.get("on_grid"):
                arr = arr.astype(np.float32)
            h.update(f"{group}/{name}:{arr.dtype}:{arr.shape}".encode())
            h.update(np.ascontiguousarray(arr).tobytes())
    return _CHECKSUM_KIND + h.hexdigest()


# The checksum's kind: files of earlier versions hold a bare hash of their arrays only.
_CHECKSUM_KIND = "sha256-all:"


def _compatible(saved: str) -> bool:
    """A fit file of the same major.minor version as this package (the layout of its
    draws and attributes is that version's)."""
    try:
        theirs = tuple(int(x) for x in str(saved).split(".")[:2])
    except ValueError:
        return False
    return len(theirs) == 2 and theirs == tuple(int(x) for x in __version__.split(".")[:2])


def _prepared(tree: xr.DataTree, log_likelihood: bool) -> tuple[xr.DataTree, dict]:
    if not log_likelihood:
        if "log_likelihood" in tree.children:
            del tree["log_likelihood"]
        post = tree["posterior"].to_dataset()
        tree["posterior"] = xr.DataTree(post.drop_vars([v for v in post if str(v).endswith("_z")]))
    tree.attrs.setdefault("rivalrymodel_version", __version__)  # a hand-built tree: this one
    tree.attrs["checksum"] = _checksum(tree)
    post = tree["posterior"].to_dataset()
    enc = {}
    for name, da in post.data_vars.items():
        e = {"zlib": True, "complevel": 1, "shuffle": True}
        if da.attrs.get("on_grid"):
            e.update(dtype="int16", scale_factor=np.float32(GRID), _FillValue=np.int16(-_INT16 - 1))
        enc[str(name)] = e
    return tree, {"/posterior": enc}


def save(tree: xr.DataTree, path: str | Path, *, log_likelihood: bool = False) -> Path:
    """Write a fit's ``tree`` (``Fit.tree``, a copy: it is changed here) to netCDF (or zarr
    for a ``.zarr`` path), atomically.

    The file is written under a unique temporary name beside ``path`` and renamed into place,
    so a reader (or a second writer) never sees half a file; a failed write (a full disk)
    leaves nothing behind and raises :class:`FitFileError` in one line.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path}: no such directory {path.parent}")
    tree, encoding = _prepared(tree, log_likelihood)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        if path.suffix == ".zarr":
            zenc = {g: {v: {k: e[k] for k in ("dtype", "scale_factor", "_FillValue") if k in e}
                        for v, e in vs.items()} for g, vs in encoding.items()}  # fmt: skip
            tree.to_zarr(tmp, mode="w", consolidated=False, encoding=zenc)
            if path.exists():
                shutil.rmtree(path)
        else:
            # HDF5 writes into memory, then one plain write: a full disk is then one OSError,
            # not an HDF5 library left half-written (tracebacks from its destructors, a crash).
            _write_bytes(tmp, tree.to_netcdf(engine="h5netcdf", encoding=encoding))
        os.replace(tmp, path)
    except (OSError, RuntimeError) as err:  # a full disk, a read-only folder: h5py/zarr's own
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise FitFileError(f"{path}: could not write the fit ({first})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    return path


def _write_bytes(path: Path, data) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def load(path: str | Path) -> xr.DataTree:
    """Read the tree of a fit written by :func:`save`, verifying its checksum (the Fit:
    :func:`~.posterior.load_fit`).

    Raises
    ------
    FitFileError
        One line naming the file and what is wrong with it.
    """
    path = Path(path)
    if not path.exists():
        raise FitFileError(f"{path}: no saved fit there")
    try:
        if path.suffix == ".zarr":
            opened = xr.open_datatree(path, engine="zarr", consolidated=False)
        else:
            opened = xr.open_datatree(path, engine="h5netcdf")
        with opened:  # read whole, then closed: the file is free to be replaced or edited
            tree = opened.load()
    except Exception as err:  # h5py/zarr raise many kinds for a damaged file
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise FitFileError(
            f"{path}: not a readable fit file (damaged or truncated: {first})"
        ) from None
    if "spec" not in tree.attrs or "posterior" not in tree.children:
        raise FitFileError(f"{path}: not a rivalrymodel fit (no 'spec' attribute)")
    saved = tree.attrs.get("rivalrymodel_version", "")
    if not _compatible(saved):
        raise FitFileError(
            f"{path}: saved by rivalrymodel {saved or '(no version)'}, which this version "
            f"({__version__}) cannot read: refit and save"
        )
    want = str(tree.attrs.get("checksum", ""))
    if not want.startswith(_CHECKSUM_KIND):
        raise FitFileError(
            f"{path}: its checksum covers only part of the file (saved by an older version): "
            "refit and save"
        )
    post = tree["posterior"].to_dataset()
    for name, da in post.data_vars.items():
        if da.attrs.get("on_grid"):
            post[name] = da.astype(np.float32)
    tree["posterior"] = xr.DataTree(post)
    if _checksum(tree) != want:
        raise FitFileError(
            f"{path}: checksum mismatch: the file is damaged or was edited (draws, athlete ids, "
            "spec, cutoff, absences or any other attribute)"
        )
    del tree.attrs["checksum"]
    return tree
