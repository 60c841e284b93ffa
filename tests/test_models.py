"""Model building blocks without MCMC: the Plackett-Luce likelihood, the design, the graph."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rivalrymodel as rm
from rivalrymodel.models import build_design, build_model
from rivalrymodel.models.design import SLOT_DNF, SLOT_FINISH, SLOT_PAD
from rivalrymodel.models.pl_kernel import PlackettLuceRaces, RaceStructure
from rivalrymodel.models.plackett_luce import plackett_luce_logp
from rivalrymodel.models.simulate import simulate_places
from rivalrymodel.models.synthetic import simulate_dataset
from rivalrymodel.models.terms.ability import period_of
from tests.helpers import small_dataset

_kind = pt.lmatrix("kind")
_v = pt.dmatrix("v")
_logp = plackett_luce_logp(_kind, _v)
PL = pytensor.function([_kind, _v], _logp, mode="FAST_COMPILE")
PL_GRAD = pytensor.function([_kind, _v], pytensor.grad(_logp.sum(), _v), mode="FAST_COMPILE")


def reference_logp(kinds: list[int], v: list[float]) -> float:
    """Plackett-Luce as a plain loop: each finisher beats everyone not yet placed."""
    runners = [(k, x) for k, x in zip(kinds, v, strict=True) if k != SLOT_PAD]
    total = 0.0
    for i, (k, x) in enumerate(runners):
        if k != SLOT_FINISH:
            continue
        rest = [y for _, y in runners[i:]]
        total += x - math.log(sum(math.exp(y) for y in rest))
    return total


race = st.integers(1, 8).flatmap(
    lambda n_fin: st.tuples(
        st.just(n_fin),
        st.integers(0, 3),  # DNFs ranked last
        st.lists(st.floats(-6, 6), min_size=n_fin + 3, max_size=n_fin + 3),
    )
)


@settings(max_examples=60, deadline=None)
@given(st.lists(race, min_size=1, max_size=6), st.integers(0, 3))
def test_vectorised_plackett_luce_equals_the_plain_loop(races, extra_pad):
    width = max(f + d for f, d, _ in races) + extra_pad
    kind = np.full((len(races), width), SLOT_PAD, dtype=np.int64)
    v = np.zeros((len(races), width))
    for r, (n_fin, n_dnf, vals) in enumerate(races):
        kind[r, :n_fin] = SLOT_FINISH
        kind[r, n_fin : n_fin + n_dnf] = SLOT_DNF
        v[r, : n_fin + n_dnf] = vals[: n_fin + n_dnf]
        v[r, n_fin + n_dnf :] = 1e3  # junk in padding must not matter
    got = PL(kind, v)
    want = [reference_logp(list(kind[r]), list(v[r])) for r in range(len(races))]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    grad = PL_GRAD(kind, v)
    assert np.isfinite(grad).all()
    assert (grad[kind == SLOT_PAD] == 0).all()


def test_plackett_luce_known_value_and_shift_invariance():
    kind = np.array([[1, 1, 1]])
    v = np.array([[1.0, 0.0, -1.0]])
    e = np.exp([1.0, 0.0, -1.0])
    want = np.log(e[0] / e.sum()) + np.log(e[1] / (e[1] + e[2]))
    assert PL(kind, v)[0] == pytest.approx(want)
    assert PL(kind, v + 5.0)[0] == pytest.approx(want)


def test_gumbel_max_simulation_matches_plackett_luce_probabilities():
    v = np.array([1.0, 0.2, -0.5])
    n = 200_000
    places = simulate_places(np.broadcast_to(v, (n, 3)), np.ones(3, bool), 7)
    orders = pd.Series([tuple(p) for p in places]).value_counts(normalize=True)
    for order, freq in orders.items():
        ranking = np.argsort(order)  # runner index by finishing place
        want = math.exp(reference_logp([1, 1, 1], list(v[ranking])))
        assert freq == pytest.approx(want, abs=0.005)


def test_simulated_places_are_a_permutation_and_padding_stays_zero():
    present = np.array([[True, True, True, False], [True, True, False, False]])
    places = simulate_places(np.zeros((5, 2, 4)), present, 1)
    assert (places[..., ~present] == 0).all()
    assert sorted(places[0, 0, :3]) == [1, 2, 3]
    assert sorted(places[3, 1, :2]) == [1, 2]


def test_simulation_is_reproducible_by_seed():
    v = np.random.default_rng(0).normal(size=(10, 4, 6))
    a = simulate_places(v, np.ones((4, 6), bool), 5)
    b = simulate_places(v, np.ones((4, 6), bool), 5)
    assert (a == b).all()


def test_design_keeps_only_ranked_runners_and_races_with_two(bundled):
    des = build_design(bundled, rm.ModelSpec())
    res = bundled.results.set_index(["race_id", "athlete_id"])
    used = pd.MultiIndex.from_arrays([des.race_ids[des.obs_race], des.athlete_ids[des.obs_athlete]])
    assert (res.loc[used, "status"] == "OK").all()
    assert (np.bincount(des.obs_race) >= 2).all()
    # Slots are in finishing order within each race.
    place = res.loc[used, "place"].to_numpy(dtype=float)
    padded = np.append(place, 1e9)[des.slots]
    assert (np.diff(padded, axis=1) >= 0).all()


def test_dnf_rule_last_adds_dnf_slots_after_finishers(bundled):
    excl = build_design(bundled, rm.ModelSpec())
    last = build_design(bundled, rm.ModelSpec(dnf="last"))
    n_dnf = (bundled.results["status"] == "DNF").sum()
    assert (excl.slot_kind == SLOT_DNF).sum() == 0
    assert 0 < (last.slot_kind == SLOT_DNF).sum() <= n_dnf
    first_dnf = np.argmax(last.slot_kind == SLOT_DNF, axis=1)
    has = (last.slot_kind == SLOT_DNF).any(axis=1)
    finishers = (last.slot_kind == SLOT_FINISH).sum(axis=1)
    assert (first_dnf[has] == finishers[has]).all()


@pytest.mark.parametrize("per", [1, 4])
def test_cells_are_the_periods_with_results_in_order(bundled, per):
    des = build_design(bundled, rm.ModelSpec(periods_per_season=per))
    starts = des.first_cell
    assert (des.cell_athlete[starts] == np.arange(des.n_athletes)).all()
    same = des.cell_athlete[1:] == des.cell_athlete[:-1]
    assert (np.diff(des.cell_period)[same] >= 1).all()
    assert (des.cell_gap[1:][same] == np.diff(des.cell_period)[same]).all()
    assert (des.cell_gap[starts] == 0).all()
    # every cell has a result, and each result sits in the cell of its date's period
    assert (np.bincount(des.obs_cell, minlength=len(des.cell_athlete)) > 0).all()
    dates = bundled.races.set_index("race_id").loc[des.race_ids[des.obs_race], "date"]
    assert (des.cell_period[des.obs_cell] == period_of(dates, per)).all()
    assert (des.cell_athlete[des.obs_cell] == des.obs_athlete).all()
    assert (des.cell_season == des.cell_period // per).all()


def test_a_step_over_empty_periods_has_their_summed_variance():
    """The walk's step to an athlete's next cell g periods later has sd step_sd * sqrt(g / per)
    in the prior: the same model as a cell for every period in between."""
    data, _ = simulate_dataset(n_athletes=30, races_per_season=25, random_seed=5)
    spec = rm.ModelSpec(injury=False)
    model, des = build_model(data, spec)
    with model:
        prior = pm.sample_prior_predictive(draws=4000, var_names=["ability", "step_sd"],
                                           random_seed=1)  # fmt: skip
    th = prior.prior["ability"].stack(s=("chain", "draw")).to_numpy()
    sd = prior.prior["step_sd"].stack(s=("chain", "draw")).to_numpy()
    later = np.setdiff1d(np.arange(len(des.cell_athlete)), des.first_cell)
    z = (th[later] - th[later - 1]) / sd
    gap = des.cell_gap[later]
    assert len(np.unique(gap)) >= 3
    for g in np.unique(gap):
        var = z[gap == g].var()
        assert var == pytest.approx(g / 4, rel=0.1), (g, var)


def test_design_as_of_sees_no_race_on_or_after_the_date_nor_later_absences():
    data, _ = simulate_dataset(n_athletes=30, races_per_season=40, random_seed=3)
    ab = data.absences.sort_values("announced")
    cut = ab["announced"].iloc[len(ab) // 2]  # half the absences announced by then
    des = build_design(data.as_of(cut), rm.ModelSpec())
    assert (des.race_dates < np.datetime64(cut)).all()
    later = set(ab.loc[ab["announced"] > cut, "athlete_id"]) - set(
        ab.loc[ab["announced"] <= cut, "athlete_id"]
    )
    hurt = set(des.athlete_ids[des.injured_athletes])
    assert hurt and not (hurt & later)
    full = build_design(data, rm.ModelSpec())
    assert set(full.athlete_ids[full.injured_athletes]) & later


def _finite_logp_and_gradient(data, spec):
    model, des = build_model(data, spec)
    point = model.initial_point()
    logp = model.compile_logp(mode="FAST_COMPILE")(point)
    grad = model.compile_dlogp(mode="FAST_COMPILE")(point)
    assert np.isfinite(logp) and logp < 0
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0
    return des


@pytest.mark.parametrize("name", list(rm.variants()))
def test_every_variant_builds_with_finite_logp_and_gradient_on_one_season(bundled, name):
    des = _finite_logp_and_gradient(bundled.as_of("2017-01-01"), rm.variants()[name])
    assert des.n_races > 100


@pytest.mark.slow
@pytest.mark.parametrize("name", list(rm.variants()))
def test_every_variant_builds_with_finite_logp_and_gradient_on_bundled_data(bundled, name):
    des = _finite_logp_and_gradient(bundled, rm.variants()[name])
    assert des.n_races > 2000 and des.n_athletes > 1000


def test_return_from_absence_is_the_first_race_after_its_start():
    from rivalrymodel.data.covariates import absence_returns, result_covariates

    days = {"R0": "2024-03-01", "R1": "2024-06-01", "R2": "2024-08-01"}
    results = [(r, a, str(p), "OK") for r in days for p, a in enumerate("AB", start=1)]
    # A is hurt in the race of 1 March itself; that race is not his return, 1 June is.
    data = small_dataset(results, [("A", "2024-03-01", "injury", "2024-03-02")], race_dates=days)
    ret = absence_returns(data)
    assert ret["returned"].iloc[0] == pd.Timestamp("2024-06-01")
    assert ret["length_days"].iloc[0] == 92
    cov = result_covariates(data).set_index(["race_id", "athlete_id"])
    assert np.isnan(cov.loc[("R0", "A"), "days_since_return"])
    assert cov.loc[("R1", "A"), "days_since_return"] == 0
    assert cov.loc[("R2", "A"), "days_since_return"] == 61
    assert cov["days_since_return"].xs("B", level="athlete_id").isna().all()
    # As of 1 June the absence is known but the return race is not yet run: no injury term.
    early = result_covariates(data.as_of("2024-06-01"))
    assert early["days_since_return"].isna().all()


def test_pacers_and_non_starters_are_removed_and_dnf_follows_the_rule():
    rows = [("A", "1", "OK"), ("B", "2", "OK"), ("C", "3", "OK"), ("P", "", "PACER"),
            ("D", "", "DNF"), ("N", "", "DNS")]  # fmt: skip
    data = small_dataset([("R1", a, p, s) for a, p, s in rows])
    excl = build_design(data, rm.ModelSpec())
    assert list(excl.athlete_ids[excl.obs_athlete]) == ["A", "B", "C"]
    last = build_design(data, rm.ModelSpec(dnf="last"))
    assert list(last.athlete_ids[last.obs_athlete]) == ["A", "B", "C", "D"]
    assert list(last.slot_kind[0]) == [SLOT_FINISH] * 3 + [SLOT_DNF]


@pytest.mark.slow
def test_centred_ability_builds_with_finite_logp_and_the_same_cells(bundled):
    """The centred option (busy athletes' seasons as parameters) is the same model, other
    geometry: same cells, finite logp and gradient, and a walk prior on the busy athletes."""
    spec = rm.ModelSpec(centred=("ability",), centre_min_results=20)
    model, des = build_model(bundled, spec)
    plain = build_design(bundled, rm.ModelSpec())
    assert (des.cell_athlete == plain.cell_athlete).all()
    names = {v.name for v in model.free_RVs}
    assert {"ability_base", "ability_level", "ability_z", "step_z"} <= names
    point = model.initial_point()
    assert np.isfinite(model.compile_logp(mode="FAST_COMPILE")(point))
    assert np.isfinite(model.compile_dlogp(mode="FAST_COMPILE")(point)).all()


def _kernel_and_graph():
    """log p per race and its gradient in u and tau, by the fused kernel and by the graph."""
    u, tau, w = pt.dvector("u"), pt.dvector("tau"), pt.dvector("w")
    order, start, fin = pt.lvector("order"), pt.lvector("start"), pt.lvector("fin")
    kind, slots = pt.lmatrix("kind"), pt.lmatrix("slots")
    fused = _PL_OP(u, tau, order, start, fin)[0]
    graph = plackett_luce_logp(kind, pt.concatenate([u, pt.zeros(1)])[slots] / tau[:, None])
    out = []
    for lp in (fused, graph):
        out += [lp, *pytensor.grad((lp * w).sum(), [u, tau])]
    inputs = [u, tau, w, order, start, fin, kind, slots]
    numba = pytensor.function([u, tau, order, start, fin], fused, mode="NUMBA")
    return pytensor.function(inputs, out, mode="FAST_COMPILE", on_unused_input="ignore"), numba


_PL_OP = PlackettLuceRaces()
KERNEL_VS_GRAPH, KERNEL_NUMBA = _kernel_and_graph()


@settings(max_examples=60, deadline=None)
@given(st.lists(race, min_size=1, max_size=6), st.data())
def test_compiled_race_kernel_equals_the_graph_and_its_gradient(races, data):
    """The fused kernel the model samples with: same log p per race, same gradient in u and tau."""
    widths = [f + d for f, d, _ in races]
    kind = np.full((len(races), max(widths)), SLOT_PAD, dtype=np.int64)
    slots = np.full(kind.shape, sum(widths), dtype=np.int64)
    u_vals = np.zeros(sum(widths))
    i = 0
    for r, (n_fin, n_dnf, vals) in enumerate(races):
        kind[r, :n_fin] = SLOT_FINISH
        kind[r, n_fin : n_fin + n_dnf] = SLOT_DNF
        slots[r, : n_fin + n_dnf] = np.arange(i, i + n_fin + n_dnf)
        u_vals[i : i + n_fin + n_dnf] = vals[: n_fin + n_dnf]
        i += n_fin + n_dnf
    perm = np.array(data.draw(st.permutations(range(len(u_vals)))), dtype=np.int64)
    slots = np.where(kind != SLOT_PAD, np.append(perm, len(perm))[slots], slots)  # any obs order
    u_obs = np.empty_like(u_vals)
    u_obs[perm] = u_vals
    tau = np.array(data.draw(st.lists(st.floats(0.3, 3), min_size=len(races),
                                      max_size=len(races))))  # fmt: skip
    present = kind != SLOT_PAD
    layout = RaceStructure(slots[present], np.r_[0, np.cumsum(present.sum(1))],
                           (kind == SLOT_FINISH).sum(1))  # fmt: skip
    lay = (layout.order, layout.start, layout.finishers)
    weights = np.arange(1.0, len(races) + 1)  # a non-uniform upstream gradient
    out = KERNEL_VS_GRAPH(u_obs, tau, weights, *lay, kind, slots)
    for a, b in zip(out[:3], out[3:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(KERNEL_NUMBA(u_obs, tau, *lay), out[3], rtol=1e-9, atol=1e-9)


@pytest.mark.slow
def test_kernel_and_graph_likelihoods_give_the_same_model_on_bundled_data(bundled):
    """The default likelihood (compiled kernel) against the PyTensor graph the JAX samplers use."""
    spec = rm.variants()["full"]
    kernel, _ = build_model(bundled, spec)
    graph, _ = build_model(bundled, spec, likelihood="graph")
    rng = np.random.default_rng(5)
    point = {k: v + 0.3 * rng.normal(size=np.shape(v)) for k, v in kernel.initial_point().items()}
    per_race = [
        m.compile_fn(m.logp(vars=m.observed_RVs, sum=False)[0], inputs=m.value_vars,
                     on_unused_input="ignore", mode="FAST_COMPILE")(point)
        for m in (kernel, graph)
    ]  # fmt: skip
    assert per_race[0].shape == (len(kernel.coords["race"]),)
    np.testing.assert_allclose(per_race[0], per_race[1], rtol=1e-10, atol=1e-10)
    grads = [m.compile_dlogp(mode="FAST_COMPILE")(point) for m in (kernel, graph)]
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-8, atol=1e-8)
    with pytest.raises(ValueError, match="likelihood must be"):
        build_model(bundled, spec, likelihood="loop")


def test_layoff_units_are_absences_and_an_unseen_one_widens_the_forecast():
    from rivalrymodel.models.draws import ArrayDraws
    from rivalrymodel.models.terms import injury

    data, truth = simulate_dataset(n_athletes=30, n_injured=6, random_seed=5)
    des = build_design(data, rm.variants()["layoff"])
    dim, labels, unit = injury.units(des, rm.variants()["layoff"])
    assert dim == "injured_absence" and len(labels) == 6
    assert all("@" in lab for lab in labels) and (unit[~des.obs_injured] == len(labels)).all()
    # Per athlete (the default) the units are the athletes seen racing after an absence.
    dim, labels_a, _ = injury.units(des, rm.ModelSpec())
    assert dim == "injured_athlete" and set(labels_a) == {lab.split("@")[0] for lab in labels}

    n = 4000
    post = ArrayDraws(
        {"injury_mean": np.full(n, -1.0), "injury_length": np.zeros(n),
         "injury_sd": np.full(n, 0.5), "injury": np.full((n, 1), -2.0)},
        {"injured_absence": np.array(["A@2024-01-01"]), "injured_athlete": np.array(["A"])},
    )  # fmt: skip
    decay, loglen = np.array([1.0, 0.5, 0.0]), np.zeros(3)
    absence = np.array(["A@2024-01-01", "A@2025-03-01", ""])
    rng = np.random.default_rng(0)
    out = injury.offsets(
        post, ["A", "A", "B"], decay, loglen, absence=absence, per_absence=True, rng=rng
    )
    assert (out[:, 0] == -2.0).all()  # the absence the fit saw: its own beta
    assert out[:, 1].mean() == pytest.approx(-0.5, abs=0.02)  # a new one: the population
    assert out[:, 1].std() == pytest.approx(0.25, rel=0.05)  # ... with its spread, decayed
    assert (out[:, 2] == 0.0).all()
    # Per athlete (the default): A's own beta for every absence of A, no fresh spread.
    per_athlete = injury.offsets(post, ["A", "A", "B"], decay, loglen)
    assert (per_athlete[:, 0] == -2.0).all() and (per_athlete[:, 1] == -1.0).all()


def test_centred_levels_step_with_the_sd_of_their_gap():
    """The centred walk of busy athletes: each later level is Normal(previous level,
    step_sd * scale) with the scale of its own cell."""
    from scipy.stats import norm

    from rivalrymodel.models.terms.ability import _walk_logp

    scale = np.array([0.5, 1.0, 0.5])  # the later cells 1, 2 and 4
    kw = {"first_cell": np.array([0, 3]), "cell_athlete": np.array([0, 0, 0, 1, 1])}
    base, later = pt.as_tensor([0.1, -0.2]), pt.as_tensor([0.3, 0.0, 0.4])
    got = _walk_logp(later, base, 0.8, None, scale=scale, **kw).eval()
    want = norm.logpdf([0.3 - 0.1, 0.0 - 0.3, 0.4 + 0.2], 0.0, 0.8 * scale).sum()
    assert got == pytest.approx(want)


def test_global_noise_column_only_with_race_class_and_older_fits_read_their_prefix():
    from rivalrymodel.data.schema import is_global_championship
    from rivalrymodel.models.terms import noise

    assert list(is_global_championship(["OG2024", "WCH2023", "WIC2024", "EC2022", "", None])) == [
        True, True, False, False, False, False,
    ]  # fmt: skip
    assert noise.columns(rm.ModelSpec()) == ("heat", "semi", "unpaced", "indoor")
    assert noise.columns(rm.variants()["global_noise"])[-1] == "global"
    row = noise.noise_rows("final", False, False, True)  # an unpaced global final
    np.testing.assert_array_equal(row, [0, 0, 1, 0, 1])

    class Draws:  # a fit's gamma draws: 4 columns (no race_class) or 5
        n_samples = 2

        def __init__(self, gamma):
            self.gamma = gamma

        def has(self, name):
            return name == "noise"

        def draws(self, name):
            return self.gamma

    four = noise.noise_scale(Draws(np.full((2, 4), 0.1)), row)
    five = noise.noise_scale(Draws(np.full((2, 5), 0.1)), row)
    np.testing.assert_allclose(four, np.exp(0.1))  # the global column is not read
    np.testing.assert_allclose(five, np.exp(0.2))
