"""The shipped reference workbook: integrity, every scenario solves, and the
qualitative findings it must keep (each could fail if the data changed)."""

import openpyxl
import pytest
from rechain.inputs import reference_workbook

from worked import read_reference


def table(sheet):
    book = openpyxl.load_workbook(reference_workbook(), read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def test_every_facility_row_has_a_source():
    rows = table("facilities")
    assert len(rows) >= 30
    assert all(str(r["source"] or "").strip() for r in rows)


def test_compositions_sum_to_one_and_cover_every_mine():
    shares = {}
    for r in table("composition"):
        shares[r["node"]] = shares.get(r["node"], 0) + r["share"]
    assert all(abs(total - 1) < 1e-6 for total in shares.values())
    mines = {r["node"] for r in table("facilities") if r["stage"] == "mining"}
    assert mines <= set(shares)


def test_world_is_at_least_thirty_nodes_in_four_blocs():
    nodes = table("nodes")
    assert len(nodes) >= 30
    assert {r["bloc"] for r in nodes} == {"china", "allied", "non_allied", "china_offtake"}
    assert all(str(r["note"] or "").strip() for r in nodes), "every alignment assumption is written down"


def test_the_scenarios_of_the_findings_are_there(reference_solve):
    required = {
        "heavy_re_controls",
        "embargo_2027",
        "myanmar_disruption",
        "alliance_without_eu",
        "china_cost_factor_0_25",
        "china_cost_factor_0_333",
        "china_cost_factor_0_667",
        "budget_8_5bn",
        "budget_75bn",
        "budget_300bn",
        "open_china_offtake_mines",
        "clean_allied_ore_and_processing",
        "scope_embedded_magnets",
        "stockpile_180_days",
    }
    assert required <= set(reference_solve.workbook.scenario_names)


# Tests that share solves run on one worker: the base case's (scenarios of its structure are warm re-solves
# of it, see conftest's reference_solve) and the budget scenarios'.
BASE = pytest.mark.xdist_group("reference base case")
BUDGETS = pytest.mark.xdist_group("reference budget scenarios")
GROUP = {
    "embargo_2027": BASE,
    "china_cost_factor_0_667": BASE,
    "china_cost_factor_0_333": BASE,
    "china_cost_factor_0_25": BASE,
    "china_cost_factor_1": BASE,
    "demand_high": BASE,
    "budget_8_5bn": BUDGETS,
    "budget_300bn": BUDGETS,
    "budget_75bn": BUDGETS,
}


@pytest.mark.parametrize(
    "name",
    [pytest.param(name, marks=GROUP[name]) if name in GROUP else name for name in read_reference().scenario_names],
)
def test_every_scenario_solves(reference_solve, name):
    reference_solve(name)


@BASE
def test_base_case_meets_demand(reference_solve):
    result = reference_solve()
    assert result.summary["unmet_t"] == pytest.approx(0, abs=1e-3)


@BASE
def test_independence_premium_grows_as_the_deadline_moves_earlier(reference_solve):
    base = reference_solve().summary["system_cost_usd"]
    premiums = [
        reference_solve(max_restricted_share=0, independence_year=y).summary["objective_usd"] - base
        for y in (2040, 2035, 2030)
    ]
    assert premiums[0] > 0
    assert premiums[0] < premiums[1] < premiums[2]


@BASE
def test_heavy_rare_earths_carry_the_larger_clean_premium(reference_solve):
    ind = reference_solve(max_restricted_share=0.5, independence_year=2035).tables["independence"]
    premium = ind[ind["year"] >= 2035].groupby("element")["clean_premium_usd_per_t"].mean()
    assert max(premium["Dy"], premium["Tb"]) > premium["NdPr"] > 0


@BASE
def test_embargo_costs_more_than_base(reference_solve):
    assert reference_solve("embargo_2027").summary["objective_usd"] > reference_solve().summary["objective_usd"]
