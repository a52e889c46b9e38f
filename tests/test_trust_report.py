"""Issue 9 "Trust", report side: one meaning per number, the scenario comparison,
results.xlsx charts and columns, and a report that survives failed points on any workbook."""

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pytest import approx

from optimizer.results import clean_premiums
from optimizer.solve import CaseSolver, SolveOutcome, Status
from optimizer.validate import load_workbook

from worked import case, fac, flat, solve

A1 = {"A": 1.0}


def protected_capex_case():
    """10 t of demand at an allied buyer. Mine (allied) has ore; separation is built at
    Sep1 (allied, 100 USD/tpa, at most 6 tpa) and at Sep2 (non_allied, 200 USD/tpa)."""
    return case((2025, 2025), {"Mine": "allied", "Sep1": "allied", "Sep2": "non_allied", "Buyer": "allied"}, 2,
                [fac("Mine", 1, existing_tpa=100), fac("Sep1", 2, max_tpa=6, capex_usd_per_tpa=100),
                 fac("Sep2", 2, capex_usd_per_tpa=200)],
                {"Mine": A1}, {("Buyer", "A", 2025): 10.0})


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
    return case((2025, 2028), {"Mine": "allied", "CNSep": "china", "USSep": "allied", "Buyer": "allied"}, 2,
                [fac("Mine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1),
                 fac("USSep", 2, capex_usd_per_tpa=0, opex_usd_per_t=5)],
                {"Mine": A1}, flat("Buyer", "A", 10, (2025, 2028)),
                settings={"discount_rate": 1.0, "max_restricted_share": 0.5, "independence_year": 2026})


def test_clean_premium_is_the_mean_over_the_years_it_applies():
    """One more clean t costs 5 - 1 = 4 USD in the year, discounted: 2, 1, 0.5 in 2026-2028.
    The mean over the three years the requirement applies is 3.5 / 3 (2025 has none)."""
    assert clean_premiums(solve(premium_case())) == approx({"A": 3.5 / 3})


def test_clean_premium_of_a_failed_solve_is_empty():
    r = solve(premium_case())
    r.status = Status.TIME_LIMIT
    assert clean_premiums(r) == {}


def test_duals_table_spells_out_its_index():
    """The independence rows of the premium case: element A, years 2026-2028, 2, 1, 0.5 USD/t."""
    duals = solve(premium_case()).tables["duals"]
    assert list(duals.columns) == ["constraint", "meaning", "bloc", "node", "stage", "element", "year",
                                   "shadow_price", "unit"]
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
    from optimizer.run import run_case

    result, _ = run_case(examples / "frontier", None, (("max_restricted_share", "0"),), tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")
    cap = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="capacity_by_bloc")
    assert list(cap.columns) == ["year", "bloc", "stage", "stage_bloc", "capacity_tpa"]
    got = {(r.stage, r.bloc): r.capacity_tpa for r in cap.itertuples()}
    assert got == approx({("mining", "allied"): 100, ("separation", "allied"): 10, ("separation", "china"): 100})
    assert list(cap["stage"]) == ["mining", "separation", "separation"], "stages in chain order"
    share = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="clean_share")
    assert share.to_dict("records") == [{"element": "A", "year": 2025, "clean_share": approx(1)}]
    assert len(book["capacity_by_bloc"]._charts) == 1 and len(book["clean_share"]._charts) == 1
    summary = dict(pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="summary").values)
    assert summary["capex_discounted_usd"] == approx(1000) and summary["capex_undiscounted_usd"] == approx(1000)
    assert summary["protected_capex_usd"] == approx(1000)
    duals = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="duals")
    assert "index" not in duals and {"element", "year", "node", "stage", "unit"} <= set(duals.columns)


def fail_when(monkeypatch, predicate, status=Status.TIME_LIMIT, message="maxTimeLimit; HiGHS: Time limit reached"):
    """Make CaseSolver.solve report `status` for the cases whose dataset matches `predicate`."""
    original = CaseSolver.solve

    def solve_or_fail(self):
        if predicate(self.built.dataset):
            return SolveOutcome(status, message, 0.0)
        return original(self)

    monkeypatch.setattr(CaseSolver, "solve", solve_or_fail)


def test_compare_scenarios_by_hand(examples):
    """Frontier example (test_frontier.py): base 10 USD; cheap_china (China at half cost) 5 USD;
    china_free (alpha = 0) builds 10 t/yr at USSep (allied): capex 1,000, cost 1,000 + 10 x 5 = 1,050."""
    from optimizer.scenarios import compare_scenarios

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
    from optimizer.scenarios import compare_scenarios

    fail_when(monkeypatch, lambda ds: ds.settings.restricted_cost_factor == 0.5)
    table = compare_scenarios(load_workbook(examples / "frontier")).set_index("scenario")
    row = table.loc["cheap_china"]
    assert row["status"] == "time_limit" and "Time limit" in row["reason"]
    assert row[["system_cost_usd", "capex_usd", "system_cost_vs_base_usd", "unmet_vs_base_t"]].isna().all()
    assert table.loc["china_free", "system_cost_vs_base_usd"] == approx(1040)


def test_compare_scenarios_without_a_base_has_no_differences(examples, monkeypatch):
    """The base raises inside the solver: an `error` row, and no scenario can be compared with it."""
    from optimizer.scenarios import compare_scenarios

    def boom(ds):
        if ds.settings.max_restricted_share == 1 and ds.settings.restricted_cost_factor == 1:
            raise RuntimeError("HiGHS crashed")
        return False

    fail_when(monkeypatch, boom)
    table = compare_scenarios(load_workbook(examples / "frontier")).set_index("scenario")
    assert table.loc["base", "status"] == "error" and "HiGHS crashed" in table.loc["base", "reason"]
    assert table.loc["china_free", "system_cost_usd"] == approx(1050)
    assert table["system_cost_vs_base_usd"].isna().all()
