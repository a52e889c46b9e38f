"""Cost frontiers on the `frontier` example (see run/test_warm_sweep_equals_cold_solves.py for the hand algebra):
cost(alpha) = 10 alpha + 1050 (1 - alpha); a budget B buys B/100 t of clean capacity,
so the smallest alpha with no shortfall is 1 - B/1000."""

import pytest
from rechain.run.frontier import budget_frontier, cost_of_independence, default_budgets
from rechain.workbook.validate import load_workbook


@pytest.fixture
def wb(examples):
    return load_workbook(examples / "frontier")


def test_cost_of_independence_table(wb):
    table = cost_of_independence(wb, None, (), points=11)
    assert list(table["alpha"]) == pytest.approx([1 - i / 10 for i in range(11)])
    assert table["premium_usd"].iloc[0] == 0
    assert list(table["system_cost_usd"]) == pytest.approx([10 * a + 1050 * (1 - a) for a in table["alpha"]])
    assert table["premium_usd"].iloc[-1] == pytest.approx(1040)
    assert table["premium_share"].iloc[-1] == pytest.approx(104)  # 1,040 over 10
    assert table["system_cost_usd"].is_monotonic_increasing, "cost never falls as alpha falls"


def test_budget_frontier_by_hand(wb):
    """Budget 400 → alpha = 0.6 and cost 0.6 x 10 + 0.4 x 1050 = 426; 0 → alpha 1 (cost 10)."""
    table = budget_frontier(wb, None, (), [0, 400, 1000, 2000]).set_index("budget_usd")
    assert table.loc[400, "min_alpha"] == pytest.approx(0.6, abs=1e-6)
    assert table.loc[400, "system_cost_usd"] == pytest.approx(426, abs=1e-3)
    assert table.loc[0, "min_alpha"] == pytest.approx(1, abs=1e-6)
    assert table.loc[1000, "min_alpha"] == pytest.approx(0, abs=1e-6)
    assert table.loc[2000, "capex_usd"] == pytest.approx(1000, abs=1e-3)
    assert table["system_cost_usd"].loc[[0, 400, 1000]].is_monotonic_increasing
    assert table["min_alpha"].is_monotonic_decreasing, "more budget never buys less independence"


def test_default_budget_grid_ends_at_full_independence_capex(wb):
    table = cost_of_independence(wb, None, (), points=3)
    assert default_budgets(table, 5) == pytest.approx([0, 250, 500, 750, 1000])


def test_cost_factor_axis(wb):
    """With China at half cost (0.5 USD/t) the alpha = 1 plan costs 5 and full independence 1,050."""
    table = cost_of_independence(wb, None, (), points=2, cost_factor=0.5)
    assert list(table["system_cost_usd"]) == pytest.approx([5, 1050])


def test_cost_never_rises_as_budget_grows(wb):
    """At alpha = 0.5 (5 t must be clean, 500 USD of capex): budgets 0, 250, 500, 1000 give
    objectives 10 + 5 x 1e7 (all shortfall), then 2.5 t shortfall, then none: non-increasing."""
    from rechain.run.sweep import solve_points

    rows = [
        r.row
        for r in solve_points(
            wb, None, (("max_restricted_share", "0.5"),), [{"budget_usd": b} for b in ("0", "250", "500", "1000")]
        )
    ]
    objectives = [r["objective_usd"] for r in rows]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[0] == pytest.approx(10 + 5e7)
    assert objectives[2] == pytest.approx(objectives[3]) == pytest.approx(5 + 5 * 105)


def test_budgets_above_an_unbound_one_take_its_plan(wb, monkeypatch):
    """Budget 2,000 reaches alpha = 0 with 1,000 of capex (1,000 below it): 3,000 and 5,000 keep that
    plan (cost 1,050) without a solve; 0 and 2,000 take two solves each (least alpha, then cost)."""
    from rechain.models.highs import CaseSolver

    calls, solve = [], CaseSolver.solve
    monkeypatch.setattr(CaseSolver, "solve", lambda self: calls.append(1) or solve(self))
    table = budget_frontier(wb, None, (), [0, 2000, 3000, 5000]).set_index("budget_usd")
    assert len(calls) == 4
    assert list(table["min_alpha"]) == pytest.approx([1, 0, 0, 0], abs=1e-6)
    assert list(table["system_cost_usd"]) == pytest.approx([10, 1050, 1050, 1050], abs=1e-3)
    assert list(table["capex_usd"].loc[[3000, 5000]]) == pytest.approx([1000, 1000], abs=1e-3)


def test_a_binding_budget_at_alpha_zero_is_solved_again(wb, monkeypatch):
    """Budget 1,000 reaches alpha = 0 with all of it spent (binding): 2,000 is solved (4 solves)."""
    from rechain.models.highs import CaseSolver

    calls, solve = [], CaseSolver.solve
    monkeypatch.setattr(CaseSolver, "solve", lambda self: calls.append(1) or solve(self))
    table = budget_frontier(wb, None, (), [1000, 2000])
    assert len(calls) == 4 and list(table["min_alpha"]) == pytest.approx([0, 0], abs=1e-6)
