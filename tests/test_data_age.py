"""Where a fit's data end: its cutoff without as_of, one fit per data seen, the age of every
forecast, and the dates a fit refuses (before its cutoff; too far after its data end)."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace as dataclasses_replace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import rivalrymodel as rm
from rivalrymodel.cli import main
from rivalrymodel.data.racedata import load_dataset
from rivalrymodel.forecasting import MAX_YEARS_AHEAD, STALE_DAYS, ForecastDateError
from rivalrymodel.inference import SamplerSettings, cached_fit, forecast_attrs
from rivalrymodel.inference.sampling import Sampler
from rivalrymodel.plotting import plot_forecast, plot_rivalry
from tests.helpers import MEANS, forecast_tree, small_dataset

DAY = pd.Timedelta(days=1)


def _fit_of(data: rm.RaceData, draws: int = 200) -> rm.Fit:
    """Hand-built draws over A..E with the attributes a real fit of ``data`` records."""
    tree = forecast_tree(MEANS, draws=draws)
    tree.attrs.update(forecast_attrs(data))
    return rm.Fit(tree)


@pytest.fixture
def data():
    """Races of A..E on 2024-03-01 and 2024-06-01, an absence of C announced 2024-07-15."""
    rows = [(r, a, str(i + 1), "OK") for r in ("R1", "R2") for i, a in enumerate(MEANS)]
    return small_dataset(rows, [("C", "2024-07-01", "injury", "2024-07-15")],
                         race_dates={"R1": "2024-03-01", "R2": "2024-06-01"})  # fmt: skip


def test_the_data_end_and_the_earliest_as_of_that_sees_them_all(data):
    assert data.data_end == pd.Timestamp("2024-06-01")
    # the day after the last race, or the later announcement
    assert data.earliest_as_of == pd.Timestamp("2024-07-15")
    assert data.as_of("2024-07-01").earliest_as_of == pd.Timestamp("2024-06-02")
    for later in ("2024-07-15", "2025-01-10", "2025-02-01"):
        assert data.as_of(later).fingerprint() == data.fingerprint()
    assert data.as_of("2024-07-14").fingerprint() != data.fingerprint()


def test_bundled_data_as_of_any_later_date_are_the_data(tmp_path, bundled):
    full = bundled
    start = full.earliest_as_of
    assert start > full.data_end == full.races["date"].max()
    for gap in (0, 100, 400):
        assert full.as_of(start + gap * DAY).fingerprint() == full.fingerprint()
    # one day earlier something is missing (the last race, or an announcement)
    assert full.as_of(start - DAY).fingerprint() != full.fingerprint()


def test_two_forecast_dates_after_the_data_end_share_one_fit(tmp_path, monkeypatch, data):
    calls = []

    def fake_fit_at(self, draws):
        calls.append(self.data.cutoff)
        return _fit_of(self.data, draws=50)

    monkeypatch.setattr(Sampler, "fit_at", fake_fit_at)

    def fit_as_of(day):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rm.ConvergenceWarning)  # hand-built: one chain
            return cached_fit(rm.ModelSpec(), data.as_of(day), SamplerSettings(draws=50),
                              cache_dir=tmp_path, random_seed=1)  # fmt: skip

    a, b = fit_as_of("2025-01-10"), fit_as_of("2025-02-01")
    assert len(calls) == 1 and len(list(tmp_path.glob("*.nc"))) == 1
    assert a.cutoff == b.cutoff == pd.Timestamp("2024-07-15")
    # the entry serves the earlier date too: nothing in it is from after 2024-07-15
    rm.forecast(b, rm.StartList(("A", "B"), date="2024-07-20"))
    # an announcement between two dates changes what is seen: a fit of its own
    before = fit_as_of("2024-07-10")
    assert len(calls) == 2 and before.cutoff == pd.Timestamp("2024-06-02")
    assert len(before.absences) == 0 and len(a.absences) == 1


def test_a_fit_without_as_of_refuses_the_races_it_saw_unless_hindcast(data):
    fit = _fit_of(data)  # data never cut with as_of
    assert fit.cutoff == data.earliest_as_of and fit.data_end == data.data_end
    inside = rm.StartList(("A", "B", "C"), date="2024-06-01")
    with pytest.raises(ForecastDateError, match=r"as_of\(2024-06-01\).*hindcast=True"):
        rm.forecast(fit, inside)
    with pytest.raises(ForecastDateError, match="races to 2024-06-01"):
        rm.head_to_head(fit, "A", "B", date="2024-03-01")
    with pytest.raises(ForecastDateError):
        rm.rivalry(fit, "A", "B", ["2024-03-01", "2024-09-01"])
    with pytest.raises(ForecastDateError):
        rm.simulate_championship(fit, [inside], [])
    fc = rm.forecast(fit, inside, hindcast=True, random_seed=1)
    assert fc.data_age == 0 and "0 days before the race" in repr(fc)
    back = rm.head_to_head(fit, "A", "B", date="2024-03-01", hindcast=True)
    assert back["data_end"].iloc[0] == pd.Timestamp("2024-06-01")
    heat = rm.StartList(("A", "B", "C"), date="2024-06-01", round="heat")
    rm.simulate_championship(fit, [heat], [rm.Qualify(2)], hindcast=True, random_seed=1)
    rm.forecast(fit, rm.StartList(("A", "B"), date=data.earliest_as_of))  # from the cutoff on


def test_a_forecast_too_far_after_the_data_end_is_refused_everywhere(data):
    fit = _fit_of(data)
    limit = data.data_end + pd.DateOffset(years=MAX_YEARS_AHEAD)
    rm.forecast(fit, rm.StartList(("A", "B"), date=limit))  # the last day allowed
    late = limit + DAY
    sl = rm.StartList(("A", "B"), date=late)
    for call in (
        lambda: rm.forecast(fit, sl),
        lambda: rm.forecast(fit, sl, hindcast=True),
        lambda: rm.head_to_head(fit, "A", "B", date=late),
        lambda: rm.rivalry(fit, "A", "B", [limit, late]),
        lambda: rm.simulate_championship(fit, [sl], []),
    ):
        with pytest.raises(ForecastDateError, match=f"beyond {MAX_YEARS_AHEAD} years") as err:
            call()
        assert "\n" not in str(err.value) and "2024-06-01" in str(err.value)
    assert issubclass(ForecastDateError, ValueError)


def test_the_table_the_files_and_the_plot_say_how_old_the_data_are(data, tmp_path):
    fit = _fit_of(data)
    fc = rm.forecast(fit, rm.StartList(("A", "B", "C"), date="2024-09-03", name="Test"))
    assert fc.data_end == pd.Timestamp("2024-06-01") and fc.data_age == 94
    assert "data to 2024-06-01, 94 days before the race" in repr(fc).splitlines()[0]
    csv = pd.read_csv(fc.to_file(tmp_path / "fc.csv"))
    assert (csv["data_end"] == "2024-06-01").all() and (csv["data_age_days"] == 94).all()
    records = json.loads(fc.to_file(tmp_path / "fc.json").read_text())
    assert {(r["data_end"], r["data_age_days"]) for r in records} == {("2024-06-01", 94)}
    title = plot_forecast(fc).get_title()
    assert title == "Test\n2024-09-03\ndata to 2024-06-01, 94 days before the race"
    assert plot_forecast(fc, title="Mine").get_title().endswith("94 days before the race")
    riv = rm.rivalry(fit, "A", "B", ["2024-09-01", "2025-03-01"], paced=False)
    assert plot_rivalry(riv).get_title().endswith("fit's data to 2024-06-01")


def test_a_fit_file_keeps_its_data_end_and_an_older_file_gets_one(data, tmp_path):
    fit = _fit_of(data, draws=50)
    back = rm.load_fit(fit.save(tmp_path / "fit.nc"))
    assert (back.data_end, back.cutoff) == (fit.data_end, fit.cutoff)
    # a file saved before fits recorded their data end: the last observed race
    tree = forecast_tree(MEANS, draws=50, cutoff="")
    days = np.array(["2024-03-01", "2024-06-01"], dtype="datetime64[ns]")
    tree["observed_data"] = xr.DataTree(
        xr.Dataset({"n": ("ranked_race", [5, 5])},
                   coords={"ranked_race": ["R1", "R2"], "ranked_race_date": ("ranked_race", days)})
    )  # fmt: skip
    old = rm.Fit(tree)
    assert old.data_end == pd.Timestamp("2024-06-01") and old.cutoff == pd.Timestamp("2024-06-02")


@pytest.fixture
def tiny_fits(tmp_path, monkeypatch):
    """The CLI's fits of the tiny dataset (data end 2023-08-23) drawn by hand and counted."""
    calls = []

    def fake_fit_at(self, draws):
        calls.append(self.data.cutoff)
        return _fit_of(self.data, draws=50)

    monkeypatch.setattr(Sampler, "fit_at", fake_fit_at)
    monkeypatch.setenv("RIVALRYMODEL_CACHE", str(tmp_path / "cache"))
    return calls


def test_cli_notice_for_old_data_and_one_fit_for_two_dates(tiny_dir, tiny_fits, capsys):
    end = load_dataset(tiny_dir).data_end
    base = ["forecast", "--data", str(tiny_dir), "--athletes", "A;B", "--draws", "50"]
    for gap in (100, 140):
        day = end + gap * DAY
        assert main(base + ["--date", f"{day:%Y-%m-%d}"]) == 0
        out = capsys.readouterr()
        assert f"data to {end:%Y-%m-%d}, {gap} days before the race" in out.out
        notice = [line for line in out.err.splitlines() if line.startswith("notice:")]
        assert len(notice) == 1 and f"{gap} days before the race" in notice[0]
        assert "--add-results" in notice[0] and f"more than {STALE_DAYS}" in notice[0]
    assert len(tiny_fits) == 1  # the second date reused the first date's fit
    soon = end + (STALE_DAYS - 1) * DAY
    assert main(base + ["--date", f"{soon:%Y-%m-%d}"]) == 0
    assert "notice:" not in capsys.readouterr().err


def test_cli_refuses_a_race_too_far_ahead_in_one_line_before_fitting(tiny_dir, tiny_fits, capsys):
    end = load_dataset(tiny_dir).data_end
    late = end + pd.DateOffset(years=MAX_YEARS_AHEAD) + DAY
    args = ["forecast", "--data", str(tiny_dir), "--athletes", "A;B", "--date", f"{late:%Y-%m-%d}"]
    assert main(args) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert f"beyond {MAX_YEARS_AHEAD} years" in err[0] and f"{end:%Y-%m-%d}" in err[0]
    assert tiny_fits == []  # refused before any sampling
    h2h = ["h2h", "A", "B", "--data", str(tiny_dir), "--date", f"{late:%Y-%m-%d}"]
    assert main(h2h) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1 and tiny_fits == []


@pytest.mark.slow
def test_a_real_fit_records_its_data_end_and_serves_every_later_date(tmp_path, monkeypatch):
    """The real sampler, counted: data as of two dates after their end and the data never cut
    with as_of make one fit, whose cutoff refuses the races it saw."""
    from rivalrymodel.models.synthetic import simulate_dataset

    data, _ = simulate_dataset(n_athletes=12, seasons=(2018, 2019), races_per_season=15,
                               n_injured=2, random_seed=3)  # fmt: skip
    calls = []
    real = Sampler.fit_at

    def counted(self, draws):
        calls.append(self.data.cutoff)
        return real(self, draws)

    monkeypatch.setattr(Sampler, "fit_at", counted)
    end = data.data_end
    fits = []
    for seen in (data.as_of(end + 100 * DAY), data.as_of(end + 140 * DAY), data):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rm.ConvergenceWarning)  # a short run
            fits.append(cached_fit(rm.ModelSpec(), seen, SamplerSettings(draws=60, tune=60),
                                   cache_dir=tmp_path, random_seed=1))  # fmt: skip
    assert len(calls) == 1
    fit = fits[-1]
    assert fit.data_end == end and fit.cutoff == data.earliest_as_of > end
    last = data.races[data.races["date"].eq(end)]["race_id"].iloc[0]
    sl = rm.StartList.from_race(data, last)
    with pytest.raises(ForecastDateError, match="hindcast=True"):
        rm.forecast(fit, sl)
    assert rm.forecast(fit, sl, hindcast=True, random_seed=1).data_age == 0
    ahead = rm.forecast(fit, dataclasses_replace(sl, date=end + 100 * DAY), random_seed=1)
    assert ahead.data_age == 100
    back = rm.load_fit(fit.save(tmp_path / "fit.nc"))
    assert (back.data_end, back.cutoff) == (end, fit.cutoff)
