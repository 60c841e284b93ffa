"""The project's own error classes: what a user did wrong, told in one line.

The CLI prints a :class:`RivalryModelError` as one line and exits with status 2; any other
exception is a bug and shows its traceback. :class:`InputError` is also a ``ValueError``, so
code that caught the ``ValueError`` of a bad argument keeps working.
"""

from __future__ import annotations

__all__ = ["RivalryModelError", "InputError"]


class RivalryModelError(Exception):
    """Base of every error caused by the user's input, files or options (one line)."""


class InputError(RivalryModelError, ValueError):
    """A bad argument or value given to the library (a date, a size, a prior, a table...)."""
