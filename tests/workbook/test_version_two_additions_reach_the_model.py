"""Every "Version 2 addition" of workbook.md reaches the model from a workbook (issue 11): its errors
at their cells, its data in the Dataset, and hand-solved cases that change because of it.

Most cases are the frontier example (Mine [allied, 100 tpa, opex 0] -> CNSep [china, 100 tpa, opex 1]
or USSep [allied, capex 100/tpa, opex 5, lifetime 1, lead 0] -> Buyer, 10 t of A in 2025, α = 1:
objective 10) with CSV files replaced or added.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from rechain.models.model import Model
from rechain.workbook.cases import make_dataset
from rechain.workbook.keys import is_known_key, parse_params
from rechain.workbook.read import read_tables
from rechain.workbook.validate import load_workbook, validate_tables

from worked import issues_of, warnings_of

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"
PENALTY = 1e7


def case(tmp_path, example="frontier", **files) -> Path:
    """A copy of an example with CSV files replaced or added (text starting with '+' is appended)."""
    folder = tmp_path / example
    shutil.copytree(EXAMPLES / example, folder)
    for name, text in files.items():
        path = folder / f"{name}.csv"
        path.write_text(path.read_text() + text[1:] if text.startswith("+") else text)
    return folder


def errors_of(path: Path) -> list:
    return validate_tables(read_tables(path))[1].errors


def objective(path: Path, scenario=None, overrides=()) -> float:
    return Model(make_dataset(load_workbook(path), scenario, overrides)).solve().summary["objective_usd"]


def one(issues: list, place: str):
    found = [i for i in issues if i.place == place]
    assert len(found) == 1, (place, [str(i) for i in issues])
    return found[0]


# ----------------------------------------------------------------------------- validation, at the cause

TWO_ELEMENTS = "node,element,share\nMine,A,0.5\nMine,B,0.5\n"


def test_every_v2_error_is_named_at_its_cell_all_at_once(tmp_path):
    """One workbook with one mistake per rule; every error at its own cell, reported together, and no other."""
    path = case(
        tmp_path,
        composition=TWO_ELEMENTS,
        settings='+ramp_up,"0.5, 1.5"\n',  # settings!B6: 1.5 is not a share
        stages="stage,order,yield,ramp_up\nmining,1,,0\nseparation,2,1,\n",  # stages!D2: 0 is not a share
        facilities="node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lifetime_years,ramp_up,min_utilization\n"
        "Mine,mining,100,,0,1,x,\nCNSep,separation,100,,1,1,,1.5\nUSSep,separation,0,100,5,1,,\n",
        demand="+Buyer,Z,2025,1\n",  # demand!B3: neither an element nor a product
        availability="node,stage,year,max_tpa\nNowhere,mining,2025,1\nMine,milling,2025,1\n"  # A2 node, B3 stage
        "Buyer,mining,2025,1\nMine,mining,2025,5\nMine,mining,2025,6\n",  # A4 no facility, A6 repeat
        circuits="node,element,existing_tpa,max_tpa\nMine,A,1,\nUSSep,Q,1,\nUSSep,A,5,4\nCNSep,A,1,\n"
        "CNSep,A,2,\n",  # A2 no separator, B3 element, D4 max < existing, A6 repeat
        stockpiles="node,element,initial_t,initial_provenance,max_t\nBuyer,A,6,clean,5\nBuyer,B,0,dirty,\n"
        "Nobody,A,0,,\nBuyer,B,0,,\n",  # E2 initial > max, D3 provenance, A4 node, A5 repeat
        recipes="product,recipe,element,t_per_t,extra_cost_usd_per_t,max_share,available_from_year\n"
        "A,r,B,1,,,\n"  # A2: a product that is an element
        "P,r,A,1,0,,\nP,r,B,1,5,,\n"  # E4: recipe-level column disagrees with row 3
        "Q,r,X,1,,,\n"  # C5: unknown element
        "S,r1,A,1,,0.6,\nS,r2,A,1,,0.3,\n"  # F6: max_shares reach 0.9 only
        "T,r,A,1,,,2026\n"  # G8: no recipe from first_year
        "P,r,A,2,0,,\n",  # A9: repeat of row 3
    )
    issues = errors_of(path)
    expected = {
        "settings!B6": "a comma-separated list of shares",
        "stages!D2": "each > 0 and <= 1",
        "facilities!G2": "a comma-separated list of shares",
        "facilities!H3": "<= 1",
        "demand!B3": "a known element or product",
        "availability!A2": "a known node",
        "availability!B3": "a known stage",
        "availability!A4": "a node with a mining facility",
        "availability!A6": "one row per node + stage + year",
        "circuits!A2": "a node with a separation (order 2) facility",
        "circuits!B3": "a known element",
        "circuits!D4": "max_tpa >= existing_tpa (5)",
        "circuits!A6": "one row per node + element",
        "stockpiles!E2": "max_t >= initial_t (6)",
        "stockpiles!D3": "clean or mixed",
        "stockpiles!A4": "a known node",
        "stockpiles!A5": "one row per node + element",
        "recipes!A2": "a product name that is not an element",
        "recipes!E4": "the same extra_cost_usd_per_t on every row of recipe 'r' of 'P' (its first row has 0 at "
        "recipes!E3)",
        "recipes!C5": "a known element",
        "recipes!F6": "the max_share of the recipes of product 'S' available in each year to add up to 1",
        "recipes!G8": "a recipe of product 'T' with max_share > 0 available from first_year (2025)",
        "recipes!A9": "one row per product + recipe + element",
    }
    assert sorted(i.place for i in issues) == sorted(expected), [str(i) for i in issues]
    for place, words in expected.items():
        assert words in one(issues, place).expected, str(one(issues, place))
    assert one(issues, "settings!B6").found == "'0.5, 1.5' (the share 1.5)"
    assert one(issues, "recipes!F6").found == "0.9 in 2025"
    assert one(issues, "recipes!G8").found == "recipes available from 2026"


def test_max_shares_short_of_one_name_the_years(tmp_path):
    """2025-2027; recipe r1 (max_share 0.6) from first_year, r2 (0.4) from 2027: short in 2025-2026 only."""
    path = case(
        tmp_path,
        settings="key,value\nfirst_year,2025\nlast_year,2027\n",
        recipes="product,recipe,element,t_per_t,max_share,available_from_year\nP,r1,A,1,0.6,\nP,r2,A,1,0.4,2027\n",
    )
    [issue] = errors_of(path)
    assert issue.place == "recipes!E2" and issue.found == "0.6 in 2025-2026" and "'P'" in issue.expected


def test_shares_that_add_up_to_one_within_rounding_reach_one(tmp_path):
    """0.7 + 0.2 + 0.1 is 0.9999999999999999 in floating point: it reaches 1."""
    path = case(tmp_path, recipes="product,recipe,element,t_per_t,max_share\nP,a,A,1,0.7\nP,b,A,1,0.2\nP,c,A,1,0.1\n")
    assert errors_of(path) == []


def test_a_stockpile_needs_demand_in_the_horizon(tmp_path):
    """USSep demands nothing: stockpiles!A2. Buyer's A demand is only in 2025, so with --set first_year=2026
    (last_year 2026) Buyer's stockpile (A3) has none either; judged where the case is made."""
    path = case(tmp_path, stockpiles="node,element\nUSSep,A\nBuyer,A\n")
    [issue] = issues_of(path)
    assert issue.place == "stockpiles!A2" and "has demand for 'A' in 2025-2025" in issue.expected
    path = case(tmp_path / "2", stockpiles="node,element\nBuyer,A\n")
    [issue] = issues_of(path, None, (("first_year", "2026"), ("last_year", "2026")))
    assert issue.place == "stockpiles!A2" and "2026-2026" in issue.expected


def test_a_stockpile_for_an_element_demanded_through_a_recipe_is_fine(tmp_path):
    path = case(
        tmp_path,
        demand="node,element,year,demand_t\nBuyer,P,2025,10\n",
        recipes="product,recipe,element,t_per_t\nP,r,A,1\n",
        stockpiles="node,element\nBuyer,A\n",
    )
    assert make_dataset(load_workbook(path)).stockpiles[("Buyer", "A")].place == "stockpiles!A2"


def test_a_stockpile_needs_two_stages(tmp_path):
    path = case(
        tmp_path,
        stages="stage,order\nmining,1\n",
        facilities="node,stage,existing_tpa\nMine,mining,100\n",
        stockpiles="node,element\nBuyer,A\n",
    )
    [issue] = errors_of(path)
    assert issue.place == "stockpiles!A2" and "two stages" in issue.expected


def test_embargo_and_cost_advantage_blocs_must_be_blocs(tmp_path):
    """settings rows 6-7 name blocs no node has (China, partner); --set embargo.Allied too."""
    path = case(tmp_path, settings='+embargo.China,2025\ncost_advantage_blocs,"china, partner"\n')
    issues = issues_of(path, None, (("embargo.Allied", "2025"),))
    assert sorted(i.place for i in issues) == ["--set embargo.Allied", "settings!B6", "settings!B7"]
    assert "did you mean 'china'" in one(issues, "settings!B6").found
    assert one(issues, "settings!B7").found == "'partner'"


def test_an_embargo_after_last_year_is_a_warning(tmp_path):
    path = case(tmp_path, settings="+embargo.allied,2030\n")
    assert [w for w in warnings_of(path) if w.startswith("settings!B6:") and "never applies" in w]
    assert not [w for w in warnings_of(path, None, (("embargo.allied", "2025"),)) if "never applies" in w]


def test_overrides_are_checked_again(tmp_path):
    """max_share.P.lean = 0.5 leaves P's recipes at 0.5 + 0.4; initial_t 8 above max_t 5; max_t.Buyer.A = 1
    below initial_t 2; unknown pairs and a max_share above 1 are errors at their option."""
    path = case(
        tmp_path,
        recipes="product,recipe,element,t_per_t,max_share\nP,std,A,1,0.4\nP,lean,A,1,\n",
        stockpiles="node,element,initial_t,max_t\nBuyer,A,2,5\n",
    )
    issues = issues_of(path, None, (("max_share.P.lean", "0.5"),))
    assert [(i.place, i.found) for i in issues] == [("--set max_share.P.lean", "0.9 in 2025")]
    [issue] = issues_of(path, None, (("initial_t.Buyer.A", "8"),))
    assert issue.place == "--set initial_t.Buyer.A" and "initial_t 8, max_t 5" in issue.expected
    [issue] = issues_of(path, None, (("max_t.Buyer.A", "1"),))
    assert issue.place == "--set max_t.Buyer.A" and issue.found == "max_t 1"
    issues = issues_of(path, None, (("max_share.P.none", "1"), ("max_t.Buyer.B", "1"), ("max_share.P.std", "2")))
    assert [i.place for i in issues] == ["--set max_share.P.none", "--set max_t.Buyer.B", "--set max_share.P.std"]
    assert "P.lean, P.std" in issues[0].expected


def test_overrides_change_the_dataset(tmp_path):
    """Blank max_t = unlimited; labels with dots are split against the known pairs."""
    path = case(
        tmp_path,
        recipes="product,recipe,element,t_per_t\nP.1,std.x,A,1\n",
        stockpiles="node,element,initial_t,max_t\nBuyer,A,2,5\n",
        demand="+Buyer,P.1,2025,1\n",
    )
    ds = make_dataset(
        load_workbook(path),
        None,
        (("max_t.Buyer.A", ""), ("initial_t.Buyer.A", "7"), ("max_share.P.1.std.x", "1"), ("embargo.allied", "2025")),
    )
    assert (ds.stockpiles[("Buyer", "A")].max_t, ds.stockpiles[("Buyer", "A")].initial_t) == (None, 7)
    assert ds.recipes["P.1"]["std.x"].max_share == 1 and dict(ds.settings.embargo) == {"allied": 2025}
    assert ds.demand[("Buyer", "P.1", 2025)] == 1


def test_new_keys_are_known_to_param():
    for key in (
        "embargo.allied",
        "max_share.P.r",
        "max_t.N.E",
        "initial_t.N.E",
        "ramp_up",
        "must_run_until_year",
        "cost_advantage_blocs",
    ):
        assert is_known_key(key), key
    assert parse_params(["max_share.P.r=0,0.5"]) == {"max_share.P.r": ["0", "0.5"]}


# ----------------------------------------------------------------------------- the data reaches the model


def test_settings_and_columns_reach_the_dataset(tmp_path):
    """Every new setting and column, as written, in the Dataset; availability and circuits scaled by
    capacity_factor, the initial stock not by demand_factor."""
    path = case(
        tmp_path,
        settings='+cost_advantage_blocs,allied\nramp_up,"0.4, 0.7"\nmust_run_until_year,2025\nembargo.china,2025\n',
        nodes="node,bloc,restricted\nMine,allied,TRUE\nCNSep,china,no\nUSSep,allied,\nBuyer,allied,\n",
        stages="stage,order,yield,ramp_up\nmining,1,,0.5\nseparation,2,1,\n",
        facilities="node,stage,existing_tpa,capex_usd_per_tpa,ramp_up,min_utilization\nMine,mining,100,,1,0.25\n"
        "CNSep,separation,100,,,\nUSSep,separation,0,100,,\n",
        availability="node,stage,year,max_tpa\nMine,mining,2025,50\nMine,mining,2030,1\n",
        circuits="node,element,existing_tpa,max_tpa,lead_time_years\nCNSep,A,10,20,\n",
        stockpiles="node,element,initial_t,initial_provenance,max_t,holding_cost_usd_per_t_yr\nBuyer,A,3,Mixed,,2\n",
    )
    ds = make_dataset(
        load_workbook(path),
        None,
        (("capacity_factor.Mine", "0.5"), ("capacity_factor.CNSep", "2"), ("demand_factor", "3")),
    )
    s = ds.settings
    assert (s.cost_advantage_blocs, s.ramp_up, s.must_run_until_year, dict(s.embargo)) == (
        {"allied"},
        (0.4, 0.7),
        2025,
        {"china": 2025},
    )
    assert dict(ds.node_restricted) == {"Mine": True, "CNSep": False}
    assert [st.ramp_up for st in ds.stages] == [(0.5,), ()]
    assert (ds.facilities[("Mine", 1)].ramp_up, ds.facilities[("Mine", 1)].min_utilization) == ((1.0,), 0.25)
    assert dict(ds.availability) == {("Mine", 1, 2025): 25.0}  # 2030 is outside the horizon
    c = ds.circuits[("CNSep", "A")]
    assert (c.existing_tpa, c.max_tpa, c.lead_time_years, c.place) == (20, 40, None, "circuits!A2")
    sp = ds.stockpiles[("Buyer", "A")]
    assert (sp.initial_t, sp.initial_provenance, sp.max_t, sp.holding_cost_usd_per_t_yr) == (3, "mixed", None, 2)


def test_a_v2_workbook_pickles(examples):
    """Worker processes and dask receive the Workbook: its recipes are plain data, made into Recipes per case."""
    wb = load_workbook(examples / "v2")
    again = pickle.loads(pickle.dumps(wb))
    assert again.recipes == wb.recipes and again.stockpiles == wb.stockpiles and again.circuits == wb.circuits
    assert make_dataset(again).recipes == make_dataset(wb).recipes


def test_settings_without_v2_rows_take_the_schema_defaults(examples):
    s = make_dataset(load_workbook(examples / "frontier")).settings
    assert (s.cost_advantage_blocs, s.ramp_up, s.must_run_until_year, dict(s.embargo)) == (None, (), None, {})


def test_a_circuit_caps_separation(tmp_path):
    """A circuit of 4 t A at CNSep (opex 1): 4 t there (4), the other 6 t by building USSep (6 x 100 capex,
    6 x 5 opex, no salvage with lifetime 1): 634. capacity_factor.CNSep = 0.5 halves the circuit too:
    2 + 8 x 105 = 842. Without circuits 10."""
    path = case(tmp_path, circuits="node,element,existing_tpa\nCNSep,A,4\n")
    assert objective(path) == pytest.approx(634, rel=1e-9)
    assert objective(path, None, (("capacity_factor.CNSep", "0.5"),)) == pytest.approx(842, rel=1e-9)


def test_a_circuit_caps_output_and_leaves_demand_unmet(tmp_path):
    """Only CNSep (USSep cannot build: blank capex); its A circuit holds 7 t: 3 t unmet.
    7 x 1 + 3 x 1e7."""
    path = case(
        tmp_path,
        facilities="node,stage,existing_tpa,opex_usd_per_t\nMine,mining,100,0\nCNSep,separation,100,1\n",
        circuits="node,element,existing_tpa\nCNSep,A,7\n",
    )
    solution = Model(make_dataset(load_workbook(path))).solve()
    assert solution.summary["unmet_t"] == pytest.approx(3, rel=1e-9)
    assert solution.summary["objective_usd"] == pytest.approx(7 + 3 * PENALTY, rel=1e-9)


def test_a_recipe_substitutes(tmp_path):
    """10 t of product Mag besides the 10 t of A. std needs 1 t A per t (1 USD via CNSep); lean 0.5 t A
    plus 0.2 USD per t, at most 40 %: 4 t lean (4 x 0.7 = 2.8) and 6 t std (6); with the 10 of A: 18.8."""
    path = case(
        tmp_path,
        demand="+Buyer,Mag,2025,10\n",
        recipes="product,recipe,element,t_per_t,extra_cost_usd_per_t,max_share\nMag,std,A,1,,\n"
        "Mag,lean,A,0.5,0.2,0.4\n",
    )
    assert objective(path) == pytest.approx(18.8, rel=1e-9)
    assert objective(path, None, (("max_share.Mag.lean", "1"),)) == pytest.approx(17, rel=1e-9)  # 10 x 0.7


def test_a_stockpile_bridges_a_year(tmp_path):
    """2025-2026, 10 t of A a year; CNSep may process nothing in 2026 (availability). Without a stockpile
    2026 needs USSep: 10 tpa x 100 + 10 x 5 = 1,050, plus 10 in 2025: 1,060. With a stockpile (holding 2):
    2025 takes 20 t through CNSep (20), holds 10 over the year end (20): 40. An initial stock of 4 t saves
    4 t of CNSep: 36, and demand_factor 2 does not scale it: 2025 (20 + 20 - 4 = 36 t) and 20 held: 76."""
    files = dict(
        settings="key,value\nfirst_year,2025\nlast_year,2026\n",
        demand="node,element,year,demand_t\nBuyer,A,2025,10\nBuyer,A,2026,10\n",
        availability="node,stage,year,max_tpa\nCNSep,separation,2026,0\n",
    )
    assert objective(case(tmp_path / "none", **files)) == pytest.approx(1060, rel=1e-9)
    path = case(tmp_path / "pile", stockpiles="node,element,holding_cost_usd_per_t_yr\nBuyer,A,2\n", **files)
    assert objective(path) == pytest.approx(40, rel=1e-9)
    assert objective(path, None, (("initial_t.Buyer.A", "4"),)) == pytest.approx(36, rel=1e-9)
    assert objective(path, None, (("initial_t.Buyer.A", "4"), ("demand_factor", "2"))) == pytest.approx(76, rel=1e-9)


def test_a_restricted_node_inside_an_allied_bloc(tmp_path):
    """α = 0 and the allied Mine flagged restricted: all ore is mixed, so the cheapest plan (CNSep, 10) has a
    shortfall of 10 t: 10 + 10 x 1e7. Flagged FALSE (as its bloc says) the china_free plan: 1,050."""
    nodes = "node,bloc,restricted\nMine,allied,{}\nCNSep,china,\nUSSep,allied,\nBuyer,allied,\n"
    path = case(tmp_path, nodes=nodes.format("TRUE"))
    assert objective(path, "china_free") == pytest.approx(10 + 10 * PENALTY, rel=1e-9)
    path = case(tmp_path / "clean", nodes=nodes.format("FALSE"))
    assert objective(path, "china_free") == pytest.approx(1050, rel=1e-9)


def test_an_embargo_key(tmp_path):
    """embargo.allied = 2025: Buyer gets nothing through CNSep (mixed), so USSep is built: 1,050; in
    settings, a scenario or --set alike; a blank --set lifts the settings' embargo."""
    assert objective(EXAMPLES / "frontier", None, (("embargo.allied", "2025"),)) == pytest.approx(1050, rel=1e-9)
    path = case(tmp_path, settings="+embargo.allied,2025\n", scenarios="+open,embargo.allied,2026\n")
    assert objective(path) == pytest.approx(1050, rel=1e-9)
    assert objective(path, None, (("embargo.allied", ""),)) == pytest.approx(10, rel=1e-9)
    assert objective(path, "open") == pytest.approx(10, rel=1e-9)


# ----------------------------------------------------------------------------- the v2 example


@pytest.mark.parametrize(
    "scenario, expected",
    [
        (None, 696 + 3 * PENALTY),
        ("embargo_2025", 668 + 21 * PENALTY),
        ("less_sub", 702 + 3 * PENALTY),
        ("small_pile", 688 + 7 * PENALTY),
    ],
)
def test_the_v2_example(examples, scenario, expected):
    """inputs/examples/v2, 2025-2026, no discounting, α = 1, three independent lanes to Buyer:

    A: MineA -> TSepA (allied but restricted = TRUE, opex 1, a circuit only for A); embargo.allied from 2026
    bars its mixed A in 2026, so the stockpile (2 t mixed at the start, max 10, holding 1) bridges 2026:
    2025 delivers 18 (opex 18), ends with 10 (holding 10), 2026 takes 10: 28.
    B: MineB (B 0.5, C 0.5) -> Sep, whose B circuit holds 4 t, may grow to 10 (capex 10, fixed O&M 1), and
    ramps with the setting (0.5; the separation stage has none): 6 t built in 2025 give 3 t in 2025, 6 in 2026;
    3 t unmet in 2025. Capex 60, fixed O&M (4 + 6) x 2 years = 20: 80 + 3e7. C has no circuit: discarded.
    Mag (a product): std = 1 t D (MineD, opex 20 x φ 0.5 for the cost-advantage bloc partner = 10 per t);
    sub = 2 t E (MineE, opex 1, built from 2026 at capex 1 with its own ramp 0.5, which wins over the mining
    stage's 0.25) + 1 USD, at most half, from 2026; MineE may extract 8 t in 2026 (availability). 2025: std
    10 t, but MineD must run at 0.5 x 100 (until 2025): 50 x 10 = 500. 2026: sub 4 t (8 t E: opex 8, 16 tpa
    built for 8 t: 16, extra 4) and std 6 t (60): 88. Lane total 588. All: 696 + 3e7.

    embargo_2025: no A reaches Buyer but the 2 t of initial stock: 18 t unmet; lane A costs 0: 668 + 21e7.
    less_sub (max_share of sub 0.2): 2 t sub (E 4, capex 8, extra 2) + 8 t std (80) in 2026: 94, +6: 702.
    small_pile (max_t 6): 2025 delivers 14 (14), holds 6 (6), 2026 takes 6, 4 t unmet: 20 + 80 + 588 + 7e7."""
    assert objective(examples / "v2", scenario) == pytest.approx(expected, rel=1e-9)


def test_the_v2_example_has_no_warnings(examples):
    wb = load_workbook(examples / "v2")
    for scenario in [None, *wb.scenario_names]:
        assert warnings_of(examples / "v2", scenario) == [], scenario


BLANK_COLUMNS = {"nodes": ["restricted"], "stages": ["ramp_up"], "facilities": ["ramp_up", "min_utilization"]}
EMPTY_SHEETS = {
    "availability": "node,stage,year,max_tpa\n",
    "circuits": "node,element,existing_tpa,max_tpa,capex_usd_per_tpa,fixed_om_usd_per_tpa_yr,lead_time_years,"
    "available_from_year,max_build_tpa_per_year,source\n",
    "stockpiles": "node,element,initial_t,initial_provenance,max_t,holding_cost_usd_per_t_yr\n",
    "recipes": "product,recipe,element,t_per_t,extra_cost_usd_per_t,max_share,available_from_year\n",
}


def with_blank_v2(folder: Path) -> None:
    """Every v2 column and setting added blank, every v2 sheet added empty, where the example lacks them."""
    for sheet, columns in BLANK_COLUMNS.items():
        path = folder / f"{sheet}.csv"
        lines = path.read_text().splitlines()
        new = [c for c in columns if c not in lines[0].split(",")]
        path.write_text(
            "\n".join([lines[0] + "".join("," + c for c in new)] + [line + "," * len(new) for line in lines[1:]]) + "\n"
        )
    settings = folder / "settings.csv"
    have = {line.split(",")[0] for line in settings.read_text().splitlines()}
    extra = [k for k in ("cost_advantage_blocs", "ramp_up", "must_run_until_year") if k not in have]
    settings.write_text(settings.read_text() + "".join(f"{k},\n" for k in extra))
    for sheet, header in EMPTY_SHEETS.items():
        if not (folder / f"{sheet}.csv").exists():
            (folder / f"{sheet}.csv").write_text(header)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_blank_v2_columns_change_nothing(tmp_path, example):
    """Each shipped example, each of its scenarios: the same objective with the v2 columns given blank."""
    path = case(tmp_path, example)
    with_blank_v2(path)
    wb, blank = load_workbook(EXAMPLES / example), load_workbook(path)
    assert blank.warnings == []
    for scenario in [None, *wb.scenario_names]:
        assert objective(path, scenario) == pytest.approx(objective(EXAMPLES / example, scenario), rel=1e-9)


def test_validate_reports_v2_errors_of_every_scenario(tmp_path, rechain):
    """Scenario 'thin' sets the lean recipe's max_share to 0.5 beside std's 0.4: exit 2 naming its cell."""
    path = case(
        tmp_path,
        recipes="product,recipe,element,t_per_t,max_share\nP,std,A,1,0.4\nP,lean,A,1,\n",
        scenarios="+thin,max_share.P.lean,0.5\n",
    )
    done = rechain("validate", path)
    assert done.returncode == 2 and "scenarios!C4" in done.stderr and "0.9 in 2025" in done.stderr


def test_diagnosis_names_the_availability_cell_and_the_stage_ramp(tmp_path):
    """frontier example: 10 t of A, CNSep (100 tpa) or USSep (built). An availability row caps Mine at 4 t
    in 2025: 6 t unmet, the ceiling named at its max_tpa cell. A ramp given on the stages sheet is
    named at its ramp_up cell (what the diagnosis of a ramp-up cites)."""
    from rechain.run.diagnosis import diagnose

    path = case(tmp_path, availability="node,stage,year,max_tpa\nMine,mining,2025,4\n")
    ds = make_dataset(load_workbook(path))
    assert ds.availability_places == {("Mine", 1, 2025): "availability!D2"}
    result = Model(ds).solve()
    assert result.summary["unmet_t"] == pytest.approx(6)
    found = diagnose(ds, result)
    assert any("availability!D2" in row["place"] for row in found.binding)
    ramped = case(tmp_path / "r", stages="stage,order,yield,ramp_up\nmining,1,,\nseparation,2,1,0.5\n")
    assert make_dataset(load_workbook(ramped)).stages[1].place == "stages!D3"
