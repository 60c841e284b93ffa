"""``python -m rivalrymodel.build``: see :mod:`rivalrymodel.build.pipeline`."""

from .pipeline import main

main()
