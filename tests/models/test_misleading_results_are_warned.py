"""Warnings about results that would mislead."""

from rechain.run.numerics import penalty_warnings, quality_warnings, unit_cost_ceiling

from worked import case, fac


def mine(penalty):
    return case(
        (2025, 2026),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, capex_usd_per_tpa=1000, fixed_om_usd_per_tpa_yr=10, opex_usd_per_t=40, lifetime_years=25)],
        {"Mine": {"A": 1.0}},
        {("Buyer", "A", 2026): 5.0},
        settings={"unmet_penalty_usd_per_t": penalty},
    )


def test_unit_cost_ceiling_by_hand():
    """Capex 1,000 over min(25, 2 years) = 500, + fixed O&M 10 + opex 40 = 550 USD/t."""
    assert unit_cost_ceiling(mine(1e7)) == 550


def test_weak_penalty_is_warned():
    assert penalty_warnings(mine(1e7)) == []
    [warning] = penalty_warnings(mine(2000))
    assert "unmet_penalty_usd_per_t" in warning and "550" in warning


def test_poor_solution_quality_is_warned():
    assert quality_warnings({"max_primal_infeasibility": 1e-9, "max_dual_infeasibility": 0}) == []
    assert "primal infeasibility" in quality_warnings({"max_primal_infeasibility": 1e-3})[0]
