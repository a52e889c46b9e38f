"""The diagnosis names the v2 constraints behind unmet demand or shortfall, with their `sheet!CELL`,
and the shadow prices are typed by meaning.

Unless a case says otherwise: discount 0, lifetime 1 (no salvage), penalties 1e7 USD/t, opex 0. A
shadow price is the discounted objective saved by one more unit of the row's limit (USD per t or
per t/yr)."""

import dataclasses

import pandas as pd
import pyomo.environ as pyo
import pytest
from rechain.models.dataset import Circuit, Route, Stockpile
from rechain.models.highs import CaseSolver
from rechain.models.solution import Meaning, ShadowPrice, extract
from rechain.run.diagnosis import diagnose

from worked import Stage, case, fac, flat, low_dy_magnet_case

A1 = {"A": 1.0}


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-6)


def solve(ds):
    """The solution, with the `stocks` and `must_run` tables (common3.md's columns) and the summary's
    `must_run_shortfall_t` read off the model where the extraction does not add them."""
    solver = CaseSolver(ds)
    solution = extract(solver.built, solver.solve(), solver.build_seconds)
    assert solution.optimal, solution.message
    m, tables = solver.built.model, dict(solution.tables)
    if "stocks" not in tables:
        rows = [
            (
                c,
                e,
                p,
                y,
                st.value,
                m.put[c, e, p, y].value if (c, e, p, y) in m.put else 0.0,
                m.take[c, e, p, y].value if (c, e, p, y) in m.take else 0.0,
            )
            for (c, e, p, y), st in m.st.items()
        ]
        tables["stocks"] = pd.DataFrame(
            rows, columns=["node", "element", "provenance", "year", "stock_t", "put_t", "take_t"]
        )
    if "must_run" not in tables:
        rows = [
            (n, ds.stages[k - 1].id, y, floor, pyo.value(m.q[n, k, y]), m.w[n, k, y].value)
            for (n, k, y), floor in solver.built.network.must_run.items()
        ]
        tables["must_run"] = pd.DataFrame(
            rows, columns=["node", "stage", "year", "floor_t", "throughput_t", "shortfall_t"]
        )
        solution.summary.setdefault("must_run_shortfall_t", float(tables["must_run"]["shortfall_t"].sum()))
    return dataclasses.replace(solution, tables=tables)


def binding(ds):
    d = diagnose(ds, solve(ds))
    assert d is not None
    return d, {b["constraint"]: b for b in d.binding}


def test_binding_circuit_is_named_with_its_row():
    """A separator with circuits for La (existing 4.5 t/yr, capex blank) and Dy (10 t/yr); ore 90% La,
    10% Dy; 9 t of La and 1 t of Dy wanted. The 1 t of Dy needs 10 t of ore, whose 9 t of La the circuit
    separates only 4.5 of: 4.5 t of La unmet. One more t/yr of La circuit separates one more t from ore
    already processed: it saves 1e7."""
    nodes = {"Mine": "allied", "Sep": "allied", "Buyer": "allied"}
    ds = case(
        (2025, 2025),
        nodes,
        2,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, existing_tpa=100)],
        {"Mine": {"La": 0.9, "Dy": 0.1}},
        {("Buyer", "La", 2025): 9.0, ("Buyer", "Dy", 2025): 1.0},
        circuits={
            ("Sep", "La"): Circuit(existing_tpa=4.5, place="circuits!A2"),
            ("Sep", "Dy"): Circuit(existing_tpa=10, place="circuits!A3"),
        },
    )
    d, rows = binding(ds)
    row = rows["La circuit at Sep in 2025 (no expansion allowed (capex blank))"]
    assert row["place"] == "circuits!A2" and row["shadow_price"] == approx(1e7) and row["unit"] == "USD per t/yr"
    assert any("circuit at Sep in 2025" in f and "circuits!A2" in f for f in d.findings)


def stock_case(pile=True, embargo=None, places=None):
    """Only Chinese supply of Dy (separation opex 1 per t) to an allied buyer, 10 t a year in 2025-2026,
    α = 1; the mine may extract only 4 t in 2026 (availability); the buyer's stockpile holds at most 3 t."""
    nodes = {"CNMine": "china", "CNSep": "china", "Buyer": "allied"}
    return case(
        (2025, 2026),
        nodes,
        2,
        [fac("CNMine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"CNMine": {"Dy": 1.0}},
        flat("Buyer", "Dy", 10, (2025, 2026)),
        stockpiles={("Buyer", "Dy"): Stockpile(max_t=3, place="stockpiles!A2")} if pile else {},
        availability={} if embargo else {("CNMine", 1, 2026): 4.0},
        availability_places={("CNMine", 1, 2026): "availability!A2"},
        setting_places=places or {},
        settings={"embargo": embargo or {}},
    )


def test_empty_stockpile_limit_and_availability():
    """2025 delivers 13 t and puts 3 (the limit); 2026 delivers the 4 t available and takes the 3: 3 t
    unmet and the stockpile empty at the end of 2026. One more t of stock limit in 2025 costs 1 of opex
    and saves 1e7 in 2026: 1e7 − 1; one more t available in 2026 the same."""
    d, rows = binding(stock_case())
    assert "the stockpile of Dy at Buyer is empty in 2026 (stockpiles!A2)" in d.findings
    limit = rows["stockpile limit max_t of Dy at Buyer in 2025"]
    assert limit["place"] == "stockpiles!A2" and limit["shadow_price"] == approx(1e7 - 1)
    ceiling = rows["availability ceiling of mining at CNMine in 2026"]
    assert ceiling["place"] == "availability!A2" and ceiling["shadow_price"] == approx(1e7 - 1)
    assert limit["unit"] == ceiling["unit"] == "USD per t"


def test_embargo_names_its_key():
    """Embargo on mixed material to 'allied' from 2026, no stockpile: the Chinese Dy cannot reach the
    buyer in 2026: 10 t unmet, and the diagnosis names the embargo key's place."""
    ds = stock_case(pile=False, embargo={"allied": 2026}, places={"embargo.allied": "scenarios!D4"})
    d = diagnose(ds, solve(ds))
    assert (
        "embargo on mixed material to allied from 2026 (scenarios!D4): 10.0 t of Dy unmet at Buyer in 2026"
        in d.findings
    )


def ramp_case(setting=(), stage=None, facility=None):
    """Clean allied mine; China separator (existing 100, opex 1); allied separator to build (capex 100/tpa,
    lead 0, at most 10 tpa a year); α = 0; 10 t/yr of A in 2025-2026. With a ramp (0.5), the 10 tpa
    built in 2025 give 5 t in 2025: 5 t short. One more t/yr of capacity in 2025 replaces 1 t via China
    (opex 1) with clean supply, saving 1e7 of shortfall and the 1 of opex: 1e7 + 1."""
    nodes = {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}
    stages = (Stage("mining", 1), Stage("separation", 2, ramp_up=stage, place="stages!A3"))
    return case(
        (2025, 2026),
        nodes,
        stages,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("USSep", 2, capex_usd_per_tpa=100, max_build_tpa_per_year=10, ramp_up=facility, place="facilities!A4"),
        ],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        setting_places={"ramp_up": "settings!B30"},
        settings={"max_restricted_share": 0.0, "ramp_up": setting},
    )


@pytest.mark.parametrize(
    "kw, place",
    [
        (dict(setting=(0.5,)), "settings!B30"),
        (dict(stage=(0.5,)), "stages!A3"),
        (dict(setting=(1.0,), facility=(0.5,)), "facilities!A4"),
    ],
)
def test_ramp_up_is_named_with_the_ramps_place(kw, place):
    d, rows = binding(ramp_case(**kw))
    row = rows["capacity of separation at USSep in 2025 (ramp-up: the build of 2025 runs at 50% of nameplate)"]
    assert row["place"] == place and row["shadow_price"] == approx(1e7 + 1)


def test_binding_must_run_floor():
    """Western mine W (10 tpa, opex 5, min_utilization 0.6 in 2025) and Chinese mine C (opex 1); 10 t of A
    to an allied buyer, α = 1, one stage. W runs its 6 t floor; one t more of floor replaces a t from C:
    5 − 1 = 4 USD per t. The buyer also wants 1 t of B, which nobody mines: unmet, so a diagnosis runs."""
    ds = case(
        (2025, 2025),
        {"W": "allied", "C": "china", "Buyer": "allied"},
        1,
        [
            fac("W", 1, existing_tpa=10, opex_usd_per_t=5, min_utilization=0.6, place="facilities!A2"),
            fac("C", 1, existing_tpa=100, opex_usd_per_t=1),
        ],
        {"W": A1, "C": A1},
        {("Buyer", "A", 2025): 10.0, ("Buyer", "B", 2025): 1.0},
    )
    d, rows = binding(ds)
    row = rows["must-run floor (min_utilization) of mining at W in 2025"]
    assert row["place"] == "facilities!A2" and row["shadow_price"] == approx(4)
    assert any("unmet demand: 1.0 t of B at Buyer" in f for f in d.findings)


def test_must_run_shortfall_is_explained():
    """W (10 tpa existing, min_utilization 0.6 in 2025) may extract only 2 t (availability) and ships
    nothing (its route is closed); C serves the 10 t of A. 4 t of W's 6 t floor cannot be run: a
    must-run shortfall (no unmet demand, no shortfall), named with W's row."""
    ds = case(
        (2025, 2025),
        {"W": "allied", "C": "china", "Buyer": "allied"},
        1,
        [
            fac("W", 1, existing_tpa=10, min_utilization=0.6, place="facilities!A2"),
            fac("C", 1, existing_tpa=100, opex_usd_per_t=1),
        ],
        {"W": A1, "C": A1},
        {("Buyer", "A", 2025): 10.0},
        routes=(Route("W", "Buyer", None, allowed=False),),
        availability={("W", 1, 2025): 2.0},
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == approx(0) and r.summary["must_run_shortfall_t"] == approx(4)
    d = diagnose(ds, r)
    assert "must-run shortfall: 4.0 t of the mining floor at W in 2025 cannot be run (facilities!A2)" in d.findings


def test_recipe_share_and_product_demand_are_typed_duals():
    """One more t of low-Dy share saves 0.015 t of shortfall (1.5e5) for 50: 149,950 USD per t. One more
    t of Magnet is made by the standard recipe: 0.02 t more Dy short: 2e5 USD per t. Dy is short, so one
    more t of clean Dy required costs 1e7 — a positive clean premium, although the requirement
    (1 − α)·Σ t_per_t·x has variables on its side of the row. The duals table keeps its columns: the
    product (and recipe) in `element`."""
    ds = low_dy_magnet_case()
    r = solve(ds)
    share = ShadowPrice(
        Meaning.RECIPE_SHARE, pytest.approx(149_950), node="Buyer", year=2025, product="Magnet", recipe="low"
    )
    mix = ShadowPrice(Meaning.PRODUCT_DEMAND, pytest.approx(2e5), node="Buyer", year=2025, product="Magnet")
    assert share in r.shadow_prices and mix in r.shadow_prices
    assert ShadowPrice(Meaning.INDEPENDENCE, pytest.approx(1e7), element="Dy", year=2025) in r.shadow_prices
    duals = r.tables["duals"].set_index("constraint")
    assert duals.loc["recipe_share", "element"] == "Magnet.low" and duals.loc["recipe_mix", "element"] == "Magnet"
    assert duals.loc["recipe_share", "unit"] == "USD per t (discounted)"
    d, rows = binding(ds)
    row = rows["max_share of recipe low of Magnet at Buyer in 2025"]
    assert row["place"] == "recipes!A4" and row["shadow_price"] == approx(149_950)


def test_every_meaning_has_a_label_text_and_unit():
    assert len({m.label for m in Meaning}) == len(Meaning)
    assert all(m.text and m.unit.startswith("USD per") for m in Meaning)
    assert Meaning.CIRCUIT_CAPACITY.label == "circuit_capacity" and Meaning.MUST_RUN.unit == "USD per t (discounted)"
