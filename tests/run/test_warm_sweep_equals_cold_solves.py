"""Sweeps: the grid, warm re-solves equal to cold solves, hand-checked points.

The `frontier` example: clean ore (allied mine), a Chinese separator at opex 1
USD/t with spare capacity, an allied separator to be built at 100 USD/tpa
(lifetime 1, no salvage) with opex 5; 10 t of A demanded in 2025.
At share alpha the clean 10(1 - alpha) t cost 105 each and the rest 1 each:
cost(alpha) = 10 alpha + 1050 (1 - alpha).
"""

import pytest
from rechain.run.sweep import grid, solve_points
from rechain.workbook.keys import parse_params
from rechain.workbook.validate import load_workbook


def test_grid_is_a_snake_product():
    params = parse_params(["demand_factor=1,2", "budget_usd=0:10:3"])
    assert params["budget_usd"] == ["0.0", "5.0", "10.0"]
    points = grid(params)
    assert [(p["demand_factor"], p["budget_usd"]) for p in points] == [
        ("1", "0.0"),
        ("1", "5.0"),
        ("1", "10.0"),
        ("2", "10.0"),
        ("2", "5.0"),
        ("2", "0.0"),
    ]


@pytest.mark.parametrize("alpha", [1.0, 0.7, 0.25, 0.0])
def test_cost_of_independence_by_hand(examples, alpha):
    wb = load_workbook(examples / "frontier")
    [r] = solve_points(wb, None, (), [{"max_restricted_share": str(alpha)}])
    assert r.row["system_cost_usd"] == pytest.approx(10 * alpha + 1050 * (1 - alpha))


def test_warm_sweep_equals_cold_solves(examples):
    """Points avoid the kinks where duals are not unique: alpha = 0 (requirement = demand)
    and budgets equal to a capex need (100, 300, ... 900, times 1 or 1.5)."""
    wb = load_workbook(examples / "frontier")
    points = grid(
        parse_params(
            [
                "max_restricted_share=0.9:0.1:5",
                "restricted_cost_factor=1,3",
                "budget_usd=50:1250:3",
                "demand_factor=1,1.5",
            ]
        )
    )
    warm = solve_points(wb, None, (), points)
    cold = solve_points(wb, None, (), points, warm=False)
    assert len(warm) == len(points) == 60
    for w, c in zip(warm, cold, strict=True):
        assert w.row.keys() == c.row.keys()
        for key, value in c.row.items():
            if isinstance(value, float):
                assert w.row[key] == pytest.approx(value, rel=1e-6, abs=1e-6), (w.point, key)
            else:
                assert w.row[key] == value
