"""Models kept per structure (rechain.run.warm) on the `frontier` example: 10 t of demand, CNSep (China)
at opex 1 USD/t times φ, USSep (allied) at 100 USD per t/yr of capex + 5 USD/t, so
cost(α, φ) = 10 φ α + 1050 (1 − α) (run/test_cost_frontiers_by_hand.py)."""

import pandas as pd
import pytest
from pytest import approx
from rechain.models.highs import DEFAULT_OPTIONS, CaseSolver
from rechain.models.model import Model
from rechain.run.scenarios import compare_scenarios
from rechain.run.warm import Models
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook


@pytest.fixture
def wb(examples):
    return load_workbook(examples / "frontier")


@pytest.fixture
def counts(monkeypatch):
    """How many models were built and solved (CaseSolver)."""
    found = {"builds": 0, "solves": 0}
    init, solve = CaseSolver.__init__, CaseSolver.solve

    def counted_init(self, *args, **kwargs):
        found["builds"] += 1
        init(self, *args, **kwargs)

    def counted_solve(self):
        found["solves"] += 1
        return solve(self)

    monkeypatch.setattr(CaseSolver, "__init__", counted_init)
    monkeypatch.setattr(CaseSolver, "solve", counted_solve)
    return found


def cold(wb, overrides) -> float:
    return Model(make_dataset(wb, None, overrides)).solve().summary["objective_usd"]


def test_mutable_keys_share_one_build_and_are_reset(wb, counts):
    """φ = 0.5: 5; α = 0: 1050; α = 0.5 with φ back at 1: 5 + 525 = 530 (527.5 had φ stayed 0.5);
    the base case, 10, then φ = 0.5 again: solved before, not solved again. One build, four solves."""
    models = Models(wb)
    cases = [
        (("restricted_cost_factor", "0.5"),),
        (("max_restricted_share", "0"),),
        (("max_restricted_share", "0.5"),),
        (),
        (("restricted_cost_factor", "0.5"),),
    ]
    costs = [models.solve(None, case).summary["system_cost_usd"] for case in cases]
    assert costs == approx([5, 1050, 530, 10, 5], rel=1e-9)
    assert counts == {"builds": 1, "solves": 4} and (models.builds, models.solves) == (1, 4)
    warm = [models.solve(None, case).summary["objective_usd"] for case in cases]
    assert warm == approx([cold(wb, case) for case in cases], rel=1e-9)


def test_a_scenario_of_mutable_keys_is_the_same_case_as_its_overrides(wb, counts):
    """Scenario cheap_china (φ = 0.5) is the case `--set restricted_cost_factor=0.5`: one solve."""
    models = Models(wb)
    assert models.solve(None, (("restricted_cost_factor", "0.5"),)).summary["system_cost_usd"] == approx(5)
    assert models.solve("cheap_china").summary["system_cost_usd"] == approx(5)
    assert counts == {"builds": 1, "solves": 1}


def test_a_budget_where_the_base_has_none_builds_again(wb, counts):
    """A budget adds its row: budgets 2,000 and 3,000 share a second model (α = 0: 1,050 either way,
    the 1,000 of capex within both); the base keeps the first."""
    models = Models(wb)
    cases = [
        (),
        (("max_restricted_share", "0"), ("budget_usd", "2000")),
        (("max_restricted_share", "0"), ("budget_usd", "3000")),
        (),
    ]
    costs = [models.solve(None, case).summary["system_cost_usd"] for case in cases]
    assert costs == approx([10, 1050, 1050, 10])
    assert counts == {"builds": 2, "solves": 2 + 1}


def test_a_structural_key_is_never_updated(wb):
    """ramp_up rebuilds (model.md §9): same rows otherwise, another structure (the example's one year
    allows no other independence_year: test_a_rebuilding_row_at_the_settings_value_is_its_own_group)."""
    models = Models(wb)
    base = models.identity(None, (), make_dataset(wb))[0]
    moved = (("ramp_up", "0.5"),)
    assert models.identity(None, moved, make_dataset(wb, None, moved))[0] != base
    cheap = models.identity("cheap_china", (), make_dataset(wb, "cheap_china"))[0]
    assert cheap == base


def test_a_rebuilding_row_at_the_settings_value_is_its_own_group(wb, counts):
    """independence_year = 2025, the settings' own: the base case's LP and values, but a row written
    that rebuilds, so another group with a model of its own (reference: clean_by_location writes the
    default definition and is solved cold): two builds, two solves, both 10."""
    models = Models(wb)
    year = (("independence_year", "2025"),)
    base, written = (
        models.identity(None, (), make_dataset(wb)),
        models.identity(None, year, make_dataset(wb, None, year)),
    )
    assert written[0] != base[0] and written[1] == base[1]
    costs = [models.solve(None, case).summary["system_cost_usd"] for case in ((), year)]
    assert costs == approx([10, 10], rel=1e-9) and counts == {"builds": 2, "solves": 2}


def test_the_report_orders_a_group_by_the_keys_its_cases_set(examples):
    """v2 at any price: the base's group in the order of `_near` over the scalar parameters and the
    keys each case sets, position by position: less_sub (max_share.Mag.sub 0.2 where the others have
    φ ≥ 0.25) first, small_pile (max_t.Buyer.A 6) last. Re-solved warm in that order, the unconstrained
    case keeps the cold solve's marginal supply cost (what buyers pay, $100 m); after small_pile it
    would be $200 m (the marginal costs are not unique)."""
    from rechain.commands.common import with_any_price
    from rechain.run.findings import Runner, subject_of

    wb = with_any_price(load_workbook(examples / "v2"), True)
    run = Runner(wb, DEFAULT_OPTIONS, lambda *_: None)
    cases, budgets = run.tasks(subject_of(wb))[1]
    factors = [(("restricted_cost_factor", f),) for f in ("0.25", "0.333")]
    rest = [(("restricted_cost_factor", f),) for f in ("0.667", "1.0")]
    assert budgets is None and [(s, o) for s, o, _ in cases] == [
        ("less_sub", ()),
        *((None, f) for f in factors),
        (None, ()),
        (None, ()),
        *((None, f) for f in rest),
        ("small_pile", ()),
    ]
    paid = [run.models.solve(s, o, tables).figures.protected_payment_usd.discounted for s, o, tables in cases[:4]]
    cold = Model(make_dataset(wb)).solve().figures.protected_payment_usd.discounted
    assert paid[3] == approx(cold, rel=1e-9) and cold == approx(100e6, rel=1e-5)


def test_scenarios_of_mutable_keys_reuse_the_base_model(wb, counts):
    """base 10, cheap_china 5, china_free 1,050 (report/test_one_meaning_per_number.py): one build, three solves."""
    table = compare_scenarios(wb).set_index("scenario")
    assert list(table["system_cost_usd"]) == approx([10, 5, 1050])
    assert counts == {"builds": 1, "solves": 3}


def test_report_builds_two_models(wb, counts, tmp_path, examples):
    """The report on the example (one deadline, 2025, the settings' independence year; cost factors
    1, 0.667, 0.5, 0.333, 0.25): every cost case is one structure, one build; unconstrained and fully
    clean at φ = 1, both again at the four other factors (8), α = 0.1 and 0.5: 12 solves. The budget
    frontier, one LEAST_ALPHA build: budgets 0, 0.25, 0.5, 0.75, 1, 1.5 × 1,000 (the fully clean
    plan's budget capex), two solves each (12). The three scenarios are cases solved before (φ = 1,
    φ = 0.5, α = 0 at φ = 1). The tornado (no uncertainty sheet: one driver, the capacity of Mine, the
    largest clean mine of A, × 0.5 and × 1.5) builds the draws model once per point, its capacity being
    structural (base, low, high: 3), and solves each point clean and unconstrained (6); its second case,
    clean from the first deadline, is the same 2025 case, solved before."""
    from rechain.base.manifest import manifest
    from rechain.commands.report import write_report

    path = examples / "frontier"
    assert write_report(wb, path, tmp_path / "out", manifest(path, command="report")) == 0
    assert counts == {"builds": 2 + 3, "solves": 24 + 6}


def test_report_in_two_processes_equals_one(wb, tmp_path, examples):
    """The cases solved ahead in two processes, structure by structure in the same order: every
    table equal to the one-process report (unconstrained 10, fully clean from 2025 1,050, by hand above)."""
    from rechain.base.manifest import manifest
    from rechain.commands.report import write_report

    path, tables = examples / "frontier", {}
    for workers in (1, 2):
        man = manifest(path, command="report")
        write_report(
            wb, path, tmp_path / str(workers), man, show=lambda s, w=workers: tables.update({w: s}), workers=workers
        )
    assert tables[1].keys() == tables[2].keys()
    for name, one in tables[1].items():
        pd.testing.assert_frame_equal(one, tables[2][name], check_exact=False, rtol=1e-9)
    assert tables[2]["deadlines"]["system_cost_usd"].tolist() == approx([10, 1050])


def test_scenario_descriptions_are_a_column_when_there_are_any(wb):
    """A workbook with descriptions gets a `description` column after the name ("" for the base and
    where blank); without any, the table keeps its columns."""
    assert "description" not in compare_scenarios(wb)
    wb.scenario_descriptions = {"china_free": "no Chinese separation", "cheap_china": ""}
    table = compare_scenarios(wb)
    assert list(table.columns[:2]) == ["scenario", "description"]
    assert list(table["description"]) == ["", "", "no Chinese separation"]


def test_scenarios_in_two_processes_equal_one(wb):
    """One task per structure (here one: base 10, cheap_china 5, china_free 1,050): the same table."""
    one, two = compare_scenarios(wb), compare_scenarios(wb, workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=False, rtol=1e-9)
    assert list(two["system_cost_usd"]) == approx([10, 5, 1050])
