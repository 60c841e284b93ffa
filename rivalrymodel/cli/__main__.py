"""``python -m rivalrymodel.cli``: see :mod:`rivalrymodel.cli.commands`."""

import sys

from .commands import main

sys.exit(main())
