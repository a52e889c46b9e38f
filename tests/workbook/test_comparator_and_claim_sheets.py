"""The optional comparators and claims sheets (rechain extensions read by `rechain report`): loaded in sheet
order, every bad cell reported at once, absent sheets give empty tuples."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from rechain.base.errors import InputError
from rechain.workbook.validate import Claim, Comparator, load_workbook

from worked import read_reference

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"


def frontier(tmp_path, **files) -> Path:
    """The frontier example (element A; scenarios cheap_china, china_free) with extra CSV sheets."""
    folder = tmp_path / "frontier"
    shutil.copytree(EXAMPLES / "frontier", folder)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


COMPARATORS = (
    "element,comparator,premium_low_usd_per_kg,premium_high_usd_per_kg,source\n"
    "A,US price floor over China's price,59,,110 - 51\n"
    "A,ex-China incentive price over China's price,24,54,75-105 minus 51\n"
)
CLAIMS = (
    "claim,evidence,verdict,scenario,source\n"
    "34 countries met,54 countries + the EC,not found as 34: 54,,State Dept\n"
    "China's costs are a quarter,1/3 capex and 2/3 production,not found as 1/4,cheap_china,\n"
)


def test_a_valid_workbook_loads_both_sheets_in_order(tmp_path):
    """Rows 2 and 3 of each sheet, in that order; the blank high of comparators!D2 is the low, 59."""
    wb = load_workbook(frontier(tmp_path, comparators=COMPARATORS, claims=CLAIMS))
    assert wb.comparators == (
        Comparator("A", "US price floor over China's price", 59.0, 59.0, "110 - 51", "comparators!A2"),
        Comparator("A", "ex-China incentive price over China's price", 24.0, 54.0, "75-105 minus 51", "comparators!A3"),
    )
    assert wb.claims == (
        Claim("34 countries met", "54 countries + the EC", "not found as 34: 54", None, "State Dept", "claims!A2"),
        Claim(
            "China's costs are a quarter",
            "1/3 capex and 2/3 production",
            "not found as 1/4",
            "cheap_china",
            "",
            "claims!A3",
        ),
    )
    assert wb.warnings == []


def test_a_workbook_without_the_sheets_has_empty_tuples():
    wb = load_workbook(EXAMPLES / "frontier")
    assert wb.comparators == () and wb.claims == ()


def test_every_bad_cell_is_reported_at_once(tmp_path):
    """comparators: row 2 names element 'B' (the workbook has only A), row 3 has high 10 < low 20, row 4 has no
    comparator label; claims: row 2 names scenario 'nope', row 3 has a blank verdict, row 4 a blank claim."""
    path = frontier(
        tmp_path,
        comparators="element,comparator,premium_low_usd_per_kg,premium_high_usd_per_kg\n"
        "B,label,1,\nA,label,20,10\nA,,5,\n",
        claims="claim,evidence,verdict,scenario\nc1,e1,v1,nope\nc2,e2,,\n,e3,v3,\n",
    )
    with pytest.raises(InputError) as caught:
        load_workbook(path)
    issues = {i.place: i for i in caught.value.issues}
    assert set(issues) == {"comparators!A2", "comparators!D3", "comparators!B4", "claims!D2", "claims!C3", "claims!A4"}
    assert "element" in issues["comparators!A2"].expected and issues["comparators!A2"].found == "'B'"
    assert issues["comparators!D3"].expected == "a number >= premium_low_usd_per_kg (20)"
    assert issues["comparators!D3"].found == "10.0"
    assert (
        issues["comparators!B4"].found == "a blank cell"
        and "comparator is required" in issues["comparators!B4"].expected
    )
    assert issues["claims!D2"].expected == "a scenario of the workbook (cheap_china, china_free)"
    assert issues["claims!D2"].found == "'nope'"
    assert "verdict is required" in issues["claims!C3"].expected
    assert "claim is required" in issues["claims!A4"].expected


def test_a_comparator_may_name_a_product_of_the_demand_sheet(tmp_path):
    """Demand for product 'magnet' (recipes sheet) makes 'magnet' a valid comparator element."""
    path = frontier(
        tmp_path,
        recipes="product,recipe,element,t_per_t\nmagnet,standard,A,1\n",
        demand="node,element,year,demand_t\nBuyer,magnet,2025,10\n",
        comparators="element,comparator,premium_low_usd_per_kg\nmagnet,magnets,10\n",
    )
    assert [c.element for c in load_workbook(path).comparators] == ["magnet"]


def test_a_claim_may_name_a_scenario_that_scopes_a_budget(tmp_path):
    """Workbook.scenario_names includes 'tight', named only by a budget row: claims may name it."""
    path = frontier(
        tmp_path,
        budgets="bloc,budget_usd,scenario\nallied,1e9,tight\n",
        claims="claim,evidence,verdict,scenario\nc,e,v,tight\n",
    )
    assert [c.scenario for c in load_workbook(path).claims] == ["tight"]


def test_hostile_labels_are_text_like_any_other(tmp_path):
    """Leading and trailing spaces are stripped, as in every text column; unicode is kept; an element with
    different case is not the element (and the error says which one was meant)."""
    path = tmp_path / "book.xlsx"
    folder = frontier(tmp_path)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for csv in sorted(folder.glob("*.csv")):
        ws = book.create_sheet(csv.stem)
        for line in csv.read_text().splitlines():
            ws.append(
                [float(x) if x.replace(".", "").isdigit() and csv.stem != "scenarios" else x for x in line.split(",")]
            )
    ws = book.create_sheet("comparators")
    ws.append(["element", "comparator", "premium_low_usd_per_kg", "premium_high_usd_per_kg", "source"])
    ws.append(["  A ", "  Rotterdam über FOB China — ⅓ ", 52, None, " ½ "])
    ws = book.create_sheet("claims")
    ws.append(["claim", "evidence", "verdict", "scenario"])
    ws.append([" 中国 ¼ ", "⅓ capex", " unverified ", " cheap_china "])
    book.save(path)
    wb = load_workbook(path)
    assert wb.comparators == (Comparator("A", "Rotterdam über FOB China — ⅓", 52.0, 52.0, "½", "comparators!A2"),)
    assert wb.claims == (Claim("中国 ¼", "⅓ capex", "unverified", "cheap_china", "", "claims!A2"),)

    book["comparators"]["A2"] = "a"
    book.save(path)
    with pytest.raises(InputError) as caught:
        load_workbook(path)
    [issue] = caught.value.issues
    assert issue.place == "comparators!A2" and "did you mean 'A'" in issue.found


def test_the_reference_comparators_are_the_data_briefs_figures_minus_chinas_price():
    """China: NdPr 418,000 CNY/t / 7.2 / 1.13 = 51.4 -> 51 (ex-VAT); Dy 224 (Adamas); Tb 7,025,000 / 7.2 = 976
    (incl. VAT, as Dy). Floor 110 - 51 = 59; Rotterdam (180+200)/2 - (128+148)/2 = 190 - 138 = 52; incentive
    75-105 - 51 = 24-54; Dy Europe 700-1,000 - 224 = 476-776; Dy asks 1,100 - 224 = 876; Tb Europe
    2,000-4,000 - 976 = 1,024-3,024. Each has its sources row."""
    from rechain.inputs import reference_workbook

    wb = read_reference()
    assert [(c.element, c.low, c.high) for c in wb.comparators] == [
        ("NdPr", 59, 59),
        ("NdPr", 52, 52),
        ("NdPr", 24, 54),
        ("Dy", 476, 776),
        ("Dy", 876, 876),
        ("Tb", 1024, 3024),
    ]
    assert [c.scenario for c in wb.claims] == ["china_cost_factor_0_25", "budget_300bn", None, "budget_8_5bn"]
    book = openpyxl.load_workbook(reference_workbook(), read_only=True)
    items = {row[0] for row in book["sources"].iter_rows(min_row=2, values_only=True)}
    for c in wb.comparators:
        assert f"comparator {c.element}: {c.comparator}" in items
    for c in wb.claims:
        assert f"claim: {c.claim}" in items
    assert "scenario budget_25bn" in items
    assert "assumption" in wb.scenario_descriptions["budget_25bn"]
