"""`rechain validate` checks the uncertainty sheet like any other sheet, in the base case and every scenario
(workbook.md v3), and recipe-level columns agree after defaults.

The world: Mine (allied, mining) feeds P1 (allied, separation with a new-build option) or CN (china,
existing separation). Buyer needs 10 t of A in 2025-2026: a horizon of 2 years. Scenario `s1` changes
restricted_cost_factor.
"""

import pytest
from rechain.workbook.read import read_tables
from rechain.workbook.validate import validate_tables

FILES = {
    "settings": "key,value\nfirst_year,2025\nlast_year,2026\n",
    "nodes": "node,bloc\nMine,allied\nP1,allied\nCN,china\nBuyer,allied\n",
    "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
    "facilities": (
        "node,stage,existing_tpa,capex_usd_per_tpa\nMine,mining,100,\nP1,separation,0,1000\nCN,separation,100,\n"
    ),
    "composition": "node,element,share\nMine,A,1\n",
    "demand": "node,element,year,demand_t\nBuyer,A,2025,10\nBuyer,A,2026,10\n",
    "scenarios": "scenario,key,value\ns1,restricted_cost_factor,2\n",
}
HEADER = "target,distribution,p1,p2,p3,shared,scenario,factor,correlation,condition\n"


def world(tmp_path, uncertainty: str = "", **files):
    folder = tmp_path / "world"
    folder.mkdir(exist_ok=True)
    for name, text in (FILES | files).items():
        (folder / f"{name}.csv").write_text(text)
    (folder / "uncertainty.csv").write_text(HEADER + uncertainty)
    return folder


# Each bad row (sheet row 2, 3, ...), the cell its error names and a piece of what was expected there.
BAD = [
    ("nonsense.separation,uniform,1,2,,,,,,", "A", "lead_time_delay|capex_overrun|failure"),
    ("failure.Nowhere.separation,bernoulli,0.5,,,,,,,", "A", "with a known node and stage"),
    ("capex_factor.mars,uniform,1,2,,,,,,", "A", "a bloc of the nodes sheet"),
    ("demand_factor,gaussian,1,0.1,,,,,,", "B", "discrete | uniform"),
    ("failure.separation,uniform,0,1,,,,,,", "B", "bernoulli"),
    ('demand_factor,discrete,"1:0.5, 2:0.4",,,,,,,', "C", "probabilities that sum to 1"),
    ("restricted_cost_factor,uniform,2,1,,,,,,", "D", "high >= low"),
    ("capex_overrun.P1.separation,uniform,0,2,,,,,,", "C", "multipliers > 0 and <= 100"),
    ("capex_overrun.separation,uniform,1,500,,,,,,", "D", "multipliers > 0 and <= 100"),
    ("capex_overrun.P1.separation,lognormal,1.5,3,,,,,,", "D", "a lognormal's 99.9th percentile"),
    ("capex_overrun.P1.separation,uniform,1,1e20,,,,,,", "D", "a number"),
    ('lead_time_delay.separation,discrete,"0:0.5, 9:0.5",,,,,,,', "C", "delays from 0 to the horizon's 2 years"),
    ("lead_time_delay.separation,uniform,-1,1,,,,,,", "C", "delays from 0 to the horizon's 2 years"),
    ("demand_factor,lognormal,1,5,,,,,,", "D", "multipliers > 0 and <= 100"),
    ("embargo.china,uniform,2025,1e6,,,,,,", "D", "whole numbers (years) from 0 to 9999"),
    ("max_restricted_share,uniform,0.5,1.5,,,,,,", "A", "<= 1"),
    ("discount_rate,uniform,-1,0,,,s1,,,", "A", ">= 0"),
    ("capex_overrun.separation,uniform,1,2,,,,,1.5,", "I", "<= 1"),
    ("capex_overrun.separation,uniform,1,2,,TRUE,,market,,", "H", "a blank factor and correlation with shared"),
    ("capex_overrun.separation,uniform,1,2,,,,,0.5,TRUE", "J", "one value per draw"),
    ("demand_factor,uniform,1,2,,,nowhere,,,", "G", "a scenario of the workbook"),
]


def test_validate_names_every_bad_uncertainty_row_at_its_cell_all_at_once(tmp_path, rechain):
    """One row per kind of mistake; every one reported at its own cell in one run, and nothing else. The
    discount_rate row belongs to scenario s1: only s1's case draws it, and it is still caught."""
    folder = world(tmp_path, "".join(row + "\n" for row, _, _ in BAD))
    done = rechain("validate", folder)
    assert done.returncode == 2, done.stderr
    lines = [line.strip().removeprefix("- ") for line in done.stderr.splitlines() if line.strip().startswith("- ")]
    places = [line.split(": expected", 1)[0] for line in lines]
    expected = [f"uncertainty!{column}{i + 2}" for i, (_, column, _) in enumerate(BAD)]
    assert sorted(places) == sorted(expected), "\n".join(lines)
    for place, (row, _, words) in zip(expected, BAD, strict=True):
        line = next(x for x in lines if x.startswith(place + ":"))
        assert words in line, (row, line)


GOOD = (
    "capex_overrun.separation,triangular,1,1.6,1.8,,,market,0.5,\n"
    "failure.P1.separation,bernoulli,0.3,,,,,market,0.5,TRUE\n"
    'embargo.china,discrete,"2025:0.5, 2100:0.5",,,,,,,TRUE\n'
    'lead_time_delay.separation,discrete,"0:0.3333333, 2:0.6666666",,,TRUE,,,,TRUE\n'
    "restricted_cost_factor,uniform,1,3,,,s1,,,\n"
)


def test_a_valid_sheet_passes(tmp_path, rechain):
    """Correlated rows, conditions of each kind, a delay of the full horizon (2 years) and a scenario's row."""
    done = rechain("validate", world(tmp_path, GOOD))
    assert done.returncode == 0, done.stderr


RECIPES = "product,recipe,element,t_per_t,extra_cost_usd_per_t,max_share,available_from_year\n"
DEMAND = "node,element,year,demand_t\nBuyer,Mag,2025,10\nBuyer,Mag,2026,10\n"
COMPOSITION = "node,element,share\nMine,A,0.5\nMine,B,0.5\n"


def test_recipe_level_columns_agree_after_defaults(tmp_path):
    """Row 2 leaves extra_cost, max_share and available_from_year blank; row 3 writes their defaults
    (0, 1 and first_year 2025): the same recipe, no error."""
    folder = world(
        tmp_path, recipes=RECIPES + "Mag,std,A,1,,,\nMag,std,B,1,0,1,2025\n", demand=DEMAND, composition=COMPOSITION
    )
    wb, problems = validate_tables(read_tables(folder))
    assert problems.errors == [] and wb is not None


@pytest.mark.parametrize("row, place", [("Mag,std,B,1,,,2026", "recipes!G3"), ("Mag,std,B,1,,0.5,", "recipes!F3")])
def test_recipe_level_columns_that_differ_after_defaults_are_an_error(tmp_path, row, place):
    """A blank available_from_year is 2025, not 2026; a blank max_share is 1, not 0.5."""
    folder = world(tmp_path, recipes=RECIPES + f"Mag,std,A,1,,,\n{row}\n", demand=DEMAND, composition=COMPOSITION)
    _, problems = validate_tables(read_tables(folder))
    assert [i.place for i in problems.errors] == [place]
