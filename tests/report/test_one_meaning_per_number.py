"""Issue 9 "Trust", report side: one meaning per number, the scenario comparison,
results.xlsx charts and columns, and a report that survives failed points on any workbook."""

import shutil
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pyomo.environ as pyo
import pytest
from pytest import approx
from rechain.models.highs import CaseSolver, SolveOutcome, Status
from rechain.models.solution import clean_premiums
from rechain.workbook.validate import load_workbook

from worked import case, fac, flat, solve

A1 = {"A": 1.0}


def protected_capex_case():
    """10 t of demand at an allied buyer. Mine (allied) has ore; separation is built at
    Sep1 (allied, 100 USD/tpa, at most 6 tpa) and at Sep2 (non_allied, 200 USD/tpa)."""
    return case(
        (2025, 2025),
        {"Mine": "allied", "Sep1": "allied", "Sep2": "non_allied", "Buyer": "allied"},
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("Sep1", 2, max_tpa=6, capex_usd_per_tpa=100),
            fac("Sep2", 2, capex_usd_per_tpa=200),
        ],
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
    )


def test_protected_capex_counts_only_protected_nodes():
    """Sep1 builds 6 tpa (600 USD), Sep2 the other 4 (800 USD): capex 1,400, all of it at budget
    blocs (every bloc not restricted), but only 600 at nodes of the protected bloc `allied`."""
    s = solve(protected_capex_case()).summary
    assert s["capex_usd"] == approx(1400)
    assert s["budget_capex_usd"] == approx(1400)
    assert s["protected_capex_usd"] == approx(600)


def premium_case():
    """Free clean capacity at USSep (opex 5) against China's CNSep (opex 1); half of 10 t/yr must be
    clean from 2026; discount rate 100%, so discount factors 1, 1/2, 1/4, 1/8 for 2025-2028."""
    return case(
        (2025, 2028),
        {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"},
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1),
            fac("USSep", 2, capex_usd_per_tpa=0, opex_usd_per_t=5),
        ],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2028)),
        settings={"discount_rate": 1.0, "max_restricted_share": 0.5, "independence_year": 2026},
    )


def test_clean_premium_is_the_mean_over_the_years_it_applies():
    """One more clean t costs 5 - 1 = 4 USD in the year, discounted: 2, 1, 0.5 in 2026-2028.
    The mean over the three years the requirement applies is 3.5 / 3 (2025 has none)."""
    r = solve(premium_case())
    assert clean_premiums(r) == approx({"A": 3.5 / 3})
    assert r.summary["clean_premium_usd_per_t"] == approx({"A": 3.5 / 3})


def test_clean_premium_of_a_failed_solve_is_empty():
    from dataclasses import replace

    r = replace(solve(premium_case()), status=Status.TIME_LIMIT)
    assert clean_premiums(r) == {}


def test_duals_table_spells_out_its_index():
    """The independence rows of the premium case: element A, years 2026-2028, 2, 1, 0.5 USD/t."""
    duals = solve(premium_case()).tables["duals"]
    assert list(duals.columns) == [
        "constraint",
        "meaning",
        "bloc",
        "node",
        "stage",
        "element",
        "year",
        "shadow_price",
        "unit",
    ]
    ind = duals[duals["constraint"] == "independence"]
    assert list(ind["element"]) == ["A"] * 3 and list(ind["year"]) == [2026, 2027, 2028]
    assert list(ind["shadow_price"]) == approx([2, 1, 0.5])
    assert set(ind["unit"]) == {"USD per t (discounted)"}
    demand = duals[duals["constraint"] == "demand"].iloc[0]
    assert (demand["node"], demand["bloc"], demand["element"], demand["year"]) == ("Buyer", "allied", "A", 2025)


def test_results_xlsx_capacity_and_clean_share_with_native_charts(examples, tmp_path):
    """The frontier example fully clean (alpha = 0): USSep (allied) builds the 10 t/yr that CNSep (china)
    would have separated, so separation capacity is 10 allied and 100 china; mining 100 allied; the clean
    share of A is 1. Capex 10 x 100 = 1,000 USD, undiscounted = discounted (one year)."""
    from rechain.commands.solve import solve_case

    result, _ = solve_case(examples / "frontier", None, (("max_restricted_share", "0"),), tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")
    cap = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="capacity_by_bloc")
    assert list(cap.columns) == ["year", "bloc", "stage", "stage_bloc", "capacity_tpa"]
    got = {(r.stage, r.bloc): r.capacity_tpa for r in cap.itertuples()}
    assert got == approx({("mining", "allied"): 100, ("separation", "allied"): 10, ("separation", "china"): 100})
    assert list(cap["stage"]) == ["mining", "separation", "separation"], "stages in chain order"
    share = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="clean_share")
    assert share.to_dict("records") == [{"element": "A", "year": 2025, "clean_share": approx(1)}]
    assert len(book["capacity_by_bloc"]._charts) == 2 and len(book["clean_share"]._charts) == 1, "a chart a stage"
    summary = dict(pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="summary").values)
    assert summary["capex_discounted_usd"] == approx(1000) and summary["capex_undiscounted_usd"] == approx(1000)
    assert summary["protected_capex_usd"] == approx(1000)
    assert "clean_premium_usd_per_t.A" in summary, "alpha = 0: the requirement applies (its premium is one dual)"
    duals = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="duals")
    assert "index" not in duals and {"element", "year", "node", "stage", "unit"} <= set(duals.columns)


def as_solved(built):
    """The built dataset with the α and cost factor the model holds now (warm runs update them in place)."""
    m, ds = built.model, built.dataset
    advantage = [b for b in m.B if b in ds.cost_advantage_blocs]
    factor = pyo.value(m.cost_factor[advantage[0]]) if advantage else ds.settings.restricted_cost_factor
    settings = replace(ds.settings, max_restricted_share=pyo.value(m.alpha), restricted_cost_factor=factor)
    return replace(ds, settings=settings)


def fail_when(monkeypatch, predicate, status=Status.TIME_LIMIT, message="maxTimeLimit; HiGHS: Time limit reached"):
    """Make CaseSolver.solve report `status` for the cases whose dataset matches `predicate`."""
    original = CaseSolver.solve

    def solve_or_fail(self):
        if predicate(as_solved(self.built)):
            return SolveOutcome(status, message, 0.0)
        return original(self)

    monkeypatch.setattr(CaseSolver, "solve", solve_or_fail)


def test_compare_scenarios_by_hand(examples):
    """Frontier example (run/test_cost_frontiers_by_hand.py): base 10 USD; cheap_china (China at half cost) 5 USD;
    china_free (alpha = 0) builds 10 t/yr at USSep (allied): capex 1,000, cost 1,000 + 10 x 5 = 1,050."""
    from rechain.run.scenarios import compare_scenarios

    seen = []
    table = compare_scenarios(load_workbook(examples / "frontier"), on_row=seen.append).set_index("scenario")
    assert [r["scenario"] for r in seen] == ["base", "cheap_china", "china_free"]
    assert list(table.index) == ["base", "cheap_china", "china_free"]
    assert table.loc["china_free", "changes"] == "max_restricted_share=0"
    assert table.loc["cheap_china", "changes"] == "restricted_cost_factor=0.5"
    assert table.loc["base", "changes"] == ""
    assert list(table["system_cost_usd"]) == approx([10, 5, 1050])
    assert list(table["system_cost_vs_base_usd"]) == approx([0, -5, 1040])
    assert table.loc["china_free", "capex_vs_base_usd"] == approx(1000)
    assert table.loc["china_free", "protected_capex_usd"] == approx(1000)
    assert table.loc["china_free", "shortfall_vs_base_t"] == approx(0)
    assert table["reason"].isna().all()


def test_compare_scenarios_marks_a_failed_scenario(examples, monkeypatch):
    """cheap_china does not solve: its row has status and reason, no figures, no differences."""
    from rechain.run.scenarios import compare_scenarios

    fail_when(monkeypatch, lambda ds: ds.settings.restricted_cost_factor == 0.5)
    table = compare_scenarios(load_workbook(examples / "frontier")).set_index("scenario")
    row = table.loc["cheap_china"]
    assert row["status"] == "time_limit" and "Time limit" in row["reason"]
    assert row[["system_cost_usd", "capex_usd", "system_cost_vs_base_usd", "unmet_vs_base_t"]].isna().all()
    assert table.loc["china_free", "system_cost_vs_base_usd"] == approx(1040)


def test_compare_scenarios_without_a_base_has_no_differences(examples, monkeypatch):
    """The base raises inside the solver: an `error` row, and no scenario can be compared with it."""
    from rechain.run.scenarios import compare_scenarios

    def boom(ds):
        if ds.settings.max_restricted_share == 1 and ds.settings.restricted_cost_factor == 1:
            raise RuntimeError("HiGHS crashed")
        return False

    fail_when(monkeypatch, boom)
    table = compare_scenarios(load_workbook(examples / "frontier")).set_index("scenario")
    assert table.loc["base", "status"] == "error" and "HiGHS crashed" in table.loc["base", "reason"]
    assert table.loc["china_free", "system_cost_usd"] == approx(1050)
    assert table["system_cost_vs_base_usd"].isna().all()


def two_bloc_workbook(folder: Path) -> Path:
    """The frontier example over 2025-2027 with blocs `west` (protected) and `east` (restricted),
    10 t/yr of demand, a discount rate of 100% (factors 1, 1/2, 1/4) and two scenarios."""
    shutil.copytree(Path(__file__).resolve().parents[2] / "inputs" / "examples" / "frontier", folder)
    (folder / "nodes.csv").write_text("node,bloc\nMine,west\nCNSep,east\nUSSep,west\nBuyer,west\n")
    (folder / "settings.csv").write_text(
        "key,value\nfirst_year,2025\nlast_year,2027\ndiscount_rate,1\nrestricted_blocs,east\nprotected_blocs,west\n"
    )
    (folder / "demand.csv").write_text(
        "node,element,year,demand_t\n" + "".join(f"Buyer,A,{y},10\n" for y in (2025, 2026, 2027))
    )
    (folder / "scenarios.csv").write_text(
        "scenario,key,value\nclean_now,max_restricted_share,0\ntight,budget_usd,400\n"
    )
    return folder


REPORT = pytest.mark.xdist_group("two-bloc report")  # the tests of one report run on one worker


@pytest.fixture(scope="module")
def two_bloc_report(tmp_path_factory):
    from rechain.base.manifest import manifest
    from rechain.commands.report import write_report

    tmp = tmp_path_factory.mktemp("report")
    path = two_bloc_workbook(tmp / "wb")
    failed = write_report(load_workbook(path), path, tmp / "out", manifest(path, command="report"))
    return tmp / "out", failed


def sheet(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"findings_tables_{name}.csv")


def test_report_deadlines_come_from_the_horizon():
    """2025-2040 gives 2030, 2035, 2040 (first_year + 5 to last_year); shorter horizons start halfway."""
    from rechain.models.subject import deadlines

    assert deadlines(2025, 2040) == (2030, 2035, 2040)
    assert deadlines(2025, 2027) == (2026, 2027)
    assert deadlines(2025, 2025) == (2025,)


@REPORT
def test_report_headline_by_hand(two_bloc_report):
    """Unconstrained: east separates 10 t/yr at 1 USD/t: 10 + 5 + 2.5 = 17.5 USD.
    Clean from 2026: build 10 tpa at USSep in 2026, capex 1,000 USD nominal (500 discounted), opex
    10 x 5 in 2026 and 2027: 10 + 500 + 25 + 12.5 = 547.5, premium 530.
    Clean from 2027: 10 + 5 + 250 + 12.5 = 277.5, premium 260; capex still 1,000 nominal."""
    out, failed = two_bloc_report
    assert failed == 0
    table = sheet(out, "deadlines")
    assert list(table["case"]) == ["unconstrained", "fully clean from 2026", "fully clean from 2027"]
    assert list(table["system_cost_usd"]) == approx([17.5, 547.5, 277.5])
    assert list(table["premium_usd"][1:]) == approx([530, 260])
    assert list(table["capex_usd"]) == approx([0, 1000, 1000])
    assert list(table["protected_capex_usd"]) == approx([0, 1000, 1000])


@REPORT
def test_report_cost_factor_capex_is_nominal(two_bloc_report):
    """Fully clean from 2027 (the middle deadline) at east's cost factor f: unconstrained 17.5 f, clean
    15 f + 250 + 12.5, premium 262.5 - 2.5 f; capex 1,000 USD nominal at every f (250 discounted)."""
    table = sheet(two_bloc_report[0], "cost_factor").set_index("restricted_cost_factor")
    assert list(table.index) == approx([1, 0.667, 0.5, 0.333, 0.25])
    assert list(table["premium_usd"]) == approx([262.5 - 2.5 * f for f in table.index])
    assert list(table["capex_usd"]) == approx([1000] * 5)
    assert table.loc[1, "defined_by"] == "settings"


@REPORT
def test_report_budgets_come_from_the_workbook(two_bloc_report):
    """The clean-from-2027 plan spends 1,000 USD at west (budget) nodes: the grid is 0, 0.25, 0.5, 0.75,
    1 and 1.5 times that, plus the scenario `tight`'s 400. A budget B buys B / 100 t/yr of clean capacity:
    a clean share of B / 1,000 in 2027, all of it from 1,000 up."""
    out = two_bloc_report[0]
    table = sheet(out, "budgets")
    assert list(table["budget_usd"]) == approx([0, 250, 400, 500, 750, 1000, 1500])
    assert list(table["max_clean_share"]) == approx([0, 0.25, 0.4, 0.5, 0.75, 1, 1], abs=1e-6)
    assert table.loc[2, "defined_by"] == "budget_usd of scenario tight"
    assert table.loc[1, "defined_by"] == "0.25 × budget capex of the fully clean plan"
    text = (out / "findings.md").read_text()
    assert "smallest capex budget at west nodes in the grid that buys fully clean supply from 2027" in text
    assert "with no shortfall is $1.00 k" in text


@REPORT
def test_report_speaks_of_the_workbooks_blocs(two_bloc_report):
    text = (two_bloc_report[0] / "findings.md").read_text()
    assert "free of east for west demand" in text
    for word in ("china", "allied", "myanmar", "quarter", "widely"):
        assert word not in text.lower()


@REPORT
def test_report_premium_and_scenarios(two_bloc_report):
    """90% clean from 2027: one more clean t in 2027 costs capex 100 + opex 5 - 1 = 104, x 1/4 = 26."""
    out = two_bloc_report[0]
    assert sheet(out, "clean_premium_90pct")["clean_premium_usd_per_t"].tolist() == approx([26])
    text = (out / "findings.md").read_text()
    assert "When 90% of west demand must be clean from 2027, the clean premium is highest for A (26 USD per t)" in text
    scen = sheet(out, "scenarios_policy").set_index("scenario")  # α and a budget: both policy
    assert scen.loc["clean_now", "changes"] == "max_restricted_share=0"
    assert "system_cost_vs_base_usd" in scen


@REPORT
def test_report_chart_titles_state_the_case(two_bloc_report):
    from rechain.report.findings import charts
    from rechain.run.findings import subject_of

    subject = subject_of(load_workbook(two_bloc_workbook(two_bloc_report[0].parent / "again")))
    groups = {"scenarios_policy": "policy: requirement"}
    budgets, factor, scenarios, fan, thresholds = charts(subject, "budget $1 at west nodes", groups)
    assert scenarios.y == "system_cost_vs_base_usd"
    assert fan.group == "element" and fan.band == ("clean_share_p10", "clean_share_p90") and fan.picture
    assert thresholds.group == "threshold" and thresholds.note == fan.note == "budget $1 at west nodes"
    assert "clean from 2027" in budgets.title and "cost factor 1 for east" in budgets.note
    assert "discounted at 100.0% a year" in budgets.note and "discounted at 100.0% a year" in factor.note
    assert budgets.x_label == "capex budget at nodes of the blocs in the legend, 2025–2027 (USD, nominal)"
    assert budgets.group == "budget_blocs"  # a line per bloc set a budget caps (test_one_meaning_per_budget_label)
    assert factor.y == "premium_usd" and "(USD, system cost)" in factor.y_label


def test_binding_stages_in_chain_order():
    """Stages `ore` (1) and `cracking` (2), alphabetically the other way round. Cheap M1 and S1 hold
    10 t/yr each, dear M2 (50 USD/t) and S2 (30 USD/t) supply the rest of 15 t: one more t/yr at M1
    saves 50 - 1 = 49 USD, at S1 30 - 1 = 29 USD."""
    from rechain.run.findings import binding_stages

    from worked import Stage

    stages = (Stage("ore", 1), Stage("cracking", 2))
    ds = case(
        (2025, 2025),
        {n: "allied" for n in ("M1", "M2", "S1", "S2", "Buyer")},
        stages,
        [
            fac("M1", 1, existing_tpa=10, opex_usd_per_t=1),
            fac("M2", 1, existing_tpa=100, opex_usd_per_t=50),
            fac("S1", 2, existing_tpa=10, opex_usd_per_t=1),
            fac("S2", 2, existing_tpa=100, opex_usd_per_t=30),
        ],
        {"M1": A1, "M2": A1},
        {("Buyer", "A", 2025): 15.0},
    )
    table = binding_stages(solve(ds), stages)
    assert list(table["stage"]) == ["ore", "cracking"]
    assert list(table["max_usd_per_tpa"]) == approx([49, 29])


def test_report_marks_failed_points(tmp_path, monkeypatch):
    """The 90%-clean point, the fully clean plan from 2026 and the fully clean plan at cost factor 0.25
    do not solve: each is a row with status and reason and no numbers; the rest is written."""
    from rechain.base.manifest import manifest
    from rechain.commands.report import write_report

    def fails(ds):
        s = ds.settings
        return s.max_restricted_share == 0.1 or (
            s.max_restricted_share == 0 and (s.independence_year == 2026 or s.restricted_cost_factor == 0.25)
        )

    fail_when(monkeypatch, fails)
    path = two_bloc_workbook(tmp_path / "wb")
    failed = write_report(load_workbook(path), path, tmp_path / "out", manifest(path, command="report"))
    out = tmp_path / "out"
    assert failed >= 3
    premium = sheet(out, "clean_premium_90pct")
    assert premium["status"].tolist() == ["time_limit"] and premium["clean_premium_usd_per_t"].isna().all()
    deadlines_ = sheet(out, "deadlines").set_index("case")
    row = deadlines_.loc["fully clean from 2026"]
    assert row["status"] == "time_limit" and "Time limit" in row["reason"]
    assert row[["system_cost_usd", "premium_usd", "capex_usd"]].isna().all()
    assert deadlines_.loc["fully clean from 2027", "premium_usd"] == approx(260)
    factor = sheet(out, "cost_factor").set_index("restricted_cost_factor").loc[0.25]
    assert factor["status"] == "time_limit" and factor["reason"].startswith("fully clean plan:")
    assert pd.isna(factor["premium_usd"]) and pd.isna(factor["capex_usd"])
    text = (out / "findings.md").read_text()
    assert "West demand fully clean from 2026: did not solve (time_limit: maxTimeLimit" in text
    assert "When 90% of west demand" not in text


def test_report_survives_when_nothing_solves(tmp_path):
    from rechain.base.manifest import manifest
    from rechain.commands.report import write_report
    from rechain.models.highs import SolveOptions

    path = two_bloc_workbook(tmp_path / "wb")
    failed = write_report(
        load_workbook(path), path, tmp_path / "out", manifest(path, command="report"), SolveOptions(time_limit=0)
    )
    assert failed > 0
    text = (tmp_path / "out" / "findings.md").read_text()
    assert "Unconstrained plan (the cheapest chain, east allowed): did not solve (time_limit" in text
    assert set(sheet(tmp_path / "out", "scenarios_policy")["status"]) == {"time_limit"}


def test_scenario_changes_name_scoped_trade_rules_and_budgets(tmp_path):
    from rechain.run.scenarios import changes

    path = two_bloc_workbook(tmp_path / "wb")
    (path / "trade_rules.csv").write_text(
        "from_bloc,to_bloc,stage,element,first_year,allowed,scenario\neast,west,separation,A,2026,FALSE,embargo\n"
    )
    (path / "budgets.csv").write_text("bloc,budget_usd,scenario\nwest,300,tight\n")
    wb = load_workbook(path)
    assert changes(wb, "embargo") == "trade east→west A separation output from 2026 banned"
    assert changes(wb, "tight") == "budget_usd=400; budget of west=300"
    assert changes(wb, None) == ""


def test_report_checks_every_scenario_before_solving(tmp_path, monkeypatch):
    """A bad scenario value is an input error before any solve (not after minutes of them)."""
    from rechain.base.errors import InputError
    from rechain.base.manifest import manifest
    from rechain.commands.report import write_report

    solves = []
    fail_when(monkeypatch, lambda ds: solves.append(ds) and False)
    path = two_bloc_workbook(tmp_path / "wb")
    (path / "scenarios.csv").write_text("scenario,key,value\nbad,budget_usd,lots\n")
    with pytest.raises(InputError) as err:
        write_report(load_workbook(path), path, tmp_path / "out", manifest(path, command="report"))
    assert "lots" in str(err.value.issues[0])
    assert not solves and not (tmp_path / "out").exists()
