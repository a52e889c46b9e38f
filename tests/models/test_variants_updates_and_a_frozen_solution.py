"""The model's front door: variants, updates in place, a frozen solution, components that explain themselves."""

import dataclasses

import pytest
from rechain.models.model import PARAMETERS, Model, Variant, is_mutable
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook


@pytest.fixture
def tiny(examples):
    return make_dataset(load_workbook(examples / "tiny"))


def test_update_in_place_equals_the_worked_case(tiny):
    """Tiny (test_cli_tiny): system cost 2,800. Demand doubled: build 40 tpa (40,000), opex 2 x (40 x 10 +
    40 x 20) = 2,400, salvage 0.92 x 40,000 = 36,800 -> 5,600; 20 t unmet in 2025 -> + 2e8."""
    model = Model(tiny)
    assert model.solve().summary["system_cost_usd"] == pytest.approx(2800)
    model.update("demand_factor", 2.0)
    s = model.solve().summary
    assert s["system_cost_usd"] == pytest.approx(5600) and s["objective_usd"] == pytest.approx(5600 + 2e8)


def test_a_cold_solve_gives_the_worked_answers(tiny):
    """Cold (no basis, presolve anew) and warm re-solves alternate: the same answers as the worked
    case — 2,800, doubled demand 5,600 (+2e8 unmet), then both again."""
    model = Model(tiny)
    for cold in (False, True):
        model.update("demand_factor", 1.0)
        assert model.solve(cold=cold).summary["system_cost_usd"] == pytest.approx(2800)
        model.update("demand_factor", 2.0)
        assert model.solve(cold=not cold).summary["objective_usd"] == pytest.approx(5600 + 2e8)


def test_structure_is_not_updated(tiny):
    model = Model(tiny)
    assert not is_mutable("budget_usd", 1e9, tiny) and not is_mutable("last_year", 2030)
    with pytest.raises(ValueError, match="structure"):
        model.update("budget_usd", 1e9)
    with pytest.raises(ValueError, match="structure"):
        model.update("independence_year", 2026)


def test_the_parameter_table_covers_every_sweep_key():
    assert set(PARAMETERS) == {
        "discount_rate",
        "max_restricted_share",
        "restricted_cost_factor",
        "unmet_penalty_usd_per_t",
        "shortfall_penalty_usd_per_t",
        "budget_usd",
        "annual_budget_usd",
        "demand_factor",
        "capex_factor",
        "opex_factor",
        "max_t",
        "initial_t",
        "max_share",
    }


def test_solution_is_frozen(tiny):
    solution = Model(tiny).solve()
    with pytest.raises(dataclasses.FrozenInstanceError):
        solution.status = None


def test_least_budget_variant(tiny):
    """Tiny at α = 0 from 2026 (all allied, so all clean): 10 t/yr of separated A needs 20 t of ore
    through a 20 tpa plant (1,000 USD/tpa) started in 2025: the least budget is 20,000."""
    ds = dataclasses.replace(
        tiny, settings=dataclasses.replace(tiny.settings, max_restricted_share=0.0, independence_year=2026)
    )
    solution = Model(ds, Variant.LEAST_BUDGET).solve()
    assert solution.least_budget_usd == pytest.approx(20_000)


def test_every_component_says_what_it_is(examples):
    from rechain.inputs import reference_workbook

    for path in (examples / "tiny", reference_workbook()):
        m = Model(make_dataset(load_workbook(path)))._solver.built.model
        assert [c.local_name for c in m.component_objects(descend_into=False) if not c.doc] == []


def test_terminal_lists_stages_in_chain_order(examples):
    """Stages whose names sort against the chain (`ore` 1, `cracking` 2) print in chain order."""
    import io

    import pandas as pd
    from rechain.models.figures import Basis, Figures, RunFacts
    from rechain.models.highs import Status
    from rechain.models.solution import Solution
    from rechain.report.terminal import print_summary
    from rich.console import Console

    run = RunFacts("optimal", "", solve_seconds=0.1, build_seconds=0.1, stages=("ore", "cracking"))
    figures = Figures(1.0, 1.0, 0.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, {}, None, {}, 2030, {}, {}, {}, {}, Basis(0, 0))
    builds = pd.DataFrame({"bloc": ["west", "west"], "stage": ["cracking", "ore"], "capex_usd": [2.0, 1.0]})
    out = io.StringIO()
    print_summary(
        Console(file=out, width=200),
        Solution(Status.OPTIMAL, "", run, figures, {"builds": builds}),
        {"input": "x.xlsx"},
    )
    header = next(line for line in out.getvalue().splitlines() if "bloc" in line and "ore" in line)
    assert header.index("ore") < header.index("cracking")


def test_least_alpha_with_recipes_by_bisection():
    """10 t of Magnet, one recipe: 0.3 t NdPr and 0.02 t Dy per t, so 0.2 t of Dy is needed. Clean Dy:
    0.05 t from DMine, and NewDy can be built at 1,000 USD per t/yr; China has Dy in plenty; NdPr is
    clean and plentiful. With product demand, (1 − α)·need is not linear in α, so the least α is found by
    bisection: budget 0 -> 1 − 0.05/0.2 = 0.75; budget 50 USD (0.05 t/yr more) -> 1 − 0.1/0.2 = 0.5."""
    from worked import magnet_dy

    ds = magnet_dy(budget_usd=0.0)
    model = Model(ds, Variant.LEAST_ALPHA)
    first = model.solve()
    assert first.optimal and first.least_alpha == pytest.approx(0.75, abs=2e-6)
    model.update("budget_usd", 50.0)
    second = model.solve()
    assert second.least_alpha == pytest.approx(0.5, abs=2e-6)
    assert second.summary["shortfall_t"] == pytest.approx(0, abs=1e-6)
    assert second.summary["capex_usd"] == pytest.approx(50, rel=1e-6)
