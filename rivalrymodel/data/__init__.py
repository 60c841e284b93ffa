"""The data layer: the bundled dataset (or a folder of the same CSVs) read, validated and cut.

- :mod:`.schema`: the columns and value types of the four tables, and their checks;
- :mod:`.racedata`: :class:`RaceData` (``as_of``, ``since``, ``with_results``) and the loader;
- :mod:`.sheets` and :mod:`.sheet_checks`: a user's own results sheet added to the data;
- :mod:`.names`: typed athlete names resolved to the data's athletes;
- :mod:`.covariates`: leakage-safe covariates; :mod:`.coverage`: what the data hold;
- :mod:`.text`: CSV bytes as strings, names normalised (shared with the offline build);
- :mod:`.files`: files written atomically, tables safe in a spreadsheet.

The offline build that writes ``data/*.csv`` from the raw sources sits above this layer
(:mod:`rivalrymodel.build`); nothing here imports it.
"""

from .covariates import absence_returns, distance_x, result_covariates
from .names import NameResolver
from .racedata import RaceData, bundled_data_dir, from_tables, load_dataset
from .schema import (
    AbsenceKind,
    DataValidationError,
    DatePrecision,
    Event,
    Round,
    Status,
    world_record,
)
from .sheets import AddedResults
from .text import normalise, read_csv_strings

__all__ = [
    "AbsenceKind",
    "AddedResults",
    "DataValidationError",
    "DatePrecision",
    "Event",
    "NameResolver",
    "RaceData",
    "Round",
    "Status",
    "absence_returns",
    "bundled_data_dir",
    "distance_x",
    "from_tables",
    "load_dataset",
    "normalise",
    "read_csv_strings",
    "result_covariates",
    "world_record",
]
