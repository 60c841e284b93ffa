"""The offline build: ``python -m rivalrymodel.build`` writes data/*.csv from the raw public
datasets in ../shared/data-sources/ (:mod:`.pipeline`; the rules are in data/README.md).

It sits above the data layer: it reads the raw sources, which nothing else in the package does,
and it may import :mod:`rivalrymodel.data`; no module outside the build imports it
(tests/test_layers.py). Users and the library read only the bundled CSVs it writes.
"""
