"""One meaning per budget label (issue 22 §2): a budget names the blocs whose capex it caps, and a budget the
report takes from a scenario is that scenario's case (its budget_blocs), not the settings' blocs."""

from pathlib import Path

import pandas as pd
import pytest
from pytest import approx
from rechain.models.highs import DEFAULT_OPTIONS
from rechain.report.findings import budget_label
from rechain.run.findings import _budget_table, blocs_text, budget_blocs, budget_grid
from rechain.run.outlook import budgets_of
from rechain.run.warm import Models
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook


def world(folder: Path) -> Path:
    """2025 only, 10 t of A for Buyer (west, protected); east restricted, so the settings' budget covers west
    and middle (every bloc not restricted). Mine (west) 100 t/yr free; CNSep (east) 100 t/yr at opex 1;
    clean separation is built: MidSep (middle) at capex 50 per t/yr, WestSep (west) at capex 100, opex 5 each.
    Scenario `west_300` caps west capex only at 300 (budget_blocs = west).

    Fully clean from 2025 at the settings' blocs: MidSep 10 t/yr, capex 500 (the budget capex of the grid's
    multiples 0, 125, 250, 375, 500, 750). $300 of west and middle capex buys 6 t/yr at MidSep: 60% clean.
    $300 of west capex leaves MidSep uncapped: 100% clean, and no west capex spent."""
    folder.mkdir()
    files = {
        "settings": "key,value\nfirst_year,2025\nlast_year,2025\nmax_restricted_share,1\nrestricted_blocs,east\n"
        "protected_blocs,west\n",
        "nodes": "node,bloc\nMine,west\nCNSep,east\nMidSep,middle\nWestSep,west\nBuyer,west\n",
        "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
        "facilities": "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years\n"
        "Mine,mining,100,,0,0,1\nCNSep,separation,100,,1,0,1\nMidSep,separation,0,50,5,0,1\n"
        "WestSep,separation,0,100,5,0,1\n",
        "composition": "node,element,share\nMine,A,1\n",
        "demand": "node,element,year,demand_t\nBuyer,A,2025,10\n",
        "scenarios": "scenario,key,value\nwest_300,budget_usd,300\nwest_300,budget_blocs,west\n",
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


@pytest.fixture
def wb(tmp_path):
    return load_workbook(world(tmp_path / "wb"))


def clean_plan(wb):
    return Models(wb).solve(None, (("max_restricted_share", "0"),))


def test_the_grid_names_the_blocs_of_each_budget(wb):
    """Multiples of 500 at the settings' blocs (middle, west) first; the scenario's 300 at west, its own."""
    grid = budget_grid(wb, clean_plan(wb))
    both = ("middle", "west")
    assert [blocs for _, blocs, _ in grid] == [both] * 6 + [("west",)]
    assert [b for b, _, _ in grid] == approx([0, 125, 250, 375, 500, 750, 300])
    assert grid[-1][2] == "budget_usd of scenario west_300"


def test_a_scenario_budget_row_is_the_scenarios_case(wb):
    """The row the scenario defines caps west capex only: 100% clean (by hand above), the same blocs as the
    scenario's case; the same $300 at the settings' blocs buys 60% (a different case, a different label)."""
    grid = [(300.0, ("middle", "west"), "settings' blocs"), (300.0, ("west",), "budget_usd of scenario west_300")]
    table = _budget_table(wb, DEFAULT_OPTIONS, 2025, grid, lambda _: None)
    assert list(table["budget_blocs"]) == ["middle and west", "west"]
    assert list(table["max_clean_share"]) == approx([0.6, 1.0], abs=1e-6)
    assert table.loc[1, "budget_capex_usd"] == approx(0)
    assert table.loc[1, "budget_blocs"] == blocs_text(tuple(sorted(make_dataset(wb, "west_300").budget_blocs)))


def test_the_outlook_runs_a_scenario_budget_at_the_scenarios_blocs(wb):
    assert budgets_of(wb) == [
        (0.0, ("middle", "west"), "no capex at budget blocs"),
        (300.0, ("west",), "scenario west_300"),
    ]
    assert budget_blocs(wb, "west_300") == ("west",)


def test_a_label_says_the_blocs_of_its_row():
    """The outlook's sentences and chart notes name a budget with the blocs its row caps."""
    outlook = pd.DataFrame({"budget_usd": [0.0, 8.5e9], "budget_blocs": ["allied and non_allied", "allied"]})
    assert budget_label(8.5e9, outlook) == "budget of $8.50 bn allied capex"
    assert budget_label(0.0, outlook) == "budget of $0 allied and non_allied capex"


def test_chart_notes_of_a_budget_case_name_its_blocs(wb):
    """A sweep over budget_usd, and a case with a budget, say which capex the budget caps."""
    from rechain.commands.common import case_note

    assert "budget of middle and west capex" in case_note(wb, None, (), ("budget_usd",))
    assert "budget of west capex" in case_note(wb, "west_300", ())
    assert "budget" not in case_note(wb, None, ())
