"""Integer-indexed arrays that both likelihood families are built from.

A :class:`Design` holds the observations a family uses (finishers for Plackett-Luce, timed
finishers for the times family), the athletes and athlete-season cells they belong to, the
per-race covariates and the padded race layout. It is plain numpy: tests and the simulator use it
without PyMC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.covariates import absence_returns, result_covariates
from ..data.racedata import RaceData
from ..data.schema import Event, is_global_championship
from ..errors import InputError
from ..spec import ModelSpec
from .terms import ability, drift, injury, noise

__all__ = ["Design", "build_design", "SLOT_PAD", "SLOT_FINISH", "SLOT_DNF"]

SLOT_PAD, SLOT_FINISH, SLOT_DNF = 0, 1, 2


@dataclass(frozen=True, eq=False)
class Design:
    """Arrays of one family's observations. Index conventions:

    - ``athlete_ids[a]``, ``athlete_names[a]``, ``athlete_born[a]`` (birth date as a decimal
      year, NaN when unknown): athlete a;
    - cell k = (``cell_athlete[k]``, ``cell_period[k]``): the periods (seasons, or
      ``spec.periods_per_season`` parts of one) in which an athlete has a result, in order, an
      athlete's cells together; ``first_cell[a]`` is its first; ``cell_season`` is the
      period's season and ``cell_gap`` the periods since the athlete's previous cell (0 for
      the first);
    - observation j: ``obs_athlete``, ``obs_cell``, ``obs_race`` (race index), covariates;
    - race r: ``race_ids``, ``race_dates``, ``race_event``, ``race_round`` (final, semi,
      heat), ``race_winner_seen`` (its first slot is the race's winner, place 1: False for a
      race known only by runners behind the winner);
    - ``slots[r, l]`` is the observation in slot l of race r (finish order, DNFs after
      finishers, padding = ``n_obs``), ``slot_kind[r, l]`` is SLOT_FINISH, SLOT_DNF or SLOT_PAD;
    - ``absences``: the data's absences with their returns (``covariates.absence_returns``), from
      which the injury covariates come; a fit records them (computed once).
    """

    family: str
    cutoff: pd.Timestamp | None
    athlete_ids: np.ndarray
    athlete_names: np.ndarray
    athlete_born: np.ndarray
    seasons: np.ndarray
    cell_athlete: np.ndarray
    cell_season: np.ndarray
    cell_period: np.ndarray
    periods_per_season: int
    first_cell: np.ndarray
    obs_athlete: np.ndarray
    obs_cell: np.ndarray
    obs_race: np.ndarray
    obs_x: np.ndarray
    obs_unpaced: np.ndarray
    obs_inj_decay: np.ndarray
    obs_inj_loglen: np.ndarray
    obs_injured: np.ndarray
    obs_absence: np.ndarray
    obs_log_time: np.ndarray
    obs_log_distance: np.ndarray
    race_ids: np.ndarray
    race_dates: np.ndarray
    race_event: np.ndarray
    race_round: np.ndarray
    race_winner_seen: np.ndarray
    race_noise_x: np.ndarray
    race_noise_terms: tuple[str, ...]
    slots: np.ndarray
    slot_kind: np.ndarray
    absences: pd.DataFrame

    @property
    def n_obs(self) -> int:
        return len(self.obs_athlete)

    @property
    def n_races(self) -> int:
        return len(self.race_ids)

    @property
    def n_athletes(self) -> int:
        return len(self.athlete_ids)

    @property
    def cell_gap(self) -> np.ndarray:
        """Periods since the athlete's previous cell (0 at the first cell)."""
        gap = np.diff(self.cell_period, prepend=self.cell_period[0])
        gap[self.first_cell] = 0
        return gap

    @property
    def cell_labels(self) -> np.ndarray:
        """``id:season``, or ``id:season.part`` (part 1, 2, ...) with shorter periods."""
        per = self.periods_per_season
        part = self.cell_period - self.cell_season * per + 1
        return np.array(
            [
                f"{self.athlete_ids[a]}:{s}" + (f".{k}" if per > 1 else "")
                for a, s, k in zip(self.cell_athlete, self.cell_season, part, strict=True)
            ]
        )

    @property
    def injured_athletes(self) -> np.ndarray:
        """Athletes (indices) with at least one race after a known absence."""
        return np.unique(self.obs_athlete[self.obs_injured])


def build_design(
    data: RaceData, spec: ModelSpec, select: Callable[[pd.DataFrame, ModelSpec], pd.DataFrame]
) -> Design:
    """The arrays of ``spec.family`` on ``data`` (which should already be ``as_of`` the cutoff).

    ``select`` is the family's choice of results (with a ``kind`` column: SLOT_FINISH or
    SLOT_DNF); :func:`rivalrymodel.models.build_design` passes the registered family's.
    """
    returns = absence_returns(data)
    df = select(result_covariates(data, returns), spec)
    if df.empty:
        raise InputError(
            f"no race in the data has two ranked runners for the {spec.family} family "
            f"({len(data.races)} races, {len(data.results)} results)"
        )
    # Slot order inside a race: finishers by place (time breaks a shared place), then DNFs.
    df = df.sort_values(
        ["date", "race_id", "kind", "place", "time_s", "athlete_id"], kind="stable"
    ).reset_index(drop=True)

    athlete_ids, obs_athlete = np.unique(df["athlete_id"].to_numpy(dtype=str), return_inverse=True)
    names = data.athletes.set_index("athlete_id")["name"]
    athlete_names = names.reindex(athlete_ids).fillna(pd.Series(athlete_ids, index=athlete_ids))
    born = data.athletes.set_index("athlete_id")["birth_date"].reindex(athlete_ids)

    season = df["season"].to_numpy(dtype=np.int64)
    seasons = np.arange(season.min(), season.max() + 1)
    per = spec.periods_per_season
    period = ability.period_of(df["date"], per)
    # A cell per period with races: the walk's steps over the empty periods between two cells
    # add up to one Gaussian step with their summed variance (the same model), so empty
    # periods need no parameter of their own (with quarters, most periods are empty).
    obs_key = pd.MultiIndex.from_arrays([obs_athlete, period])
    keys = obs_key.unique().sort_values()
    cell_athlete = keys.get_level_values(0).to_numpy(dtype=np.int64)
    cell_period = keys.get_level_values(1).to_numpy(dtype=np.int64)
    first_cell = np.flatnonzero(np.r_[True, cell_athlete[1:] != cell_athlete[:-1]])
    obs_cell = keys.get_indexer(obs_key)

    # Races in date order, as df is.
    order = pd.unique(df["race_id"].to_numpy(dtype=str))
    rank = {r: i for i, r in enumerate(order)}
    obs_race = np.array([rank[r] for r in df["race_id"].to_numpy(dtype=str)])
    races = df.drop_duplicates("race_id").set_index("race_id").loc[order]
    noise_terms = noise.columns(spec)
    champ_id = races["championship_id"] if "championship_id" in races else ""
    noise_x = noise.noise_rows(
        races["round"].to_numpy(dtype=str),
        races["paced"].to_numpy(dtype=bool),
        races["indoor"].to_numpy(dtype=bool),
        is_global_championship(champ_id) if len(noise_terms) > 4 else False,
    )[:, : len(noise_terms)]

    n_obs = len(df)
    pos = df.groupby("race_id", sort=False).cumcount().to_numpy()
    width = int(pos.max()) + 1
    slots = np.full((len(order), width), n_obs, dtype=np.int64)
    slots[obs_race, pos] = np.arange(n_obs)
    slot_kind = np.full((len(order), width), SLOT_PAD, dtype=np.int64)
    slot_kind[obs_race, pos] = df["kind"].to_numpy()

    since = df["days_since_return"].to_numpy(dtype=float)
    decay, loglen_decay = injury.features(since, df["absence_days"], spec.injury_decay_days)

    dist = df["event"].map({e.value: e.distance_m for e in Event}).to_numpy(dtype=float)
    time_s = df["time_s"].to_numpy(dtype=float)
    return Design(
        family=spec.family,
        cutoff=data.cutoff,
        athlete_ids=athlete_ids,
        athlete_names=athlete_names.to_numpy(dtype=str),
        athlete_born=drift.decimal_years(born.to_numpy()),
        seasons=seasons,
        cell_athlete=cell_athlete,
        cell_season=cell_period // per,
        cell_period=cell_period,
        periods_per_season=per,
        first_cell=first_cell,
        obs_athlete=obs_athlete,
        obs_cell=obs_cell,
        obs_race=obs_race,
        obs_x=df["x_distance"].to_numpy(dtype=float),
        obs_unpaced=df["unpaced"].to_numpy(dtype=float),
        obs_inj_decay=decay,
        obs_inj_loglen=loglen_decay,
        obs_injured=np.isfinite(since) & (decay > 1e-6),
        obs_absence=injury.absence_label(df["athlete_id"], df["absence_start"]),
        obs_log_time=np.log(time_s),
        obs_log_distance=np.log(dist),
        race_ids=np.asarray(order),
        race_dates=races["date"].to_numpy(),
        race_event=races["event"].to_numpy(dtype=str),
        race_round=races["round"].to_numpy(dtype=str),
        # df is sorted by place inside a race, so a race's first row is its best finisher.
        race_winner_seen=(races["kind"].to_numpy() == SLOT_FINISH)
        & (races["place"].to_numpy(dtype=float) == 1.0),
        race_noise_x=noise_x,
        race_noise_terms=noise_terms,
        slots=slots,
        slot_kind=slot_kind,
        absences=returns,
    )
