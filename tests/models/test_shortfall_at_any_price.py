"""Shortfall at any price (model.md, "Version 3 additions"): least total shortfall S first, then the
least cost with Σ s ≤ S* + 1e-6 · max(1, S*).

The worked case, one year (2025), α = 0, lifetime 1 year (no salvage), discount rate 0: 10 t of A
demanded by the protected (allied) Buyer; the allied Mine (existing 100 t/yr, opex 0) ships clean
ore; the Chinese separator CNSep (existing 100, opex 1 USD/t) makes it mixed; the allied separator
USSep can be built, capex 5,000 USD per t/yr, lead time 0 (optionally at most `cap` t/yr).
The shortfall penalty is 1,000 USD/t = 1 USD/kg, below the clean cost of 5,000 USD/t.
"""

import pytest
from rechain.models.figures import shortfall_price_label
from rechain.models.highs import SolveOptions, Status
from rechain.models.model import Model, Variant, is_mutable
from rechain.run.scenarios import compare_scenarios
from rechain.run.sweep import solve_points
from rechain.run.warm import Models
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook

from worked import any_price_case, case, fac, magnet_dy

TOLERANCE = 1e-6  # phase 2 allows S* + 1e-6 · max(1, S*)


def test_penalty_below_the_clean_cost_buys_shortfall():
    """With the penalty: clean costs 5,000 USD/t, shortfall 1 (China) + 1,000 = 1,001 USD/t, so all
    10 t go through China: S = 10, system cost 10, objective 10 + 10,000 = 10,010, clean share 0;
    the outputs state the penalty: 1,000 USD/t = 1 USD/kg."""
    r = Model(any_price_case(False)).solve()
    assert r.summary["shortfall_t"] == pytest.approx(10)
    assert r.summary["system_cost_usd"] == pytest.approx(10)
    assert r.summary["objective_usd"] == pytest.approx(10_010)
    assert r.summary["clean_share"] == {"A": {"2025": pytest.approx(0)}}
    assert r.summary["shortfall_at_any_price"] is False
    assert r.summary["shortfall_penalty_usd_per_kg"] == pytest.approx(1)
    assert shortfall_price_label(r.summary) == "penalty $1/kg"


@pytest.mark.parametrize("path", ["direct", "persistent"])
def test_any_price_builds_clean(path):
    """At any price: phase 1 builds 10 t/yr at USSep, S* = 0, the reported shortfall. Phase 2 may keep
    TOLERANCE t of shortfall (1e-6 · max(1, 0)), and does, since a t through China costs 1 + 1,000 <
    5,000: it builds 10 − 1e-6 t/yr. System cost 5,000 · (10 − 1e-6) + 1 · 1e-6 = 49,999.995001 (the
    clean cost 50,000 to 1e-7); objective + 1,000 · 1e-6 = 49,999.996001; clean share 1 (to 1e-7);
    the independence table holds phase 2's s = 1e-6."""
    r = Model(any_price_case(True), options=SolveOptions(path=path)).solve()
    assert r.optimal, r.message
    assert r.summary["shortfall_t"] == pytest.approx(0, abs=1e-9)
    assert r.tables["independence"]["shortfall_t"].tolist() == [pytest.approx(TOLERANCE, rel=1e-6)]
    assert r.summary["system_cost_usd"] == pytest.approx(5000 * (10 - 1e-6) + 1e-6, rel=1e-9)
    assert r.summary["objective_usd"] == pytest.approx(5000 * (10 - 1e-6) + 1e-6 + 1e-3, rel=1e-9)
    assert r.summary["clean_share"]["A"]["2025"] == pytest.approx(1, abs=1e-6)
    assert r.summary["shortfall_at_any_price"] is True
    assert shortfall_price_label(r.summary) == "at any price"


@pytest.mark.parametrize("path", ["direct", "persistent"])
def test_any_price_when_clean_supply_is_capped(path):
    """USSep at most 4 t/yr: 4 t can be clean, so S* = 10 − 4 = 6 at any price (with the penalty
    also 10: clean is never bought), the reported shortfall. Phase 2: Σ s ≤ 6 + 6e-6, used in full
    (China is cheaper): build 4 − 6e-6, ship 6 + 6e-6 through China. System cost 5,000 · (4 − 6e-6) + 6 + 6e-6 =
    20,005.970006; objective + 1,000 · (6 + 6e-6) = 26,005.976006; clean share (4 − 6e-6) / 10."""
    assert Model(any_price_case(False, cap=4)).solve().summary["shortfall_t"] == pytest.approx(10)
    r = Model(any_price_case(True, cap=4), options=SolveOptions(path=path)).solve()
    assert r.summary["shortfall_t"] == pytest.approx(6, rel=1e-9)
    assert r.tables["independence"]["shortfall_t"].tolist() == [pytest.approx(6 + 6e-6, rel=1e-9)]
    assert r.summary["system_cost_usd"] == pytest.approx(20_005.970006, rel=1e-9)
    assert r.summary["objective_usd"] == pytest.approx(26_005.976006, rel=1e-9)
    assert r.summary["clean_share"]["A"]["2025"] == pytest.approx(0.3999994, abs=1e-6)


def _figures(r):
    ind = r.tables["independence"]
    assert r.status is Status.OPTIMAL, r.message
    return (
        r.summary["shortfall_t"],
        r.summary["objective_usd"],
        r.summary["system_cost_usd"],
        *ind["clean_premium_usd_per_t"],
        r.summary["marginal_supply_cost_usd_per_kg"]["A"]["2025"],
    )


def test_both_solver_paths_give_the_same_any_price_result_and_resolve_anew():
    """Capped case on the direct path and on Pyomo's persistent one: same status, figures and duals.
    Phase 2's duals: Σ s is held at its cap, so one more t of required clean A must be clean; USSep
    is built at 4 − 6e-6, below its ceiling, so a t more is built (5,000) instead of a t through
    China (1): clean premium 4,999 USD/t; the marginal supply cost of the buyer's need (its demand
    row, 1, plus (1 − α) · 4,999) is 5,000 USD/t = 5 USD/kg.
    Then α = 0.5 on the built models (5 t required, 4 clean possible): a re-solve sets the cap anew,
    S* = 1 on both paths, phase 2's Σ s = 1 + 1e-6."""
    models = {
        path: Model(any_price_case(True, cap=4), options=SolveOptions(path=path)) for path in ("direct", "persistent")
    }
    first = {path: _figures(m.solve()) for path, m in models.items()}
    assert first["direct"] == pytest.approx(first["persistent"], rel=1e-9)
    assert first["direct"][3:] == pytest.approx((4999, 5), rel=1e-9)
    for m in models.values():
        m.update("max_restricted_share", 0.5)
    second = {path: m.solve() for path, m in models.items()}
    for r in second.values():
        assert r.summary["shortfall_t"] == pytest.approx(1, rel=1e-9)
        assert r.tables["independence"]["shortfall_t"].sum() == pytest.approx(1 + 1e-6, rel=1e-9)
    assert _figures(second["direct"]) == pytest.approx(_figures(second["persistent"]), rel=1e-9)


def test_cold_draws_variant_gives_the_cost_answer():
    """The DRAWS variant at delay 0 and overrun 1 is the cost LP: solved cold at any price it gives
    the capped case's S* = 6 and system cost 20,005.970006, twice (the second solve cold again)."""
    model = Model(any_price_case(True, cap=4), Variant.DRAWS)
    for _ in range(2):
        r = model.solve(tables=False, cold=True)
        assert r.summary["shortfall_t"] == pytest.approx(6, rel=1e-9)
    assert r.summary["system_cost_usd"] == pytest.approx(20_005.970006, rel=1e-9)


def test_a_failed_phase_names_it():
    """A phase that does not end optimal gives a failed solution whose message names the phase: phase 1
    here made to fail (HiGHS replaced by an infeasible verdict while the least-shortfall objective is
    active); phase 2 stopped by a time limit of 0 s (HiGHS's presolve settles phase 1 before it)."""
    from rechain.models.highs import SolveOutcome

    model = Model(any_price_case(True))
    solve = model._solver.solve

    def fail_phase_one() -> SolveOutcome:
        if model._solver.built.model.least_shortfall.active:
            return SolveOutcome(Status.INFEASIBLE, "HiGHS: Infeasible", 0.0)
        return solve()

    model._solver.solve = fail_phase_one
    r = model.solve()
    assert r.status is Status.INFEASIBLE
    assert r.message == "shortfall at any price, phase 1 (least shortfall): HiGHS: Infeasible"
    assert r.summary["message"] == r.message
    r = Model(any_price_case(True), options=SolveOptions(time_limit=0.0)).solve()
    assert r.status is Status.TIME_LIMIT
    assert r.message.startswith("shortfall at any price, phase 2 (least cost at 0 t): stopped at the time limit")


def test_least_budget_and_least_alpha_are_at_any_price_already():
    """LEAST_BUDGET and LEAST_ALPHA fix s at 0: the setting adds nothing to them. Least budget for
    10 clean t: 10 t/yr at 5,000 = 50,000 USD, with or without the setting."""
    for any_price in (False, True):
        ds = case(
            (2025, 2025),
            {"Mine": "allied", "USSep": "allied", "Buyer": "allied"},
            2,
            [fac("Mine", 1, existing_tpa=100), fac("USSep", 2, capex_usd_per_tpa=5000, lead_time_years=0)],
            {"Mine": {"A": 1.0}},
            {("Buyer", "A", 2025): 10.0},
            settings={"max_restricted_share": 0.0, "shortfall_at_any_price": any_price},
        )
        assert Model(ds, Variant.LEAST_BUDGET).solve().least_budget_usd == pytest.approx(50_000)


def test_the_setting_rebuilds():
    """The setting is no parameter of the built model: changing it rebuilds, and cases that differ in
    it never share a built model (run.warm's structure)."""
    assert not is_mutable("shortfall_at_any_price", 1.0)


FRONTIER_CHEAP = (("shortfall_penalty_usd_per_t", "10"),)


def test_workbook_cases_sweeps_and_scenarios_say_how_shortfall_was_priced(examples):
    """inputs/examples/frontier, penalty 10 USD/t = 0.01 USD/kg; scenario china_free (α = 0): with the
    penalty, China (10 x 1) plus 10 t of shortfall (100) beats building USSep (10 x 100 capex + 10 x 5
    opex = 1,050): shortfall 10. At any price: shortfall S* = 0, phase 2 keeps 1e-6 t (the tolerance):
    system cost 1,050 − 1e-6 · (100 + 5 − 1) = 1,049.999896. The two cases never share a model (2 builds)."""
    wb = load_workbook(examples / "frontier")
    models = Models(wb)
    priced = models.solve("china_free", FRONTIER_CHEAP)
    anyway = models.solve("china_free", (*FRONTIER_CHEAP, ("shortfall_at_any_price", "TRUE")))
    assert models.builds == 2
    assert priced.summary["shortfall_t"] == pytest.approx(10)
    assert anyway.summary["shortfall_t"] == pytest.approx(0, abs=1e-9)
    assert anyway.summary["system_cost_usd"] == pytest.approx(1_049.999896, rel=1e-9)
    points = [{"shortfall_at_any_price": "FALSE"}, {"shortfall_at_any_price": "TRUE"}]
    rows = [p.row for p in solve_points(wb, "china_free", FRONTIER_CHEAP, points)]
    assert [r["shortfall_priced"] for r in rows] == ["penalty $0.01/kg", "at any price"]
    assert [r["shortfall_t"] for r in rows] == pytest.approx([10, 0], abs=1e-9)
    table = compare_scenarios(wb, (*FRONTIER_CHEAP, ("shortfall_at_any_price", "TRUE")))
    assert list(table["shortfall_priced"]) == ["at any price"] * 3
    assert make_dataset(wb, None, FRONTIER_CHEAP).settings.shortfall_at_any_price is False


def test_cli_any_price(examples, tmp_path, rechain):
    """`rechain solve --any-price` = `--set shortfall_at_any_price=TRUE`: the china_free case above at
    any price, in summary.json, results.xlsx and the terminal; without it the terminal and the
    diagnosis state the penalty; every multi-point command has the option."""
    import json

    import pandas as pd

    out = tmp_path / "out"
    done = rechain(
        "solve",
        examples / "frontier",
        "--scenario",
        "china_free",
        "--set",
        "shortfall_penalty_usd_per_t=10",
        "--any-price",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr
    assert "independence shortfall (at any price): 0.0 t" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["shortfall_at_any_price"] is True and summary["shortfall_penalty_usd_per_kg"] == 0.01
    assert summary["system_cost_usd"] == pytest.approx(1_049.999896, rel=1e-9)
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=["summary", "independence"])
    items = dict(zip(sheets["summary"]["item"], sheets["summary"]["value"], strict=True))
    assert items["shortfall_priced"] == "at any price"
    assert list(sheets["independence"]["shortfall_priced"]) == ["at any price"]
    done = rechain(
        "solve", examples / "frontier", "--scenario", "china_free", "--set", "shortfall_penalty_usd_per_t=10"
    )
    assert "independence shortfall (penalty $0.01/kg): 10.0 t" in done.stdout
    assert "- independence shortfall: 10.0 t of clean A in 2025 (penalty $0.01/kg)" in done.stdout  # Why:
    for command in ("sweep", "frontier", "scenarios", "risk", "report"):
        assert "--any-price" in rechain(command, "-h").stdout


def test_least_alpha_by_bisection_judges_the_least_shortfall():
    """With product demand the least α is found by bisection on the cost LP (model.md §9). 10 t of
    Magnet need 10 x 0.02 = 0.2 t of Dy; clean Dy: 0.05 t/yr at DMine, and NewDy can be built at 1,000
    USD per t/yr within a budget of 50 USD (0.05 t/yr); China has Dy in plenty. Shortfall penalty 1 USD/t.
    With the penalty, below 1 − 0.05/0.2 = 0.75 the cheapest plan buys shortfall (1 USD/t) rather than
    building (1,000): least α 0.75. At any price the test is S*: 0.1 t can be clean, least α
    1 − 0.1/0.2 = 0.5."""

    def least(any_price: bool) -> float | None:
        ds = magnet_dy(budget_usd=50.0, shortfall_penalty_usd_per_t=1.0, shortfall_at_any_price=any_price)
        return Model(ds, Variant.LEAST_ALPHA).solve().least_alpha

    assert least(False) == pytest.approx(0.75, abs=2e-6)
    assert least(True) == pytest.approx(0.5, abs=2e-6)


def test_report_any_price_sets_it_for_every_case(examples):
    """`rechain report --any-price` has no --set: it gives the workbook the setting (place
    `--any-price`), so every case of the report, scenarios included, is solved at any price."""
    from rechain.commands.common import with_any_price as _with_any_price

    wb = load_workbook(examples / "frontier")
    assert _with_any_price(wb, False) is wb
    marked = _with_any_price(wb, True)
    assert all(make_dataset(marked, name).settings.shortfall_at_any_price for name in (None, *wb.scenario_names))
    assert not make_dataset(wb).settings.shortfall_at_any_price  # the loaded workbook is not changed
