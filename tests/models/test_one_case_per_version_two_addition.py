"""One or more hand-solved cases per "Version 2 addition" of model.md.

Each docstring works the optimum out by hand; the test asserts it exactly.
Unless a case says otherwise: discount rate 0, lifetime 1 year (no salvage),
unmet and shortfall penalties 1e7 USD/t, opex 0. New quantities are read from
the Pyomo model (`CaseSolver(ds).built.model`); money there is in MONEY units.
"""

import dataclasses

import pyomo.environ as pyo
import pytest
from rechain.models.dataset import MONEY, Circuit, Recipe, Stockpile
from rechain.models.highs import CaseSolver, Status

from worked import Facility, Stage, case, fac, flat, solve  # noqa: F401

A1 = {"A": 1.0}


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-6)


def run(ds):
    """Solve; return the model and the objective in USD."""
    solver = CaseSolver(ds)
    outcome = solver.solve()
    assert outcome.status is Status.OPTIMAL, outcome.message
    return solver.built.model, pyo.value(solver.built.model.objective) / MONEY


def v(x):
    return pyo.value(x)


# --- who is restricted, and who has the cost advantage ---------------------------------------------


def restricted_node_case(flags):
    """Two allied mines, 'Owned' (opex 1) and 'Clean' (opex 3); an allied separator; 10 t of A, α = 0."""
    nodes = {"Owned": "allied", "Clean": "allied", "Sep": "allied", "Buyer": "allied"}
    return case(
        (2025, 2025),
        nodes,
        2,
        [
            fac("Owned", 1, existing_tpa=100, opex_usd_per_t=1),
            fac("Clean", 1, existing_tpa=100, opex_usd_per_t=3),
            fac("Sep", 2, existing_tpa=100),
        ],
        {"Owned": A1, "Clean": A1},
        {("Buyer", "A", 2025): 10.0},
        settings={"max_restricted_share": 0.0},
        node_restricted=flags,
    )


def test_node_marked_restricted_inside_allied_bloc():
    """Unflagged, 'Owned' is clean (allied bloc): 10 t x 1 = 10. Flagged restricted, its ore is
    mixed and α = 0 asks for clean supply: 'Clean' serves, 10 x 3 = 30, clean share 1."""
    assert solve(restricted_node_case({})).summary["system_cost_usd"] == approx(10)
    r = solve(restricted_node_case({"Owned": True}))
    assert r.summary["system_cost_usd"] == approx(30)
    assert r.summary["shortfall_t"] == approx(0)
    assert r.summary["clean_share"]["A"]["2025"] == approx(1)


def test_node_of_restricted_bloc_marked_clean():
    """A china-bloc mine at opex 1 flagged restricted = FALSE is clean: with α = 0 it still serves
    (10), where by bloc it would be mixed and the allied mine (opex 3) would serve (30)."""
    nodes = {"CN": "china", "US": "allied", "Sep": "allied", "Buyer": "allied"}

    def cost(flags):
        ds = case(
            (2025, 2025),
            nodes,
            2,
            [
                fac("CN", 1, existing_tpa=100, opex_usd_per_t=1),
                fac("US", 1, existing_tpa=100, opex_usd_per_t=3),
                fac("Sep", 2, existing_tpa=100),
            ],
            {"CN": A1, "US": A1},
            {("Buyer", "A", 2025): 10.0},
            settings={"max_restricted_share": 0.0},
            node_restricted=flags,
        )
        return solve(ds).summary["system_cost_usd"]

    assert cost({}) == approx(30)
    assert cost({"CN": False}) == approx(10)


@pytest.mark.parametrize("advantage, cost", [(None, 10), (frozenset({"partner"}), 20), (frozenset(), 30)])
def test_cost_advantage_blocs(advantage, cost):
    """Separators: China opex 4, partner 8, allied 3; restricted_cost_factor 0.25, α = 1, 10 t.
    Default (advantage = restricted blocs): China pays 1/t → 10. Advantage to 'partner' only:
    partner 2/t, China 4 → 20. No bloc has it: allied 3/t → 30."""
    nodes = {"Mine": "allied", "CNSep": "china", "PSep": "partner", "USSep": "allied", "Buyer": "allied"}
    ds = case(
        (2025, 2025),
        nodes,
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=4),
            fac("PSep", 2, existing_tpa=100, opex_usd_per_t=8),
            fac("USSep", 2, existing_tpa=100, opex_usd_per_t=3),
        ],
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
        settings={"restricted_cost_factor": 0.25, "cost_advantage_blocs": advantage},
    )
    assert solve(ds).summary["system_cost_usd"] == approx(cost)


# --- ramp-up --------------------------------------------------------------------------------------


def ramp_case(setting=(), stage=None, facility=None):
    """Clean allied mine; China separator (existing 100, opex 1); allied separator to build
    (capex 100/tpa, lead 0, at most 10 tpa a year, fixed O&M 1 USD/tpa/yr); α = 0; 10 t/yr of A in 2025-2026."""
    nodes = {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}
    stages = (Stage("mining", 1), Stage("separation", 2, ramp_up=stage))
    return case(
        (2025, 2026),
        nodes,
        stages,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1),
            fac(
                "USSep",
                2,
                capex_usd_per_tpa=100,
                max_build_tpa_per_year=10,
                fixed_om_usd_per_tpa_yr=1,
                ramp_up=facility,
            ),
        ],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        settings={"max_restricted_share": 0.0, "ramp_up": setting},
    )


@pytest.mark.parametrize("kw", [dict(setting=(0.5,)), dict(stage=(0.5,)), dict(setting=(1.0,), facility=(0.5,))])
def test_ramp_delays_independence_by_a_year(kw):
    """π = (0.5): 10 tpa built in 2025 (the yearly maximum) give 5 t in 2025, 10 in 2026.
    2025: 5 t clean + 5 t via China (opex 5), shortfall 5; 2026: all clean.
    Capex 1,000; fixed O&M on nameplate 10 tpa x 2 years = 20 (not 5 + 10); system cost 1,025,
    objective 1,025 + 5 x 1e7. The profile comes from the facility, else the stage, else the setting."""
    r = solve(ramp_case(**kw))
    assert r.summary["shortfall_t"] == approx(5)
    assert r.summary["clean_share"]["A"] == {"2025": approx(0.5), "2026": approx(1)}
    assert r.summary["costs_usd"]["fixed_om"]["undiscounted"] == approx(20)
    assert r.summary["system_cost_usd"] == approx(1025)
    assert r.summary["objective_usd"] == approx(1025 + 5e7)


@pytest.mark.parametrize("kw", [dict(), dict(setting=(0.5,), facility=(1.0,)), dict(stage=(0.5,), facility=(1.0,))])
def test_no_ramp_or_facility_overrides_it(kw):
    """Without a ramp (or with the facility's own profile (1.0) winning over the stage's or the
    setting's), 10 tpa built in 2025 serve both years clean: capex 1,000 + fixed O&M 20 = 1,020."""
    r = solve(ramp_case(**kw))
    assert r.summary["shortfall_t"] == approx(0)
    assert r.summary["system_cost_usd"] == approx(1020)


def test_existing_capacity_is_never_ramped():
    """A mine with 10 tpa existing and the setting π = (0.1): 10 t of A in 2025 are met (opex 2): 20."""
    ds = case(
        (2025, 2025),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=10, opex_usd_per_t=2)],
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
        settings={"ramp_up": (0.1,)},
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(0) and r.summary["system_cost_usd"] == approx(20)


def test_ramp_profile_of_three_years_and_salvage_on_nameplate():
    """One stage, capex 100, lead 0, lifetime 4, π = (0.25, 0.5), 10 t/yr in 2025-2027, mine opex 0.
    A build B in 2025 gives 0.25B, 0.5B, B. Cheapest: B = 40 in 2025 (4,000) covers 2025 and later;
    alternatives cost more (building 10 a year in later years cannot serve 2025). Salvage on nameplate:
    U = 2027 − 2025 + 1 = 3, ρ = 1 − 3/4 = 0.25 → 1,000. System cost 4,000 − 1,000 = 3,000."""
    ds = case(
        (2025, 2027),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, capex_usd_per_tpa=100, lifetime_years=4)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2027)),
        settings={"ramp_up": (0.25, 0.5)},
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(0)
    assert r.summary["capex_usd"] == approx(4000)
    assert r.summary["costs_usd"]["salvage"]["undiscounted"] == approx(-1000)
    assert r.summary["system_cost_usd"] == approx(3000)


# --- availability ---------------------------------------------------------------------------------


def test_availability_caps_throughput_in_one_year():
    """Mines 'Cheap' (opex 1) and 'Dear' (opex 5), 100 tpa each; 10 t of A a year in 2025-2026.
    Availability: Cheap ≤ 4 t in 2025 (a 2030 row is outside the horizon and ignored).
    2025: 4 x 1 + 6 x 5 = 34; 2026: 10 x 1 = 10. Total 44."""
    ds = case(
        (2025, 2026),
        {"Cheap": "allied", "Dear": "allied", "Buyer": "allied"},
        1,
        [fac("Cheap", 1, existing_tpa=100, opex_usd_per_t=1), fac("Dear", 1, existing_tpa=100, opex_usd_per_t=5)],
        {"Cheap": A1, "Dear": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        availability={("Cheap", 1, 2025): 4.0, ("Cheap", 1, 2030): 0.0},
    )
    m, objective = run(ds)
    assert objective == approx(44)
    assert v(m.q["Cheap", 1, 2025]) == approx(4)
    assert len(m.availability) == 1


# --- must-run -------------------------------------------------------------------------------------


def must_run_case(until=None, ban_west=False):
    """Western mine W (10 tpa existing, opex 5, min_utilization 0.6) and Chinese mine C
    (100 tpa, opex 1); 10 t of A a year to an allied buyer in 2025-2026, α = 1."""
    from rechain.models.dataset import Route

    routes = (Route("W", "Buyer", None, 0, allowed=False),) if ban_west else ()
    return case(
        (2025, 2026),
        {"W": "allied", "C": "china", "Buyer": "allied"},
        1,
        [
            fac("W", 1, existing_tpa=10, opex_usd_per_t=5, min_utilization=0.6),
            fac("C", 1, existing_tpa=100, opex_usd_per_t=1),
        ],
        {"W": A1, "C": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        routes=routes,
        settings={"must_run_until_year": until},
    )


def test_must_run_changes_the_baseline():
    """v1 would buy everything from C: 20. Must-run in the first year only (default):
    W runs 6 t in 2025 (6 x 5 + 4 x 1 = 34), then C alone in 2026 (10): 44.
    Until 2026: 34 + 34 = 68."""
    m, objective = run(must_run_case())
    assert objective == approx(44)
    assert v(m.q["W", 1, 2025]) == approx(6) and v(m.q["W", 1, 2026]) == approx(0)
    assert list(m.must_run) == [("W", 1, 2025)]
    assert run(must_run_case(until=2026))[1] == approx(68)


def test_must_run_ore_may_be_extracted_and_discarded():
    """W cannot ship (its route is closed): it still extracts its 6 t floor in 2025 and discards it
    (Σ_m g ≤ q; opex 30), while C serves the buyer (20 over two years): 50, no penalty."""
    m, objective = run(must_run_case(ban_west=True))
    assert objective == approx(50)
    assert v(m.z["W", 1, 2025]) == approx(6) and v(m.w["W", 1, 2025]) == approx(0)


def test_must_run_shortfall_is_a_penalty():
    """As above, but W may extract only 2 t in 2025 (availability): it discards 2 (opex 10) and the
    other 4 t of its floor are slack w, charged at the unmet penalty: 20 + 10 + 4 x 1e7; the
    penalty expression `must_run_cost` holds 4e7."""
    ds = dataclasses.replace(must_run_case(ban_west=True), availability={("W", 1, 2025): 2.0})
    m, objective = run(ds)
    assert v(m.w["W", 1, 2025]) == approx(4)
    assert objective == approx(30 + 4e7)
    assert sum(v(m.must_run_cost[y]) for y in m.Y) / MONEY == approx(4e7)


# --- separation circuits --------------------------------------------------------------------------

LIGHT_ORE = {"La": 0.9, "Dy": 0.1}


def circuit_case(circuits, years=(2025, 2025), stages=2, sep=None, **kw):
    """A clean allied mine (ore 90% La, 10% Dy); an allied separator (opex 1 USD/t of ore);
    9 t of La and 1 t of Dy a year demanded by an allied buyer."""
    nodes = {"Mine": "allied", "Sep": "allied", "Buyer": "allied"}
    return case(
        years,
        nodes,
        stages,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, **(sep or dict(existing_tpa=100, opex_usd_per_t=1)))],
        {"Mine": LIGHT_ORE},
        flat("Buyer", "La", 9, years) | flat("Buyer", "Dy", 1, years),
        circuits=circuits,
        **kw,
    )


def test_light_only_separator_loses_the_dy():
    """The separator has a La circuit only (existing 20 t/yr, fixed O&M 2 USD/t/yr): it processes
    10 t of ore (opex 10) for the 9 t of La; the Dy stays in the residue: 1 t unmet.
    Fixed O&M of the existing circuit 20 x 2 = 40 (a constant). Objective 10 + 40 + 1e7."""
    r = solve(circuit_case({("Sep", "La"): Circuit(existing_tpa=20, fixed_om_usd_per_tpa_yr=2)}))
    unmet = r.tables["unmet"].set_index("element")["unmet_t"]
    assert dict(unmet) == {"Dy": approx(1)}
    assert r.summary["system_cost_usd"] == approx(50)
    assert r.summary["objective_usd"] == approx(50 + 1e7)


def test_circuit_capacity_binds():
    """Circuits for La (existing 4.5) and Dy (existing 10). The 1 t of Dy needs 10 t of ore
    (opex 10), of whose 9 t La the circuit separates only 4.5: 4.5 t La unmet.
    Objective 10 + 4.5e7."""
    m, objective = run(
        circuit_case({("Sep", "La"): Circuit(existing_tpa=4.5), ("Sep", "Dy"): Circuit(existing_tpa=10)})
    )
    assert objective == approx(10 + 4.5e7)
    assert v(m.u["Buyer", "La", 2025]) == approx(4.5) and v(m.u["Buyer", "Dy", 2025]) == approx(0)


def test_circuit_build_counts_in_the_budget():
    """The La circuit has no capacity, capex 100 USD per t/yr; Dy has no circuit; budget 600 USD.
    Build 6 t/yr of La circuit (600), separate 6/0.9 = 6.6667 t of ore (opex 6.6667);
    unmet 3 t La + 1 t Dy. One more USD of budget: 0.01 t La more, saving 1e5 of penalty,
    costing 1 of capex and 0.01/0.9 of opex: dual 1e5 − 1 − 0.011111 = 99,998.98889."""
    ds = circuit_case({("Sep", "La"): Circuit(capex_usd_per_tpa=100)}, settings={"budget_usd": 600})
    r = solve(ds)
    assert r.summary["capex_usd"] == approx(600)
    assert r.summary["budget_capex_usd"] == approx(600)
    assert r.summary["unmet_t"] == approx(4)
    assert r.summary["system_cost_usd"] == approx(600 + 6 / 0.9)
    assert r.summary["budget_dual_usd_per_usd"] == approx(1e5 - 1 - 0.01 / 0.9)


def test_circuit_at_its_max_without_a_build_option():
    """La circuit: 4.5 t/yr existing, max_tpa 4.5, no capex (nothing to build, so no ceiling row —
    it used to be `0 <= 0`, which Pyomo refuses). As in test_circuit_capacity_binds without a Dy
    circuit: 4.5 t La from 5 t of ore (opex 5), 4.5 t La and 1 t Dy unmet: 5 + 5.5e7."""
    m, objective = run(circuit_case({("Sep", "La"): Circuit(existing_tpa=4.5, max_tpa=4.5)}))
    assert objective == approx(5 + 5.5e7)


@pytest.mark.parametrize("limits, built", [(dict(max_tpa=5), 3), (dict(max_tpa=5, max_build_tpa_per_year=2), 2)])
def test_circuit_max_and_build_rate(limits, built):
    """La circuit: 2 t/yr existing, capex 100, max_tpa 5 → build 3 (300); with at most 2 a year,
    build 2 (200). La separated 2 + built, from (2 + built)/0.9 t of ore at opex 1; unmet
    9 − (2 + built) t of La and the 1 t of Dy (no circuit)."""
    ds = circuit_case({("Sep", "La"): Circuit(existing_tpa=2, capex_usd_per_tpa=100, **limits)})
    m, objective = run(ds)
    la = 2 + built
    assert v(m.buildc["Sep", "La", 2025]) == approx(built)
    assert objective == approx(100 * built + la / 0.9 + (9 - la + 1) * 1e7)


@pytest.mark.parametrize("stage_ramp, capex", [(None, 900), ((0.5,), 1800)])
def test_circuit_ramps_with_the_separation_stage(stage_ramp, capex):
    """La circuit to build (capex 100, lead 0); the separator's own facility ramp (0.1) applies to
    its throughput only (it has 100 tpa existing). Without a stage ramp: build 9 (900). With the
    separation stage's π = (0.5): build 18 (1,800) for 9 t. Plus ore opex 10; Dy unmet."""
    stages = (Stage("mining", 1), Stage("separation", 2, ramp_up=stage_ramp))
    ds = circuit_case(
        {("Sep", "La"): Circuit(capex_usd_per_tpa=100)},
        stages=stages,
        sep=dict(existing_tpa=100, opex_usd_per_t=1, ramp_up=(0.1,)),
    )
    m, objective = run(ds)
    assert v(m.buildc["Sep", "La", 2025]) == approx(capex / 100)
    assert objective == approx(capex + 10 + 1e7)


def test_circuit_salvage_lead_time_and_fixed_om_use_facility_rules():
    """2025-2026, separator lifetime 4 and lead time 1; the La circuit (capex 100, fixed O&M 1,
    lead blank = the facility's 1) built in 2025 serves 2026 only: 9 t/yr → build 9 (900).
    Salvage: U = 2026 − 2026 + 1 = 1, ρ = 1 − 1/4 = 0.75 → 675. Fixed O&M on 9 t/yr in 2026: 9.
    Opex 10 (2026). Unmet: 9 La in 2025, 1 Dy each year: 11 t.
    Objective 900 − 675 + 9 + 10 + 11e7."""
    ds = circuit_case(
        {("Sep", "La"): Circuit(capex_usd_per_tpa=100, fixed_om_usd_per_tpa_yr=1)},
        years=(2025, 2026),
        sep=dict(existing_tpa=100, opex_usd_per_t=1, lifetime_years=4, lead_time_years=1),
    )
    r = solve(ds)
    assert r.summary["costs_usd"]["salvage"]["undiscounted"] == approx(-675)
    assert r.summary["costs_usd"]["fixed_om"]["undiscounted"] == approx(9)
    assert r.summary["objective_usd"] == approx(900 - 675 + 9 + 10 + 11e7)


def test_circuit_capex_takes_phi_and_capex_factor():
    """A Chinese separator with a La circuit to build (capex 100); restricted_cost_factor 0.5 and
    capex_factor.china 3: 9 t/yr cost 9 x 100 x 0.5 x 3 = 1,350. No opex; the Dy (no circuit) is unmet."""
    nodes = {"Mine": "allied", "Sep": "china", "Buyer": "allied"}
    ds = case(
        (2025, 2025),
        nodes,
        2,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, existing_tpa=100)],
        {"Mine": LIGHT_ORE},
        {("Buyer", "La", 2025): 9.0, ("Buyer", "Dy", 2025): 1.0},
        circuits={("Sep", "La"): Circuit(capex_usd_per_tpa=100)},
        capex_factor={"china": 3.0},
        settings={"restricted_cost_factor": 0.5},
    )
    r = solve(ds)
    assert r.summary["capex_usd"] == approx(1350)
    assert r.summary["objective_usd"] == approx(1350 + 1e7)


# --- stockpiles -----------------------------------------------------------------------------------


def chinese_supply_case(stockpiles=None, years=(2025, 2026), **settings):
    """Only Chinese supply (mine and separator, opex 1 per t separated) of Dy; 10 t a year demanded
    by an allied buyer."""
    nodes = {"CNMine": "china", "CNSep": "china", "Buyer": "allied"}
    return case(
        years,
        nodes,
        2,
        [fac("CNMine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"CNMine": {"Dy": 1.0}},
        flat("Buyer", "Dy", 10, years),
        stockpiles=stockpiles or {},
        settings=settings,
    )


def test_stockpile_bridges_an_embargo_year():
    """Embargo on mixed material to 'allied' from 2026; α = 1. Without a stockpile 2026 is unmet:
    10 (opex in 2025) + 10 x 1e7. With a stockpile (holding 2 USD/t/yr): 2025 delivers 20 t
    (opex 20), puts 10 mixed, holds them over the year end (10 x 2 = 20), takes them in 2026,
    where the mixed stock is not embargoed: 40."""
    _, objective = run(chinese_supply_case(embargo={"allied": 2026}))
    assert objective == approx(10 + 1e8)
    pile = {("Buyer", "Dy"): Stockpile(holding_cost_usd_per_t_yr=2)}
    m, objective = run(chinese_supply_case(pile, embargo={"allied": 2026}))
    assert objective == approx(40)
    assert v(m.put["Buyer", "Dy", "mixed", 2025]) == approx(10)
    assert v(m.take["Buyer", "Dy", "mixed", 2026]) == approx(10)
    assert v(m.st["Buyer", "Dy", "mixed", 2026]) == approx(0)
    assert ("Buyer", "Dy", "mixed", 2026) not in m.put  # no mixed deliveries under the embargo


def test_clean_initial_stock_counts_towards_independence():
    """2025 only, α = 0, Chinese supply only. Initial stock 6 t clean (max 8): take 6 clean,
    4 t via China (opex 4), shortfall 4: objective 4 + 4e7. Without stock: 10 + 10e7."""
    _, objective = run(chinese_supply_case(years=(2025, 2025), max_restricted_share=0.0))
    assert objective == approx(10 + 1e8)
    pile = {("Buyer", "Dy"): Stockpile(initial_t=6, initial_provenance="clean", max_t=8)}
    m, objective = run(chinese_supply_case(pile, years=(2025, 2025), max_restricted_share=0.0))
    assert objective == approx(4 + 4e7)
    assert v(m.clean["Dy", 2025]) == approx(6)
    assert v(m.s["Dy", 2025]) == approx(4)


def test_stockpile_max_and_provenance():
    """2025-2026, α = 1; the Chinese mine may extract only 4 t in 2026 (availability); stock limit
    3 t, holding 0. 2025: deliver 13 (put 3); 2026: 4 delivered + 3 taken, 3 t unmet.
    Objective 13 + 4 + 3e7."""
    pile = {("Buyer", "Dy"): Stockpile(max_t=3)}
    ds = dataclasses.replace(chinese_supply_case(pile), availability={("CNMine", 1, 2026): 4.0})
    m, objective = run(ds)
    assert objective == approx(17 + 3e7)
    assert v(m.st["Buyer", "Dy", "mixed", 2025]) == approx(3)


# --- recipes --------------------------------------------------------------------------------------


def magnet_case(recipes, years=(2025, 2025), demand_factor=1.0):
    """Allied NdPr mine (plenty), allied Dy mine (0.05 t/yr), Chinese Dy mine (plenty), one allied
    separator, all opex 0; an allied buyer wants 10 t/yr of the product 'Magnet'; α = 0."""
    nodes = {"NMine": "allied", "DMine": "allied", "CNMine": "china", "Sep": "allied", "Buyer": "allied"}
    return case(
        years,
        nodes,
        2,
        [
            fac("NMine", 1, existing_tpa=100),
            fac("DMine", 1, existing_tpa=0.05),
            fac("CNMine", 1, existing_tpa=100),
            fac("Sep", 2, existing_tpa=100),
        ],
        {"NMine": {"NdPr": 1.0}, "DMine": {"Dy": 1.0}, "CNMine": {"Dy": 1.0}},
        flat("Buyer", "Magnet", 10, years),
        recipes={"Magnet": recipes},
        demand_factor=demand_factor,
        settings={"max_restricted_share": 0.0},
    )


STD = Recipe({"NdPr": 0.3, "Dy": 0.02})
LOW = Recipe({"NdPr": 0.3, "Dy": 0.005}, extra_cost_usd_per_t=50)


def test_low_dy_recipe_removes_a_shortfall():
    """Standard recipe only: Dy need 10 x 0.02 = 0.2 t, clean Dy 0.05 → shortfall 0.15 (objective
    1.5e6; NdPr 3 t all clean). With the low-Dy recipe (0.005 t/t, +50 USD/t): all 10 t low-Dy
    (Dy need 0.05 = clean supply): no shortfall, objective 500 — each t moved back to the
    standard recipe would add 0.015 t of shortfall (1.5e5) to save 50."""
    m, objective = run(magnet_case({"std": STD}))
    assert objective == approx(1.5e6)
    assert v(m.s["Dy", 2025]) == approx(0.15)
    m, objective = run(magnet_case({"std": STD, "low": LOW}))
    assert objective == approx(500)
    assert v(m.x["Buyer", "Magnet", "low", 2025]) == approx(10)
    assert v(m.s["Dy", 2025]) == approx(0)
    assert v(m.u["Buyer", "NdPr", 2025]) == approx(0)


def test_recipe_share_availability_and_demand_factor():
    """2025-2026; low-Dy recipe max_share 0.5, available from 2026; demand_factor 2 (20 t/yr).
    2025: standard only, Dy need 0.4, shortfall 0.35 → 3.5e6.
    2026: 10 t low (250 extra), 10 t standard: Dy need 0.2 + 0.05 = 0.25, shortfall 0.2 → 2e6.
    Objective 5,500,250."""
    low = Recipe({"NdPr": 0.3, "Dy": 0.005}, extra_cost_usd_per_t=25, max_share=0.5, available_from_year=2026)
    m, objective = run(magnet_case({"std": STD, "low": low}, years=(2025, 2026), demand_factor=2.0))
    assert objective == approx(3.5e6 + 250 + 2e6)
    assert ("Buyer", "Magnet", "low", 2025) not in m.x
    assert v(m.x["Buyer", "Magnet", "low", 2026]) == approx(10)
    assert v(m.s["Dy", 2025]) == approx(0.35) and v(m.s["Dy", 2026]) == approx(0.2)


@pytest.mark.parametrize("alpha, cost", [(1.0, 5), (0.5, 12.5), (0.0, 20)])
def test_one_stage_recipe_need_sets_the_requirement(alpha, cost):
    """One stage; an allied buyer wants 10 t of 'Alloy' made by one recipe with 0.5 t of A per t:
    need 5 t of A (no demand row of its own). Chinese mine opex 1, allied mine opex 4.
    α = 1: 5 x 1 = 5; α = 0.5: 2.5 x 4 + 2.5 x 1 = 12.5; α = 0: 5 x 4 = 20 (v ≤ need = 5)."""
    ds = case(
        (2025, 2025),
        {"CN": "china", "US": "allied", "Buyer": "allied"},
        1,
        [fac("CN", 1, existing_tpa=100, opex_usd_per_t=1), fac("US", 1, existing_tpa=100, opex_usd_per_t=4)],
        {"CN": A1, "US": A1},
        {("Buyer", "Alloy", 2025): 10.0},
        recipes={"Alloy": {"r": Recipe({"A": 0.5})}},
        settings={"max_restricted_share": alpha},
    )
    m, objective = run(ds)
    assert objective == approx(cost)
    assert list(m.demand) == [("Buyer", "A", 2025)]


# --- embargo --------------------------------------------------------------------------------------


def test_embargo_one_stage_removes_restricted_bundles():
    """One stage: Chinese mine opex 1, allied mine opex 3; 10 t a year 2025-2026; embargo on
    'allied' from 2026: 10 + 30 = 40."""
    ds = case(
        (2025, 2026),
        {"CN": "china", "US": "allied", "Buyer": "allied"},
        1,
        [fac("CN", 1, existing_tpa=100, opex_usd_per_t=1), fac("US", 1, existing_tpa=100, opex_usd_per_t=3)],
        {"CN": A1, "US": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        settings={"embargo": {"allied": 2026}},
    )
    m, objective = run(ds)
    assert objective == approx(40)
    assert ("CN", "Buyer", 2026) not in m.g


def test_embargo_covers_mixed_material_through_third_countries():
    """Chinese ore (opex 0) and allied ore (opex 2) both separated in a partner country
    (opex 1); 10 t a year 2025-2026 to an allied buyer; embargo from 2026.
    2025: Chinese ore via the partner, 10; 2026: the partner's output of Chinese ore is mixed and
    may not reach the buyer: allied ore, 20 + 10 = 30. Total 40."""
    nodes = {"CN": "china", "US": "allied", "PSep": "partner", "Buyer": "allied"}
    ds = case(
        (2025, 2026),
        nodes,
        2,
        [
            fac("CN", 1, existing_tpa=100),
            fac("US", 1, existing_tpa=100, opex_usd_per_t=2),
            fac("PSep", 2, existing_tpa=100, opex_usd_per_t=1),
        ],
        {"CN": A1, "US": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        settings={"embargo": {"allied": 2026}},
    )
    _, objective = run(ds)
    assert objective == approx(40)


V2_FAMILY_TESTS = {
    "add_availability": [
        test_availability_caps_throughput_in_one_year,
        test_stockpile_max_and_provenance,
        test_must_run_shortfall_is_a_penalty,
    ],
    "add_must_run": [
        test_must_run_changes_the_baseline,
        test_must_run_ore_may_be_extracted_and_discarded,
        test_must_run_shortfall_is_a_penalty,
    ],
    "add_circuits": [
        test_light_only_separator_loses_the_dy,
        test_circuit_capacity_binds,
        test_circuit_build_counts_in_the_budget,
        test_circuit_ramps_with_the_separation_stage,
        test_circuit_max_and_build_rate,
    ],
    "add_recipes": [
        test_low_dy_recipe_removes_a_shortfall,
        test_recipe_share_availability_and_demand_factor,
        test_one_stage_recipe_need_sets_the_requirement,
    ],
    "add_stockpiles": [
        test_stockpile_bridges_an_embargo_year,
        test_clean_initial_stock_counts_towards_independence,
        test_stockpile_max_and_provenance,
    ],
}


def test_every_v2_constraint_family_has_a_worked_case():
    """Fails when a family is added to models/additions.py without a hand-solved test."""
    import inspect

    from rechain.models import additions

    families = {
        name
        for name, fn in inspect.getmembers(additions, inspect.isfunction)
        if name.startswith("add_") and fn.__module__ == additions.__name__
    }
    assert families == set(V2_FAMILY_TESTS)
    assert all(V2_FAMILY_TESTS[f] for f in families)
