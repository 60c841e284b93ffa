"""Files written whole or not at all.

A writer writes a unique temporary name beside the target and renames it into place, so that a
reader, or a second writer at the same time, never sees half a file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

__all__ = ["replace_atomically", "write_text_atomically"]


def replace_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a unique temporary path beside ``path``, then rename it over
    ``path``; the temporary file is removed if ``write`` fails."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomically(path: str | Path, text: str) -> Path:
    """``path.write_text(text)``, atomically (see :func:`replace_atomically`)."""
    return replace_atomically(path, lambda tmp: tmp.write_text(text))
