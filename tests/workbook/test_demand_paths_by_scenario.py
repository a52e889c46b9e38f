"""Demand paths by scenario (model.md v3; workbook.md v3: the demand sheet's `scenario` column): a
consumer-element with any row of the applied scenario takes all its years from the scenario's rows; an
unknown scenario is an error at its cell.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pytest import approx
from rechain.models.model import Model
from rechain.run.warm import Models
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook

from worked import issues_of, read_reference

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"


def tiny_world(tmp_path: Path, demand: str, scenarios: str = "scenario,key,value\n") -> Path:
    """The frontier example (Mine [allied, 100 tpa, opex 0] -> CNSep [china, opex 1] or USSep [allied,
    capex 100, opex 5] -> Buyer) over 2025-2027, with its demand and scenarios sheets replaced."""
    folder = tmp_path / "frontier"
    shutil.copytree(EXAMPLES / "frontier", folder)
    (folder / "settings.csv").write_text("key,value\nfirst_year,2025\nlast_year,2027\nmax_restricted_share,1\n")
    (folder / "demand.csv").write_text(demand)
    (folder / "scenarios.csv").write_text(scenarios)
    return folder


DEMAND = (
    "node,element,year,demand_t,scenario\n"
    "Buyer,A,2025,10,\nBuyer,A,2026,10,\nBuyer,A,2027,10,\n"
    "Buyer,A,2025,12,high\nBuyer,A,2027,30,high\n"
    "Other,A,2025,5,\n"
)
SCENARIOS = "scenario,key,value,description\nhigh,demand_factor,1,the high path\ncheap,restricted_cost_factor,0.5,\n"


def test_scenario_rows_replace_every_year(tmp_path):
    """Base: Buyer 10 t of A in each of 2025-2027, Other 5 t in 2025. Under `high` Buyer's rows are the
    scenario's only: 12 t in 2025, none in 2026 (no row), 30 t in 2027; Other, with no scenario row, keeps
    its base row. Any other scenario (`cheap`) keeps the base path."""
    nodes = "node,bloc\nMine,allied\nCNSep,china\nUSSep,allied\nBuyer,allied\nOther,allied\n"
    folder = tiny_world(tmp_path, DEMAND, SCENARIOS)
    (folder / "nodes.csv").write_text(nodes)
    wb = load_workbook(folder)
    base = {("Buyer", "A", 2025): 10, ("Buyer", "A", 2026): 10, ("Buyer", "A", 2027): 10, ("Other", "A", 2025): 5}
    assert dict(make_dataset(wb).demand) == base
    assert dict(make_dataset(wb, "cheap").demand) == base
    high = {("Buyer", "A", 2025): 12, ("Buyer", "A", 2027): 30, ("Other", "A", 2025): 5}
    assert dict(make_dataset(wb, "high").demand) == high


def test_scenario_path_reaches_the_plan(tmp_path):
    """Through China at 1 USD/t, undiscounted: base 3 x 10 = 30 t costs 30; under `high` 12 + 30 = 42 t
    costs 42 (Other removed here: Buyer alone)."""
    folder = tiny_world(tmp_path, DEMAND.replace("Other,A,2025,5,\n", ""), SCENARIOS)
    wb = load_workbook(folder)
    assert Model(make_dataset(wb)).solve().summary["objective_usd"] == approx(30)
    assert Model(make_dataset(wb, "high")).solve().summary["objective_usd"] == approx(42)


def test_scenario_path_reaches_the_plan_through_the_warm_pool(tmp_path):
    """The pool behind `scenarios` and `report` (run.warm.Models): the base solved first, then `high` must
    not re-use the base's model (its only scenario row, demand_factor = 1, is a mutable key): 30, then 42."""
    folder = tiny_world(tmp_path, DEMAND.replace("Other,A,2025,5,\n", ""), SCENARIOS)
    models = Models(load_workbook(folder))
    assert models.solve(None, (), tables=False).summary["objective_usd"] == approx(30)
    assert models.solve("high", (), tables=False).summary["objective_usd"] == approx(42)


def test_demand_factor_scales_the_scenario_path(tmp_path):
    """`--set demand_factor=2` on top of `high`: (12 + 30) x 2 = 84 t through China, 84."""
    folder = tiny_world(tmp_path, DEMAND.replace("Other,A,2025,5,\n", ""), SCENARIOS)
    ds = make_dataset(load_workbook(folder), "high", (("demand_factor", "2"),))
    assert Model(ds).solve().summary["objective_usd"] == approx(84)


def test_unknown_scenario_is_an_error_at_its_cell(tmp_path):
    """A demand row naming `hihg` (absent from the scenarios sheet) is an error at its scenario cell,
    E5 (header row 1, fourth data row); the scenario named by a trade rule alone does not count."""
    demand = "node,element,year,demand_t,scenario\nBuyer,A,2025,10,\nBuyer,A,2026,10,\nBuyer,A,2027,10,\n"
    folder = tiny_world(tmp_path, demand + "Buyer,A,2025,12,hihg\n", SCENARIOS)
    (folder / "trade_rules.csv").write_text("from_bloc,to_bloc,allowed,scenario\nchina,allied,FALSE,hihg\n")
    issues = issues_of(folder)
    assert [(i.place, i.found) for i in issues] == [("demand!E5", "'hihg'")]
    assert "high" in issues[0].expected


def test_repeated_rows_are_per_scenario(tmp_path):
    """The same (node, element, year) once in the base and once per scenario is legal; twice under one
    scenario is an error at the second row's node cell (A4)."""
    demand = "node,element,year,demand_t,scenario\nBuyer,A,2025,10,\nBuyer,A,2025,12,high\nBuyer,A,2025,13,high\n"
    issues = issues_of(tiny_world(tmp_path, demand, SCENARIOS))
    assert [i.place for i in issues] == ["demand!A4"]


def test_reference_high_growth_path():
    """demand_high_growth: every consumer's NdPr, Dy and Tb grow 8.7 %/yr from the base's 2025 value, so
    2040 / 2025 = 1.087^15 = 3.495 for each (node, element) (the base's IEA path gives 1.50); the base
    rows are untouched without the scenario."""

    wb = read_reference()
    base, high = make_dataset(wb).demand, make_dataset(wb, "demand_high_growth").demand
    pairs = {(n, e) for (n, e, _) in base}
    assert {(n, e) for (n, e, _) in high} == pairs and pairs
    for n, e in pairs:
        if base[(n, e, 2025)] >= 100:  # rows are rounded to 0.1 t
            assert high[(n, e, 2025)] == approx(base[(n, e, 2025)], abs=0.05)
            assert high[(n, e, 2040)] / high[(n, e, 2025)] == approx(1.087**15, rel=1e-3)
            assert base[(n, e, 2040)] / base[(n, e, 2025)] == approx(1.50, abs=0.01)
