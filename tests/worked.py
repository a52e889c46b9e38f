"""Helpers to state tiny worked cases in a few lines and solve them."""

from __future__ import annotations

import copy
from functools import cache

from rechain.inputs import reference_workbook
from rechain.models.dataset import Dataset, Facility, Recipe, Route, Settings, Stage, TradeRule  # noqa: F401
from rechain.models.highs import CaseSolver
from rechain.models.solution import Solution, extract
from rechain.workbook.cases import make_dataset, settings_of
from rechain.workbook.validate import Workbook, load_workbook

CLEAN_NODES = {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}  # clean_case's world

STAGES = {
    1: (Stage("mining", 1),),
    2: (Stage("mining", 1), Stage("separation", 2)),
    3: (Stage("mining", 1), Stage("separation", 2), Stage("metal", 3)),
}


def fac(node: str, stage: int, **kw) -> tuple[tuple[str, int], Facility]:
    kw.setdefault("lifetime_years", 1.0)  # no salvage unless a test asks for it
    return (node, stage), Facility(node, stage, **kw)


def case(years=(2025, 2025), nodes=None, stages=2, facilities=(), composition=None, demand=None, **kw) -> Dataset:
    settings = settings_of({"first_year": years[0], "last_year": years[1], **kw.pop("settings", {})})
    return Dataset(
        settings=settings,
        nodes=nodes,
        stages=STAGES[stages] if isinstance(stages, int) else stages,
        facilities=dict(facilities),
        composition=composition,
        demand=demand,
        **kw,
    )


def flat(node: str, element: str, t: float, years) -> dict:
    return {(node, element, y): t for y in range(years[0], years[1] + 1)}


def magnet_dy(**settings) -> Dataset:
    """10 t of Magnet, one recipe: 0.3 t NdPr and 0.02 t Dy per t, so 0.2 t of Dy is needed. Clean Dy:
    0.05 t/yr at DMine, and NewDy can be built at 1,000 USD per t/yr; China (CNMine) has Dy in plenty;
    NdPr is clean and plentiful; one separator, 2025 only."""
    nodes = {
        "NMine": "allied",
        "DMine": "allied",
        "NewDy": "allied",
        "CNMine": "china",
        "Sep": "allied",
        "Buyer": "allied",
    }
    return case(
        (2025, 2025),
        nodes,
        2,
        [
            fac("NMine", 1, existing_tpa=100),
            fac("DMine", 1, existing_tpa=0.05),
            fac("NewDy", 1, capex_usd_per_tpa=1000),
            fac("CNMine", 1, existing_tpa=100),
            fac("Sep", 2, existing_tpa=100),
        ],
        {"NMine": {"NdPr": 1.0}, "DMine": {"Dy": 1.0}, "NewDy": {"Dy": 1.0}, "CNMine": {"Dy": 1.0}},
        {("Buyer", "Magnet", 2025): 10.0},
        recipes={"Magnet": {"std": Recipe({"NdPr": 0.3, "Dy": 0.02})}},
        settings=settings,
    )


def solve(ds: Dataset) -> Solution:
    solver = CaseSolver(ds)
    return extract(solver.built, solver.solve(), solver.build_seconds)


def issues_of(path, scenario=None, overrides=()) -> list:
    """The input errors of making the case of a workbook (it must have some)."""
    import pytest
    from rechain.base.errors import InputError

    with pytest.raises(InputError) as exc:
        make_dataset(load_workbook(path), scenario, overrides)
    return exc.value.issues


@cache
def _reference() -> Workbook:
    return load_workbook(reference_workbook())


def read_reference() -> Workbook:
    """The shipped reference workbook, read once per process; each call gets its own copy to change."""
    return copy.deepcopy(_reference())


def warnings_of(path, scenario=None, overrides=()) -> list[str]:
    """The warnings of reading a workbook and making its case (`path` may be a workbook already read)."""
    wb = path if isinstance(path, Workbook) else load_workbook(path)
    warnings = list(wb.warnings)
    make_dataset(wb, scenario, overrides, warnings)
    return warnings


def clean_case(years=(2025, 2025), lead=0, **settings):
    """Clean ore; China separates at opex 1; an allied separator costs 100 USD/tpa with `lead` years."""
    return case(
        years,
        CLEAN_NODES,
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("USSep", 2, capex_usd_per_tpa=100, opex_usd_per_t=5, lead_time_years=lead),
        ],
        {"Mine": {"A": 1.0}},
        flat("Buyer", "A", 10, years),
        settings=settings,
    )


def any_price_case(any_price: bool, cap: float | None = None, alpha: float = 0.0):
    """The worked case of models/test_shortfall_at_any_price.py (its docstring works it by hand)."""
    nodes = {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}
    return case(
        (2025, 2025),
        nodes,
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("USSep", 2, capex_usd_per_tpa=5000, lead_time_years=0, max_tpa=cap),
        ],
        {"Mine": {"A": 1.0}},
        {("Buyer", "A", 2025): 10.0},
        settings={
            "max_restricted_share": alpha,
            "shortfall_penalty_usd_per_t": 1000.0,
            "shortfall_at_any_price": any_price,
        },
    )


def low_dy_magnet_case(share=0.5, product="Magnet", recipe="low"):
    """An allied buyer wants 10 t of 'Magnet': standard recipe (0.3 t NdPr, 0.02 t Dy per t) or low-Dy
    (0.005 t Dy, +50 USD/t, max_share 0.5); clean Dy 0.05 t (allied mine), Chinese Dy plenty, NdPr clean
    and plenty; α = 0. 5 t low-Dy, 5 t standard: Dy need 0.125, shortfall 0.075."""
    nodes = {"NMine": "allied", "DMine": "allied", "CNMine": "china", "Sep": "allied", "Buyer": "allied"}
    recipes = {
        "std": Recipe({"NdPr": 0.3, "Dy": 0.02}),
        recipe: Recipe({"NdPr": 0.3, "Dy": 0.005}, extra_cost_usd_per_t=50, max_share=share, place="recipes!A4"),
    }
    return case(
        (2025, 2025),
        nodes,
        2,
        [
            fac("NMine", 1, existing_tpa=100),
            fac("DMine", 1, existing_tpa=0.05),
            fac("CNMine", 1, existing_tpa=100),
            fac("Sep", 2, existing_tpa=100),
        ],
        {"NMine": {"NdPr": 1.0}, "DMine": {"Dy": 1.0}, "CNMine": {"Dy": 1.0}},
        {("Buyer", product, 2025): 10.0},
        recipes={product: recipes},
        settings={"max_restricted_share": 0.0},
    )
