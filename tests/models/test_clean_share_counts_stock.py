"""Clean share counts stock (model.md, "Version 3 additions"): clean supply is clean[e,y] of the
stockpile family (clean deliveries to protected consumers − clean stock put + clean stock taken),
divided by protected need, in every year of the horizon.

Unless a case says otherwise: discount rate 0, lifetime 1 year, penalties 1e7 USD/t, holding cost 0,
opex 0; 10 t of Dy a year demanded by the protected (allied) Buyer.
"""

import dataclasses

import pytest
from rechain.models.dataset import Recipe, Stockpile

from worked import case, fac, flat, solve


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-6)


def chinese_supply(years, stockpiles, **settings):
    """Only Chinese supply of Dy (mine and separator, opex 1 per t separated)."""
    nodes = {"CNMine": "china", "CNSep": "china", "Buyer": "allied"}
    return case(
        years,
        nodes,
        2,
        [fac("CNMine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"CNMine": {"Dy": 1.0}},
        flat("Buyer", "Dy", 10, years),
        stockpiles=stockpiles,
        settings=settings,
    )


def test_clean_stock_meets_the_requirement():
    """2025 only, α = 0; no clean deliveries can arrive, but an initial clean stock of 10 t covers the
    need: take 10 (no cost), nothing delivered: objective 0, shortfall 0, clean share 10 / 10 = 1.0
    (deliveries alone would say 0 / 10 = 0)."""
    pile = {("Buyer", "Dy"): Stockpile(initial_t=10, initial_provenance="clean")}
    r = solve(chinese_supply((2025, 2025), pile, max_restricted_share=0.0))
    assert r.summary["objective_usd"] == approx(0)
    assert r.summary["shortfall_t"] == approx(0)
    assert r.summary["clean_share"] == {"Dy": {"2025": approx(1.0)}}
    ind = r.tables["independence"].iloc[0]
    assert (ind["protected_demand_t"], ind["clean_t"], ind["clean_share"]) == (approx(10), approx(10), approx(1.0))
    assert r.tables["clean_share"]["clean_share"].tolist() == [approx(1.0)]


def test_mixed_stock_is_not_clean():
    """The same stock of mixed provenance: taking it (free) beats China (opex 1), but it does not
    count: clean share 0, shortfall 10, objective 10 x 1e7."""
    pile = {("Buyer", "Dy"): Stockpile(initial_t=10, initial_provenance="mixed")}
    r = solve(chinese_supply((2025, 2025), pile, max_restricted_share=0.0))
    assert r.summary["objective_usd"] == approx(1e8)
    assert r.summary["shortfall_t"] == approx(10)
    assert r.summary["clean_share"] == {"Dy": {"2025": approx(0.0)}}


def test_stock_counts_in_years_before_the_requirement():
    """2025-2026, requirement (α = 0) from 2026 only; initial clean stock 20 t; the Chinese mine
    extracts nothing in 2025 (availability 0). 2025 takes 10 clean t from stock (else unmet); 2026
    must be clean: the other 10. Objective 0. Clean share 1.0 in both years, 2025 included, which has
    no requirement row; deliveries alone would say 0 in both."""
    pile = {("Buyer", "Dy"): Stockpile(initial_t=20, initial_provenance="clean")}
    ds = chinese_supply((2025, 2026), pile, max_restricted_share=0.0, independence_year=2026)
    r = solve(dataclasses.replace(ds, availability={("CNMine", 1, 2025): 0.0}))
    assert r.summary["objective_usd"] == approx(0)
    assert r.summary["clean_share"] == {"Dy": {"2025": approx(1.0), "2026": approx(1.0)}}


def test_clean_put_is_not_supply_that_year():
    """Allied mine and separator (opex 1 per t separated), clean; the separator cannot run in 2026
    (availability 0); α = 0 from 2025, a stockpile without limit. 2025 delivers 20 t (opex 20) and puts
    10 into stock, taken in 2026. Objective 20. Clean supply: 2025 20 − 10 = 10, 2026 0 + 10 = 10,
    shares 1.0 and 1.0 (deliveries alone would say 2.0 and 0)."""
    nodes = {"Mine": "allied", "Sep": "allied", "Buyer": "allied"}
    ds = case(
        (2025, 2026),
        nodes,
        2,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"Mine": {"Dy": 1.0}},
        flat("Buyer", "Dy", 10, (2025, 2026)),
        stockpiles={("Buyer", "Dy"): Stockpile()},
        availability={("Sep", 2, 2026): 0.0},
        settings={"max_restricted_share": 0.0},
    )
    r = solve(ds)
    assert r.summary["objective_usd"] == approx(20)
    assert r.summary["clean_share"] == {"Dy": {"2025": approx(1.0), "2026": approx(1.0)}}
    stocks = r.tables["stocks"].set_index("year")
    assert (stocks.loc[2025, "put_t"], stocks.loc[2026, "take_t"]) == (approx(10), approx(10))


def test_need_from_recipes_is_the_denominator():
    """10 t of Magnet at the Buyer, one recipe of 0.3 t NdPr per t: need 3 t of NdPr, no element demand,
    demand_factor 2 (6 t of need). Clean NdPr from an allied mine and separator: clean share 6 / 6 = 1,
    in the independence table protected demand 6 t (the workbook's element demand alone has none)."""
    nodes = {"Mine": "allied", "Sep": "allied", "Buyer": "allied"}
    ds = case(
        (2025, 2025),
        nodes,
        2,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, existing_tpa=100)],
        {"Mine": {"NdPr": 1.0}},
        {("Buyer", "Magnet", 2025): 10.0},
        recipes={"Magnet": {"std": Recipe({"NdPr": 0.3})}},
        demand_factor=2.0,
        settings={"max_restricted_share": 0.0},
    )
    r = solve(ds)
    assert r.summary["clean_share"] == {"NdPr": {"2025": approx(1.0)}}
    assert r.tables["independence"]["protected_demand_t"].tolist() == [approx(6)]
