"""One hand-solved case per constraint family of model.md.

Each docstring works the optimum out by hand; the test asserts it exactly.
Unless a case says otherwise: discount rate 0, lifetime 1 year (no salvage),
unmet and shortfall penalties 1e7 USD/t.
"""

import pytest

from worked import Route, Stage, TradeRule, case, fac, flat, solve

A1 = {"A": 1.0}
ALLIED = {"Mine": "allied", "Sep": "allied", "Buyer": "allied"}


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-6)


def test_lead_time_delays_capacity():
    """Mine → Buyer (one stage). No capacity, capex 100 USD/tpa, lead time 2, 2025-2028, 10 t/yr.

    A build started in 2025 operates from 2027: 2025 and 2026 go unmet (20 t).
    Build 10 tpa = 1,000 USD. Salvage (lifetime 25): U = 2028 - 2027 + 1 = 2,
    rho = 1 - 2/25 = 0.92 → 920. System cost 1,000 - 920 = 80; objective 80 + 20 x 1e7.
    """
    ds = case(
        (2025, 2028),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, capex_usd_per_tpa=100, lead_time_years=2, lifetime_years=25)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2028)),
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(20)
    assert r.summary["system_cost_usd"] == approx(80)
    assert r.summary["objective_usd"] == approx(80 + 2e8)
    builds = r.tables["builds"]
    assert list(builds["start_year"]) == [2025] and list(builds["online_year"]) == [2027]


def test_availability_year():
    """Expansion available from 2026 only, lead time 0, 10 t/yr in 2025-2027, capex 100.

    2025 goes unmet (10 t); 10 tpa built in 2026 costs 1,000 (no salvage: lifetime 1).
    """
    ds = case(
        (2025, 2027),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, capex_usd_per_tpa=100, available_from_year=2026)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2027)),
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(10)
    assert r.summary["system_cost_usd"] == approx(1000)
    assert list(r.tables["builds"]["start_year"]) == [2026]


def test_total_budget_binds_with_its_shadow_price():
    """Need 10 tpa at 100 USD/tpa (2025 only) but the budget is 600 USD.

    Build 6, 4 t unmet. One more USD buys 0.01 t, saving 0.01 x 1e7 = 1e5 of
    penalty for 1 USD of capex: shadow price 99,999 USD per USD.
    """
    ds = case(
        (2025, 2025),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, capex_usd_per_tpa=100)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2025)),
        settings={"budget_usd": 600},
    )
    r = solve(ds)
    assert r.summary["capex_usd"] == approx(600)
    assert r.summary["unmet_t"] == approx(4)
    assert r.summary["budget_dual_usd_per_usd"] == approx(99_999)


def test_annual_budget_spreads_builds():
    """10 t/yr in 2025-2026, capex 100, annual budget 500 USD.

    2025: build 5 (500 USD), 5 t unmet. 2026: build 5 more (500 USD), all met.
    Capex 1,000; unmet 5 t.
    """
    ds = case(
        (2025, 2026),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, capex_usd_per_tpa=100, lifetime_years=1)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        settings={"annual_budget_usd": 500},
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(5)
    assert r.summary["capex_usd"] == approx(1000)
    assert sorted(r.tables["builds"]["build_tpa"]) == approx([5, 5])


def test_bloc_budget_caps_one_bloc():
    """Allied mine capex 100, partner mine capex 200; 10 t needed; allied bloc budget 300 USD.

    Allied builds 3 (300 USD), the partner the other 7 (1,400 USD): capex 1,700.
    """
    from rechain.models.dataset import BlocBudget

    ds = case(
        (2025, 2025),
        {"AM": "allied", "PM": "partner", "Buyer": "allied"},
        1,
        [fac("AM", 1, capex_usd_per_tpa=100), fac("PM", 1, capex_usd_per_tpa=200)],
        {"AM": A1, "PM": A1},
        flat("Buyer", "A", 10, (2025, 2025)),
        bloc_budgets=(BlocBudget("allied", 300),),
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(0)
    assert r.summary["capex_usd"] == approx(1700)
    by_bloc = r.tables["builds"].groupby("bloc")["build_tpa"].sum()
    assert by_bloc["allied"] == approx(3) and by_bloc["partner"] == approx(7)


def test_discounting():
    """r = 10%, 2025-2026; 10 t demanded in 2026 only, mine opex 11 USD/t.

    Cost 110 in 2026, discounted by 1.1: 100.
    """
    ds = case(
        (2025, 2026),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=10, opex_usd_per_t=11)],
        {"Mine": A1},
        {("Buyer", "A", 2026): 10.0},
        settings={"discount_rate": 0.1},
    )
    r = solve(ds)
    assert r.summary["system_cost_usd"] == approx(100)
    assert r.summary["costs_usd"]["opex"]["undiscounted"] == approx(110)


def test_fixed_om_of_existing_and_new_capacity():
    """Existing 20 tpa at 5 USD/tpa/yr for 2 years = 200 even though demand is 0 in 2025;
    2026 demand of 30 needs 10 tpa more (capex 0, built in 2026): 10 x 5 = 50. Fixed O&M 250.
    """
    ds = case(
        (2025, 2026),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=20, capex_usd_per_tpa=0, fixed_om_usd_per_tpa_yr=5)],
        {"Mine": A1},
        {("Buyer", "A", 2026): 30.0},
    )
    r = solve(ds)
    assert r.summary["costs_usd"]["fixed_om"]["undiscounted"] == approx(250)
    assert r.summary["system_cost_usd"] == approx(250)


def test_salvage_value():
    """Build 10 tpa at 100 USD/tpa in 2025 (lead 0), horizon 2025-2026, lifetime 4.

    U = 2026 - 2025 + 1 = 2 years operated, rho = 1 - 2/4 = 0.5: salvage 500.
    System cost 1,000 - 500 = 500.
    """
    ds = case(
        (2025, 2026),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, capex_usd_per_tpa=100, lifetime_years=4)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
    )
    r = solve(ds)
    assert r.summary["costs_usd"]["salvage"]["undiscounted"] == approx(-500)
    assert r.summary["system_cost_usd"] == approx(500)


def test_yields_through_three_stages():
    """Separation yield 0.5, metal yield 0.8; 8 t of metal demanded, opex 1 USD/t input at each stage.

    Metal input 8/0.8 = 10, separation input 10/0.5 = 20, ore 20: opex 20 + 20 + 10 = 50.
    """
    stages = (Stage("mining", 1), Stage("separation", 2, 0.5), Stage("metal", 3, 0.8))
    ds = case(
        (2025, 2025),
        ALLIED | {"Metal": "allied"},
        stages,
        [
            fac("Mine", 1, existing_tpa=100, opex_usd_per_t=1),
            fac("Sep", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("Metal", 3, existing_tpa=100, opex_usd_per_t=1),
        ],
        {"Mine": A1},
        {("Buyer", "A", 2025): 8.0},
    )
    r = solve(ds)
    assert r.summary["system_cost_usd"] == approx(50)
    q = r.tables["throughput"].set_index("stage")["throughput_t"]
    assert (q["mining"], q["separation"], q["metal"]) == (approx(20), approx(20), approx(10))


def test_balance_problem_drags_whole_bundle():
    """Ore is 25% A, 75% B; only A is demanded (10 t). Opex 1 USD/t at mine and separator.

    40 t of ore must be mined and separated (the B is discarded): cost 40 + 40 = 80.
    """
    ds = case(
        (2025, 2025),
        ALLIED,
        2,
        [fac("Mine", 1, existing_tpa=100, opex_usd_per_t=1), fac("Sep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"Mine": {"A": 0.25, "B": 0.75}},
        {("Buyer", "A", 2025): 10.0},
    )
    r = solve(ds)
    assert r.summary["system_cost_usd"] == approx(80)


def provenance_case(alpha, shortfall_penalty=1e7, allied_separator=True):
    """A clean allied mine; separators in China (opex 1) and allied (opex 5); 10 t of A to an allied buyer."""
    nodes = {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}
    facilities = [fac("Mine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1)]
    if allied_separator:
        facilities.append(fac("USSep", 2, existing_tpa=100, opex_usd_per_t=5))
    return case(
        (2025, 2025),
        nodes,
        2,
        facilities,
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
        settings={"max_restricted_share": alpha, "shortfall_penalty_usd_per_t": shortfall_penalty},
    )


@pytest.mark.parametrize("alpha, cost, share", [(1.0, 10, 0.0), (0.5, 30, 0.5), (0.0, 50, 1.0)])
def test_provenance_through_restricted_separator(alpha, cost, share):
    """Clean ore separated in China becomes mixed. alpha = 1: all via China, 10 x 1 = 10.
    alpha = 0.5: 5 t must stay clean: 5 x 1 + 5 x 5 = 30. alpha = 0: 10 x 5 = 50."""
    r = solve(provenance_case(alpha))
    assert r.summary["system_cost_usd"] == approx(cost)
    assert r.summary["clean_share"]["A"]["2025"] == approx(share)
    assert r.summary["shortfall_t"] == approx(0)


def test_clean_premium_is_the_independence_dual():
    """At alpha = 0.5 one more t of required clean supply replaces a t through China:
    5 - 1 = 4 USD, the clean premium."""
    r = solve(provenance_case(0.5))
    premium = r.tables["independence"].set_index("element").loc["A", "clean_premium_usd_per_t"]
    assert premium == approx(4)


def test_shortfall_when_no_clean_route():
    """alpha = 0 but only the Chinese separator exists; shortfall penalty 1,000 USD/t.

    Supply goes through China (10 x 1 = 10) and all 10 t are shortfall: penalty 10,000.
    Objective 10,010; system cost 10.
    """
    r = solve(provenance_case(0.0, shortfall_penalty=1000, allied_separator=False))
    assert r.summary["shortfall_t"] == approx(10)
    assert r.summary["system_cost_usd"] == approx(10)
    assert r.summary["objective_usd"] == approx(10_010)


def route_case(routes):
    nodes = {"Mine": "allied", "SepA": "allied", "SepB": "allied", "Buyer": "allied"}
    return case(
        (2025, 2025),
        nodes,
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("SepA", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("SepB", 2, existing_tpa=100, opex_usd_per_t=3),
        ],
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
        routes=tuple(routes),
        settings={"default_transport_usd_per_t": 2},
    )


def test_route_default_cost():
    """Every arc between different nodes costs the default 2 USD/t: ore to SepA (20), SepA opex (10),
    oxide to the buyer (20): 50."""
    r = solve(route_case([]))
    assert r.summary["system_cost_usd"] == approx(50)
    assert r.summary["costs_usd"]["transport"]["undiscounted"] == approx(40)


def test_route_ban_and_specific_row_wins():
    """Mine → SepA is closed; Mine → SepB has a general row at 9 and a mining-stage row at 0.5,
    which wins: 10 x 0.5 + 10 x 3 (SepB opex) + 10 x 2 (default to buyer) = 55."""
    routes = [
        Route("Mine", "SepA", None, 0, allowed=False),
        Route("Mine", "SepB", None, 9),
        Route("Mine", "SepB", 1, 0.5),
    ]
    r = solve(route_case(routes))
    assert r.summary["system_cost_usd"] == approx(55)


def test_trade_rule_ban_and_tariff_by_element_and_year():
    """Ores are half A, half B at a Chinese and an allied mine+separator; 10 t each of A and B
    demanded by an allied buyer in 2025 and 2026. Separation opex: China 1, allied 3.
    Rules: B from china to allied banned in 2026 only; A from china to allied pays 1.5 USD/t.

    2025: China serves both: 20 t separated (20) + tariff on 10 t of A (15) = 35 < 60 allied.
    2026: B must come from an allied separator, which needs 20 t ore (60) and yields the A too.
    Total 95; tariffs 15.
    """
    nodes = {"CN": "china", "US": "allied", "Buyer": "allied"}
    ds = case(
        (2025, 2026),
        nodes,
        2,
        [
            fac("CN", 1, existing_tpa=100),
            fac("US", 1, existing_tpa=100),
            fac("CN", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("US", 2, existing_tpa=100, opex_usd_per_t=3),
        ],
        {"CN": {"A": 0.5, "B": 0.5}, "US": {"A": 0.5, "B": 0.5}},
        flat("Buyer", "A", 10, (2025, 2026)) | flat("Buyer", "B", 10, (2025, 2026)),
        trade_rules=(
            TradeRule("china", "allied", element="B", first_year=2026, last_year=2026, allowed=False),
            TradeRule("china", "allied", element="A", tariff_usd_per_t=1.5),
        ),
    )
    r = solve(ds)
    assert r.summary["system_cost_usd"] == approx(95)
    assert r.summary["costs_usd"]["tariff"]["undiscounted"] == approx(15)
    assert r.summary["unmet_t"] == approx(0)


def test_restricted_cost_factor():
    """China's separator opex 4, allied 2. Factor 1: allied wins, 10 x 2 = 20.
    Factor 0.25: China costs 4 x 0.25 = 1 per t: 10."""
    nodes = {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}

    def cost(factor):
        ds = case(
            (2025, 2025),
            nodes,
            2,
            [
                fac("Mine", 1, existing_tpa=100),
                fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=4),
                fac("USSep", 2, existing_tpa=100, opex_usd_per_t=2),
            ],
            {"Mine": A1},
            {("Buyer", "A", 2025): 10.0},
            settings={"restricted_cost_factor": factor},
        )
        return solve(ds).summary["system_cost_usd"]

    assert cost(1.0) == approx(20)
    assert cost(0.25) == approx(10)


def test_one_stage_transportation_problem():
    """Classic transportation problem: supplies 20 (M1), 30 (M2); demands 25 (B1), 25 (B2);
    unit costs M1→B1 1, M1→B2 3, M2→B1 2, M2→B2 1.

    Optimum: M1→B1 20, M2→B1 5, M2→B2 25: 20 + 10 + 25 = 55.
    """
    nodes = {"M1": "allied", "M2": "allied", "B1": "allied", "B2": "allied"}
    routes = (
        Route("M1", "B1", None, 1),
        Route("M1", "B2", None, 3),
        Route("M2", "B1", None, 2),
        Route("M2", "B2", None, 1),
    )
    ds = case(
        (2025, 2025),
        nodes,
        1,
        [fac("M1", 1, existing_tpa=20), fac("M2", 1, existing_tpa=30)],
        {"M1": A1, "M2": A1},
        {("B1", "A", 2025): 25.0, ("B2", "A", 2025): 25.0},
        routes=routes,
    )
    r = solve(ds)
    assert r.summary["system_cost_usd"] == approx(55)
    assert r.summary["unmet_t"] == approx(0)


def test_max_capacity_and_build_rate():
    """max_tpa 15 with 5 existing and at most 4 tpa of builds a year; 20 t/yr demanded 2025-2026,
    capex 100. 2025: build 4 → 9 in service, 11 unmet; 2026: build 4 → 13 ≤ 15, 7 unmet. Unmet 18."""
    ds = case(
        (2025, 2026),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=5, max_tpa=15, capex_usd_per_tpa=100, max_build_tpa_per_year=4)],
        {"Mine": A1},
        flat("Buyer", "A", 20, (2025, 2026)),
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(18)
    assert r.summary["capex_usd"] == approx(800)


def test_demand_marginal_cost_dual():
    """One mine at opex 7 USD/t with spare capacity: the demand row's shadow price is 7 USD/t."""
    ds = case(
        (2025, 2025),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=100, opex_usd_per_t=7)],
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
    )
    r = solve(ds)
    duals = r.tables["duals"].set_index("constraint")
    assert duals.loc["demand", "shadow_price"] == approx(7)


FAMILY_TESTS = {
    "add_throughput": [test_yields_through_three_stages],
    "add_capacity": [test_lead_time_delays_capacity, test_availability_year, test_max_capacity_and_build_rate],
    "add_separation_balance": [test_balance_problem_drags_whole_bundle, test_provenance_through_restricted_separator],
    "add_element_stage_balance": [test_yields_through_three_stages],
    "add_demand": [test_one_stage_transportation_problem, test_demand_marginal_cost_dual],
    "add_independence": [
        test_provenance_through_restricted_separator,
        test_shortfall_when_no_clean_route,
        test_clean_premium_is_the_independence_dual,
    ],
    "add_budget": [
        test_total_budget_binds_with_its_shadow_price,
        test_annual_budget_spreads_builds,
        test_bloc_budget_caps_one_bloc,
    ],
    "add_cost_aggregates": [
        test_fixed_om_of_existing_and_new_capacity,
        test_salvage_value,
        test_route_default_cost,
        test_trade_rule_ban_and_tariff_by_element_and_year,
    ],
    "add_objective": [test_discounting, test_restricted_cost_factor],
}


def test_every_constraint_family_has_a_worked_case():
    """Fails when a constraint family is added without a hand-solved test."""
    import inspect

    from rechain.models import constraints, costs

    families = {
        name
        for module in (constraints, costs)
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("add_") and fn.__module__ == module.__name__
    }
    assert families == set(FAMILY_TESTS)
    assert all(FAMILY_TESTS[f] for f in families)


def test_max_tpa_without_expansion_options():
    """max_tpa on a facility that cannot build (capex blank) is only a statement: 10 t/yr existing,
    10 t demanded at opex 2: cost 20."""
    ds = case(
        (2025, 2025),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=10, max_tpa=10, opex_usd_per_t=2)],
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
    )
    assert solve(ds).summary["system_cost_usd"] == approx(20)
