"""The direct path to HiGHS (models/direct.py) against Pyomo's persistent interface: the same LP,
so the same status, objective (1e-9 relative) and duals, cold and after warm changes of parameters,
bounds and objectives. Each test runs one sequence of steps on both paths and compares step by step."""

from __future__ import annotations

import dataclasses
import math

import pyomo.environ as pyo
import pytest
from rechain.models.highs import SolveOptions, Status
from rechain.models.model import Model
from rechain.models.two_stage import TwoStage
from rechain.models.variants import Variant
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook

from worked import read_reference

PATHS = ("persistent", "direct")
DUAL_TOLERANCE = 1e-7  # absolute, in the model's units (million USD per unit of the row)


def _outcome(model: Model) -> tuple[Status, float, dict[str, float]]:
    """Solve the COST LP through its CaseSolver: status, objective, every dual by row name."""
    solver = model._solver
    outcome = solver.solve()
    objective = pyo.value(solver.built.model.objective) if outcome.status is Status.OPTIMAL else math.nan
    return outcome.status, objective, {con.name: dual for con, dual in outcome.duals.items()}


def _same(runs: dict[str, list[tuple[Status, float, dict[str, float]]]]) -> None:
    for step, (a, b) in enumerate(zip(*runs.values(), strict=True)):
        assert a[0] == b[0], f"step {step}: status"
        if a[0] is Status.OPTIMAL:
            assert b[1] == pytest.approx(a[1], rel=1e-9, abs=1e-9), f"step {step}: objective"
            assert a[2].keys() == b[2].keys(), f"step {step}: rows with duals"
            worst = max((abs(a[2][k] - b[2][k]) for k in a[2]), default=0.0)
            assert worst <= DUAL_TOLERANCE, f"step {step}: duals differ by {worst}"


def _steps(ds, steps, variant: Variant = Variant.COST) -> None:
    runs = {}
    for path in PATHS:
        model = Model(ds, variant, SolveOptions(path=path))
        runs[path] = []
        for step in steps:
            step(model)
            runs[path].append(_outcome(model))
    _same(runs)


def _fix_first_year(model: Model) -> None:
    model.fix_builds(model.builds(), before=min(model.dataset.settings.years) + 3)


def test_reference_workbook_cold_and_warm():
    """The reference workbook's budget scenario: cold; α 0.5; a lower budget; allied capex × 1.3; the
    builds of the first three years held (bounds); every build free again."""

    ds = make_dataset(read_reference(), "budget_8_5bn")
    _steps(
        ds,
        [
            lambda m: None,
            lambda m: m.update("max_restricted_share", 0.5),
            lambda m: m.update("budget_usd", 6e9),
            lambda m: m.update("capex_factor.allied", 1.3),
            _fix_first_year,
            lambda m: m.forbid_builds(frozenset()),
        ],
    )


@pytest.mark.parametrize("example", ["tiny", "frontier", "v2"])
def test_small_examples_cold_and_warm(examples, example):
    """Cold; α 0.25; discount 5 %; restricted cost × 0.5; demand × 2; builds held; demand × −1 (no
    plan meets a negative demand: infeasible, on both paths, after a warm and a cold run)."""
    ds = make_dataset(load_workbook(examples / example))
    _steps(
        ds,
        [
            lambda m: None,
            lambda m: m.update("max_restricted_share", 0.25),
            lambda m: m.update("discount_rate", 0.05),
            lambda m: m.update("restricted_cost_factor", 0.5),
            lambda m: m.update("demand_factor", 2.0),
            _fix_first_year,
            lambda m: m.update("demand_factor", -1.0),
        ],
    )


def test_negative_demand_is_infeasible_on_both_paths(examples):
    """Demand rows say deliveries + unmet = need with both ≥ 0: a need of −10 t has no plan."""
    ds = make_dataset(load_workbook(examples / "tiny"))
    for path in PATHS:
        model = Model(ds, options=SolveOptions(path=path))
        model.update("demand_factor", -1.0)
        assert model.solve().status is Status.INFEASIBLE


@pytest.mark.parametrize("variant", [Variant.LEAST_ALPHA, Variant.LEAST_BUDGET])
def test_variants_with_two_objectives(examples, variant):
    """The frontier example at budgets 1,000 and 400 (LEAST_ALPHA: two objectives, α fixed between
    them) and at α 0 (LEAST_BUDGET): the same solutions on both paths."""
    ds = make_dataset(load_workbook(examples / "frontier"))
    ds = dataclasses.replace(ds, settings=dataclasses.replace(ds.settings, budget_usd=1000.0, max_restricted_share=0.0))
    found = {}
    for path in PATHS:
        model = Model(ds, variant, SolveOptions(path=path))
        first = model.solve()
        model.update("budget_usd", 400.0)
        found[path] = [first, model.solve()]
    for a, b in zip(*found.values(), strict=True):
        assert (a.status, a.least_alpha, a.least_budget_usd) == pytest.approx(
            (b.status, b.least_alpha, b.least_budget_usd)
        )
        assert b.summary["objective_usd"] == pytest.approx(a.summary["objective_usd"], rel=1e-9)
        assert [p.meaning for p in a.shadow_prices] == [p.meaning for p in b.shadow_prices]
        assert [p.value for p in a.shadow_prices] == pytest.approx([p.value for p in b.shadow_prices])


def test_two_stage_extensive_form(examples):
    """The hedge of two draws of the tiny example (demand × 1 and × 2) with the recourse year 2026."""
    ds = make_dataset(load_workbook(examples / "tiny"))
    draws = [ds, dataclasses.replace(ds, demand_factor=2.0)]
    found = {path: TwoStage(draws, 2026, SolveOptions(path=path)) for path in PATHS}
    solved = {path: two.solve() for path, two in found.items()}
    for a, b in zip(*solved.values(), strict=True):
        assert a.status is b.status is Status.OPTIMAL
        assert b.summary["objective_usd"] == pytest.approx(a.summary["objective_usd"], rel=1e-9)
    assert found["direct"].plan() == pytest.approx(found["persistent"].plan())


def test_written_model_names_columns_and_rows(examples, tmp_path):
    """--write-model on the direct path names columns and rows after the model's components, as
    the persistent path does: the same names in both files."""
    ds = make_dataset(load_workbook(examples / "tiny"))
    names = {}
    for path in PATHS:
        model = Model(ds, options=SolveOptions(path=path))
        model.write(tmp_path / f"{path}.lp")
        text = (tmp_path / f"{path}.lp").read_text()
        names[path] = {word for word in text.replace(":", " ").split() if "(" in word}
    assert "build(USA,2,2025)" in names["direct"] or any(n.startswith("build(") for n in names["direct"])
    assert names["direct"] == names["persistent"]


def test_unknown_path_is_refused():
    with pytest.raises(ValueError, match="direct, persistent"):
        SolveOptions(path="linopy")


@pytest.mark.parametrize("path", PATHS)
def test_highs_seconds_is_this_solve_only(examples, path):
    """`highs_seconds` is the time HiGHS ran in this solve. HiGHS's own run clock counts every run
    of a model: read as is, the n-th warm re-solve reported the sum of all n, and 30 re-solves
    would add up to about 465 runs' worth — more than the 30 solves took from end to end."""
    model = Model(make_dataset(load_workbook(examples / "tiny"), None, ()), options=SolveOptions(path=path))
    seconds = []
    for i in range(30):
        model.update("max_restricted_share", 0.5 if i % 2 else 0.4)
        summary = model.solve(tables=False).summary
        seconds.append((summary["highs_seconds"], summary["solve_seconds"]))
    assert sum(h for h, _ in seconds) <= sum(s for _, s in seconds)
    assert all(0 <= h for h, _ in seconds)
