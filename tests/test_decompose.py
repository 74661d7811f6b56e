"""``tenseki decompose A B`` (sim/decompose.py): B − A split into the contributions of the policy
components, one at a time and the Shapley way, on common random numbers.

The arithmetic is checked on value functions with known answers (efficiency, symmetry, the null
component, a closed form, and that wrong weights are caught); the runs on tiny worlds (scale
0.002, 12 months): the contributions add up to the total seed by seed, a component that changes
nothing gets exactly 0, the hybrid with every component is B to the bit, and the command's errors
(an unknown scenario, too many components, an invalid hybrid, a bad components file) exit 2 with
one line."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from test_cli import assert_clean_failure, tenseki

from sim import decompose as dec
from sim.experiments import sweep
from sim.scenario import load_scenario
from sim.summary import METRICS, headline

MONTHS, SCALE, SEEDS = 12, 0.002, [1, 2]


def all_subsets(k: int, v) -> np.ndarray:
    """v(S) for every mask S of k components (bit i: component i), from a function of the set."""
    return np.array([v({i for i in range(k) if mask >> i & 1}) for mask in range(1 << k)], dtype=float)


def shapley_by_orders(values: np.ndarray) -> np.ndarray:
    """The Shapley value by its definition: the mean marginal contribution over all k! orders."""
    k = values.shape[0].bit_length() - 1
    phi = np.zeros(k)
    for order in itertools.permutations(range(k)):
        mask = 0
        for i in order:
            phi[i] += values[mask | 1 << i] - values[mask]
            mask |= 1 << i
    return phi / math.factorial(k)


# =============================================================================================
# The arithmetic
# =============================================================================================
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_shapley_adds_up_to_the_total_and_equals_the_mean_over_orders(k):
    """Efficiency: on a value function full of interactions the contributions add up to v(N) −
    v(∅) to floating precision, and equal the definition (the mean over all orders)."""
    rng = np.random.default_rng(k)
    values = rng.normal(size=1 << k) * 10.0
    phi = dec.shapley_values(values)
    assert phi.sum() == pytest.approx(values[-1] - values[0], abs=1e-12)
    np.testing.assert_allclose(phi, shapley_by_orders(values), atol=1e-12)


def test_shapley_of_a_square_is_each_share_times_the_sum():
    """A closed form: for v(S) = (Σ_{i∈S} x_i)^2, φ_i = x_i Σ x."""
    x = np.array([1.0, 2.0, -0.5, 4.0])
    values = all_subsets(4, lambda s: sum(x[i] for i in s) ** 2)
    np.testing.assert_allclose(dec.shapley_values(values), x * x.sum(), atol=1e-12)


def test_two_interchangeable_components_get_equal_shares():
    """Symmetry: components 0 and 1 enter v only through how many of them are switched (they
    are needed together, and interact with 2): their contributions are equal."""
    values = all_subsets(3, lambda s: 5.0 * (len(s & {0, 1}) == 2) + 1.5 * (2 in s) * len(s & {0, 1}) + 0.3 * (2 in s))
    phi = dec.shapley_values(values)
    assert phi[0] == pytest.approx(phi[1], abs=1e-12)
    assert phi[0] == pytest.approx(5.0 / 2 + 1.5 / 2, abs=1e-12)  # half the pair's 5, half its interaction with 2


def test_a_component_that_changes_nothing_gets_zero():
    """The null component: v does not depend on component 1, so its contribution, alone and
    last are all 0, and the others share the total."""
    values = all_subsets(3, lambda s: 2.0 * (0 in s) + 3.0 * (0 in s) * (2 in s) - 1.0 * (2 in s))
    phi = dec.shapley_values(values)
    alone, last = dec.one_at_a_time(values)
    assert phi[1] == alone[1] == last[1] == 0.0
    assert phi.sum() == pytest.approx(values[-1] - values[0])


def test_one_at_a_time_from_a_and_from_b():
    """Alone is v({i}) − v(∅), last is v(N) − v(N without i); with an interaction they do not add
    up to the total (its gap is the interaction)."""
    values = all_subsets(2, lambda s: 1.0 * (0 in s) + 2.0 * (1 in s) + 4.0 * (s == {0, 1}))
    alone, last = dec.one_at_a_time(values)
    np.testing.assert_array_equal(alone, [1.0, 2.0])
    np.testing.assert_array_equal(last, [5.0, 6.0])
    np.testing.assert_array_equal(dec.shapley_values(values), [3.0, 4.0])


@pytest.mark.parametrize("wrong", [
    lambda size, k: 1.0 / 2 ** (k - 1),  # Banzhaf: every coalition counted alike
    lambda size, k: math.factorial(size) * math.factorial(k - size) / math.factorial(k),  # an off-by-one
])
def test_wrong_weights_are_caught(monkeypatch, wrong):
    """Breaking the Shapley weights breaks efficiency on a value function with a three-way
    interaction (with pairwise ones only, Banzhaf's weights give the Shapley values), and the check
    refuses it (so does the test against the definition above)."""
    values = all_subsets(3, lambda s: len(s) ** 2 + 2.0 * (0 in s) * (1 in s) + 3.0 * (len(s) == 3))  # a 3-way interaction:
    monkeypatch.setattr(dec, "shapley_weight", wrong)
    with pytest.raises(ArithmeticError, match="do not add up"):
        dec.shapley_values(values)


def test_trailing_axes_are_decomposed_independently():
    """Seeds and metrics as trailing axes: each column is its own decomposition."""
    rng = np.random.default_rng(7)
    values = rng.normal(size=(8, 3, 2))
    phi = dec.shapley_values(values)
    for s in range(3):
        for j in range(2):
            np.testing.assert_allclose(phi[:, s, j], shapley_by_orders(values[:, s, j]), atol=1e-12)


# =============================================================================================
# Components and hybrids
# =============================================================================================
def scenarios(months: int = MONTHS, scale: float = SCALE):
    return (load_scenario("titp").with_run(months=months, scale=scale),
            load_scenario("esd_transition").with_run(months=months, scale=scale))


def test_components_by_section_cover_the_differences():
    """titp → esd_transition differs in four sections of the policy; every differing setting is
    in exactly one, and the hybrid with all of them is esd_transition."""
    a, b = scenarios()
    components = dec.choose_components(a, b)
    assert [c.name for c in components] == ["transfer", "stay", "supervision", "recruitment"]
    keys = [k for c in components for k in c.keys]
    assert sorted(keys) == sorted(dec.differing_settings(a, b)) and len(set(keys)) == len(keys)
    assert "policy.transfer.waiting_months_by_field" in keys  # a table by field is one setting
    assert not dec.differing_settings(dec.hybrids(a, b, components)[-1].scenario, b)


def test_the_shipped_components_file(tmp_path):
    """scenarios/experiments/components_esd_reform.toml splits the reform into five named parts."""
    from sim.scenario import shipped_scenario_dir

    a, b = scenarios()
    file = shipped_scenario_dir() / "experiments" / "components_esd_reform.toml"
    components = dec.choose_components(a, b, str(file))
    assert [c.name for c in components] == ["job_change", "programme", "supervision", "fee_cap", "caps_on_residents"]
    assert components[4].keys == ("policy.recruitment.stock_cap_esd", "policy.recruitment.stock_caps_ssw_and_esd_by_field")


@pytest.mark.parametrize("body, message", [
    ('[components]\nall = ["policy.transfer"]\n', "which no component names"),
    ('[components]\nx = ["policy.transfer"]\ny = ["policy.transfer.regime"]\nz = ["policy"]\n', "in two components"),
    ('[components]\nx = ["policy.transfr"]\n', "did you mean 'policy.transfer'"),
    ('[components]\nx = "policy.transfer"\n', "give a list"),
    ('[parts]\nx = ["policy"]\n', "[components]"),
])
def test_a_bad_components_file_is_refused(tmp_path, body, message):
    a, b = scenarios()
    file = tmp_path / "c.toml"
    file.write_text(body, encoding="utf-8")
    with pytest.raises(dec.DecompositionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        dec.choose_components(a, b, str(file))


def test_an_invalid_hybrid_names_its_components():
    """A waits 48 months (no transfers, so allowed) within a 36-month stay; B allows transfers
    after 24 months. Switching the regime alone makes a wait longer than the stay: refused,
    naming the component."""
    base = load_scenario("titp")
    a = base.with_changes({"name": "a", "policy.transfer.waiting_months": 48, "policy.stay.max_trainee_months": 36})
    b = base.with_changes({"name": "b", "policy.transfer.regime": "after_waiting_period",
                           "policy.transfer.waiting_months": 24, "policy.stay.max_trainee_months": 36})
    components = dec.choose_components(a, b, "key")
    with pytest.raises(dec.DecompositionError, match=r"a \+ \[transfer\.regime\].*longer than the maximum stay"):
        dec.hybrids(a, b, components)


def test_too_many_components_are_refused_with_advice():
    a, b = scenarios()
    with pytest.raises(dec.DecompositionError, match=r"\d\d components .* at most 8 .* group them"):
        dec.choose_components(a, b, "key")


def test_identical_scenarios_have_nothing_to_decompose():
    a, _ = scenarios()
    with pytest.raises(dec.DecompositionError, match="do not differ"):
        dec.choose_components(a, a.with_changes({"name": "copy"}))


# =============================================================================================
# On runs (tiny worlds, common random numbers)
# =============================================================================================
@pytest.fixture(scope="module")
def decomposed(tmp_path_factory):
    """titp → titp with free job change, a fee cap and an integration cost that nobody pays
    (support is nowhere): three components, the last a null one, two seeds."""
    a = load_scenario("titp").with_run(months=MONTHS, scale=SCALE)
    b = a.with_changes({"name": "b", "policy.transfer.regime": "free", "policy.recruitment.fee_cap_months_of_pay": 1.0,
                        "policy.integration.cost_yen_per_resident_year": 90_000.0})
    components = dec.choose_components(a, b)
    out = tmp_path_factory.mktemp("decompose")
    result = sweep(dec.experiment(a, b, components, SEEDS), out)
    assert not result.failed
    return a, b, components, dec.decompose_store(out, a, b, components, SEEDS, plots=False), out


def test_runs_add_up_seed_by_seed(decomposed):
    """Efficiency on runs: on every seed and outcome the Shapley contributions add up to B − A."""
    _a, _b, components, d, _out = decomposed
    per_seed = d.per_seed
    parts = per_seed[per_seed.component != dec.TOTAL].groupby(["metric", "seed"])["shapley"].sum()
    total = per_seed[per_seed.component == dec.TOTAL].set_index(["metric", "seed"])["shapley"]
    assert len(total) > 10
    np.testing.assert_allclose(parts.loc[total.index].to_numpy(), total.to_numpy(), rtol=1e-12, atol=1e-9)
    means = d.table[d.table.component != dec.TOTAL].groupby("metric")["shapley"].sum()
    totals = d.table[d.table.component == dec.TOTAL].set_index("metric")["shapley"]
    np.testing.assert_allclose(means.loc[totals.index].to_numpy(), totals.to_numpy(), rtol=1e-12, atol=1e-9)


def test_the_null_component_gets_exactly_zero(decomposed):
    _a, _b, components, d, _out = decomposed
    assert [c.name for c in components] == ["transfer", "recruitment", "integration"]
    null = d.per_seed[d.per_seed.component == "integration"]
    assert (null[list(dec.METHODS)].to_numpy() == 0.0).all()
    moved = d.table[(d.table.component == "transfer") & (d.table.metric == "trainee_job_changes_per_1000")]
    assert float(moved["shapley"].iloc[0]) > 0  # the real change does move something


def test_pairwise_interactions(decomposed):
    """The interaction of a pair is v(both) − v(one) − v(other) + v(neither): 0 with the null
    component; for the other pair, Shapley = alone + half the interaction (two effective components)."""
    _a, _b, _components, d, _out = decomposed
    metric = "trainee_job_changes_per_1000"
    assert d.interaction(metric, 0, 2) == 0.0 and d.interaction(metric, 1, 2) == 0.0
    row = d.table[(d.table.metric == metric) & (d.table.component == "transfer")].iloc[0]
    assert row.shapley == pytest.approx(row.alone + d.interaction(metric, 0, 1) / 2, abs=1e-9)


def test_the_full_hybrid_is_b_and_the_empty_one_is_a(decomposed):
    """Common random numbers: the hybrids of no and of every component give A's and B's own
    outcomes on the same seed, to the bit."""
    import sim

    a, b, _components, d, _out = decomposed
    levels = d.levels.set_index("metric")
    for scenario, column in ((a, "a_mean"), (b, "b_mean")):
        runs = [headline(sim.run_scenario(scenario, seed=s)) for s in SEEDS]
        for metric in ("disappearances_per_1000", "trainee_job_changes_per_1000", "wage_mean_yen"):
            expected = np.mean([r[metric] for r in runs]) * METRICS[metric].factor
            assert levels.at[metric, column] == expected


def test_intervals_are_over_seeds(decomposed):
    """Each contribution's interval is the t interval of its seed-by-seed values (paired)."""
    from sim.report import t_interval

    _a, _b, _c, d, _out = decomposed
    g = d.per_seed[(d.per_seed.component == "transfer") & (d.per_seed.metric == "disappearances_per_1000")]
    row = d.table[(d.table.component == "transfer") & (d.table.metric == "disappearances_per_1000")].iloc[0]
    mean, _sd, lo, hi = t_interval(g["shapley"].to_numpy())
    assert (row.shapley, row.shapley_ci95_low, row.shapley_ci95_high, row.n_seeds) == (mean, lo, hi, len(SEEDS))


def test_the_text_and_the_figure(decomposed):
    from sim import plotstyle

    _a, _b, _c, d, _out = decomposed
    text = dec.format_decomposition(d, width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "Shapley [95% CI]" in text and "Student's t" in text and "titp →" not in text
    assert "Disappearances, all legal residents (per 1,000 person-years): titp" in text
    fig = dec.decomposition_figure(d)
    assert plotstyle.text_overlaps(fig) == []


# =============================================================================================
# The command
# =============================================================================================
def test_cli_unknown_scenario_exits_2(tmp_path):
    assert_clean_failure(tenseki("decompose", "titp", "nosuch", "--out", tmp_path / "o"), "nosuch")
    assert not (tmp_path / "o").exists()


def test_cli_too_many_components_exits_2(tmp_path):
    done = tenseki("decompose", "titp", "esd_transition", "--components", "key", "--out", tmp_path / "o")
    assert_clean_failure(done, " components (transfer.regime", "at most 8", "group them")
    assert not (tmp_path / "o").exists()


def test_cli_writes_the_table_and_the_figure(tmp_path):
    """A tiny decomposition end to end: plain text in a pipe, contributions.csv, .parquet, the
    figure; run again, every run is reused and the table is the same."""
    scenario = tmp_path / "free.toml"
    scenario.write_text('base = "titp"\nname = "free"\n[policy.transfer]\nregime = "free"\n'
                        '[policy.recruitment]\nfee_cap_months_of_pay = 1.0\n', encoding="utf-8")
    args = ("decompose", "titp", scenario, "--seeds", "2", "--months", "12", "--scale", "0.002", "--out", tmp_path / "o")
    done = tenseki(*args, columns=100)
    assert done.returncode == 0, done.stderr
    assert "free − titp over 2 seed(s)" in " ".join(done.stdout.split())
    folder = tmp_path / "o" / "decomposition"
    table = pd.read_csv(folder / "contributions.csv")
    assert set(table.component) == {"transfer", "recruitment", dec.TOTAL}
    assert {"contributions.parquet", "contributions.png", "contributions.svg"} <= {p.name for p in folder.iterdir()}
    again = tenseki(*args, columns=100)
    assert "0 run(s)" in again.stdout and "8 reused" in again.stdout
    pd.testing.assert_frame_equal(pd.read_csv(folder / "contributions.csv"), table)

