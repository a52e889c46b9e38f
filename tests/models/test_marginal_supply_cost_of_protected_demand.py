"""The marginal supply cost of protected demand (model.md, "What a solve reports (additions)"),
worked by hand: the derivative of the optimal objective with respect to one more tonne of
protected demand, undiscounted, in USD per kg."""

import pytest
from rechain.models.highs import CaseSolver, Status
from rechain.models.marginal import marginal_supply_cost

from worked import Route, case, fac, flat

A1 = {"A": 1.0}


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-12)


def msc(ds):
    solver = CaseSolver(ds)
    outcome = solver.solve()
    assert outcome.status is Status.OPTIMAL
    return marginal_supply_cost(solver.built, outcome.duals)


def two_separators(alpha, years=(2025, 2025), demand=None, discount_rate=0.0):
    """Clean allied mine; separators in China (opex 1) and allied (opex 5), 100 tpa each; 10 t of A."""
    nodes = {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}
    return case(
        years,
        nodes,
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("USSep", 2, existing_tpa=100, opex_usd_per_t=5),
        ],
        {"Mine": A1},
        demand or {("Buyer", "A", years[-1]): 10.0},
        settings={"max_restricted_share": alpha, "discount_rate": discount_rate},
    )


@pytest.mark.parametrize("alpha, usd_per_t", [(1.0, 1), (0.5, 3), (0.0, 5)])
def test_marginal_cost_adds_the_independence_dual(alpha, usd_per_t):
    """One more t to the allied buyer: a share (1 − α) of it must come through the allied separator
    (5 USD/t), the rest through China (1 USD/t): α = 1 → 1; α = 0.5 → 0.5 x 5 + 0.5 x 1 = 3
    (demand dual 1 plus 0.5 x the clean premium 4); α = 0 → 5. Per kg: ÷ 1000."""
    result = msc(two_separators(alpha))
    assert result.by_element[("A", 2025)] == approx(usd_per_t / 1000)
    assert result.by_consumer[("Buyer", "A", 2025)] == approx(usd_per_t / 1000)


def test_marginal_cost_is_undiscounted():
    """Discount rate 10%, demand in 2026 only (α = 0.5): the duals are discounted by 1.1, the
    marginal cost is not: still 3 USD/t = 0.003 USD/kg."""
    result = msc(two_separators(0.5, years=(2025, 2026), discount_rate=0.1))
    assert result.by_element == {("A", 2026): approx(0.003)}


@pytest.mark.parametrize("alpha, usd_per_t", [(0.5, 3), (0.0, 5)])
def test_one_stage_adds_the_dual_of_v_below_need(alpha, usd_per_t):
    """One stage: Chinese mine opex 1, allied mine opex 5, 10 t of A to an allied buyer.
    α = 0.5: 0.5 x 5 + 0.5 x 1 = 3. α = 0: every extra t clean, 5 — here v ≤ need binds as well
    as the independence row, so their duals are not unique, but their sum is."""
    ds = case(
        (2025, 2025),
        {"CN": "china", "US": "allied", "Buyer": "allied"},
        1,
        [fac("CN", 1, existing_tpa=100, opex_usd_per_t=1), fac("US", 1, existing_tpa=100, opex_usd_per_t=5)],
        {"CN": A1, "US": A1},
        {("Buyer", "A", 2025): 10.0},
        settings={"max_restricted_share": alpha},
    )
    assert msc(ds).by_element[("A", 2025)] == approx(usd_per_t / 1000)


def test_need_weighted_mean_over_protected_consumers():
    """One stage, α = 1, mine opex 1. B1 (10 t) pays 1 USD/t; B2 (30 t) is 2 USD/t of transport
    further: 3 USD/t. A non-protected consumer (partner, 100 t, 7 USD/t of transport) is left out.
    Mean (10 x 1 + 30 x 3) / 40 = 2.5 USD/t = 0.0025 USD/kg."""
    nodes = {"Mine": "allied", "B1": "allied", "B2": "allied", "P": "partner"}
    ds = case(
        (2025, 2025),
        nodes,
        1,
        [fac("Mine", 1, existing_tpa=1000, opex_usd_per_t=1)],
        {"Mine": A1},
        {("B1", "A", 2025): 10.0, ("B2", "A", 2025): 30.0, ("P", "A", 2025): 100.0},
        routes=(Route("Mine", "B2", None, 2), Route("Mine", "P", None, 7)),
    )
    result = msc(ds)
    assert result.by_consumer == {("B1", "A", 2025): approx(0.001), ("B2", "A", 2025): approx(0.003)}
    assert result.by_element == {("A", 2025): approx(0.0025)}


def test_marginal_cost_includes_new_capacity():
    """One stage, 2025 only: allied mine with 10 tpa existing (opex 1), capex 150 USD/tpa,
    lifetime 1 (no salvage); 20 t demanded: 10 tpa are built. One more t needs one more tpa:
    150 + 1 = 151 USD/t = 0.151 USD/kg (the build is strictly between its bounds, so the dual
    is unique)."""
    ds = case(
        (2025, 2025),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=10, capex_usd_per_tpa=150, opex_usd_per_t=1)],
        {"Mine": A1},
        flat("Buyer", "A", 20, (2025, 2025)),
    )
    assert msc(ds).by_element == {("A", 2025): approx(0.151)}


def test_with_recipes_the_independence_term_keeps_its_sign():
    """The magnet case of test_v2_diagnosis: with recipes, need has variables, so Pyomo writes the
    requirement as `need − supply ≤ 0`. Dy is short at α = 0: one more t of protected Dy is supplied by
    China at no cost (demand dual 0) and adds 1 t of shortfall (1e7 USD/t): +10,000 USD/kg, not −10,000.
    NdPr is clean and plentiful at no cost: 0."""
    from worked import low_dy_magnet_case, solve

    msc = solve(low_dy_magnet_case()).summary["marginal_supply_cost_usd_per_kg"]
    assert msc["Dy"]["2025"] == pytest.approx(10_000, rel=1e-9)
    assert msc["NdPr"]["2025"] == pytest.approx(0, abs=1e-9)


def test_payment_is_need_times_marginal_cost_discounted_by_year():
    """What the allied buyer pays at marginal cost: α = 0.5, 10 t in 2026 at 3 USD/t = 30 USD
    undiscounted; discounted at 10% a year to 2025: 30 / 1.1 = 27.27 USD. The summary states it."""
    ds = two_separators(0.5, years=(2025, 2026), discount_rate=0.1)
    result = msc(ds)
    assert result.payment == {2026: approx(30.0)}
    assert result.payment_usd({2025: 1.0, 2026: 1 / 1.1}) == {
        "discounted": approx(30 / 1.1),
        "undiscounted": approx(30.0),
    }
    solver = CaseSolver(ds)
    from rechain.models.solution import extract

    summary = extract(solver.built, solver.solve(), 0.0, with_tables=False).summary
    assert summary["protected_payment_usd"] == {"discounted": approx(30 / 1.1), "undiscounted": approx(30.0)}
