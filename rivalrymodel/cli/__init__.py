"""The ``rivalrymodel`` command (console script and ``python -m rivalrymodel.cli``):
:mod:`.commands` parses and runs it, :mod:`.checks` checks options, paths, dates and data first.
"""

from .commands import main

__all__ = ["main"]
