"""The readings of `commit` and `hedge` decided in risk.md v3, on cases small enough to solve by hand.

The world (as in run/test_risk_by_hand.py): Mine (allied, 100 tpa existing, free) feeds Plant (allied, separation
built at 1000 USD/tpa, lead time 0, lifetime 1 year: no salvage of a build in service) or CN (china,
100 tpa existing, opex 500 USD/t). Buyer (allied) needs 10 t in 2025 and 20 t in 2026; alpha = 0;
penalties 1e7 USD/t (unmet, shortfall); discount rate 10 %, so df_2025 = 1, df_2026 = 1/1.1.

The deterministic plan: every clean tonne is worth building for (1000 ≪ 1e7); a build started later
is cheaper (discounted), so Plant gets 10 tpa in 2025 (needed that year) and 10 tpa in 2026:
objective 10,000 + 10,000/1.1 = 19,090.91.
"""

import dataclasses

import pytest
from rechain.models.dataset import BlocBudget, Circuit
from rechain.models.model import Model
from rechain.models.network import salvage_share
from rechain.models.solution import Solution
from rechain.models.two_stage import TwoStage
from rechain.models.variants import Variant
from rechain.run import risk
from rechain.run.risk import CommittedPlan, RiskJob, committed_plan, committed_spending, load_risk, run_risk

from worked import case, fac, flat

DF = 1 / 1.1
PLAN = 10_000 + 10_000 * DF
FILES = {
    "settings": "key,value\nfirst_year,2025\nlast_year,2026\nmax_restricted_share,0\ndiscount_rate,0.1\n{settings}",
    "nodes": "node,bloc\nMine,allied\nPlant,allied\nCN,china\nBuyer,allied\n",
    "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
    "facilities": (
        "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years,max_build_tpa_per_year\n"
        "Mine,mining,100,,0,0,1,\nPlant,separation,0,1000,0,0,1,{per_year}\nCN,separation,100,,500,0,1,\n"
    ),
    "composition": "node,element,share\nMine,A,1\n",
    "demand": "node,element,year,demand_t\nBuyer,A,2025,10\nBuyer,A,2026,20\n",
}


def job_of(tmp_path, uncertainty: str, mode: str, recourse_year=None, seed=1, settings="", per_year=""):
    folder = tmp_path / "world"
    folder.mkdir(exist_ok=True)
    for name, text in FILES.items():
        (folder / f"{name}.csv").write_text(text.format(settings=settings, per_year=per_year))
    (folder / "uncertainty.csv").write_text("target,distribution,p1,p2,p3,shared\n" + uncertainty)
    wb, rows, _ = load_risk(folder, None, ())
    return RiskJob(wb, None, (), rows, seed, mode, recourse_year)


def by_value(draws, column, value):
    chosen = draws[draws[column] == value]
    assert len(chosen), f"no draw with {column} = {value}: choose another seed"
    return chosen


def test_the_plan_uses_the_median_of_a_continuous_row(tmp_path):
    """An overrun lognormal(median 1, sigma 1) and a budget of 12,000: at the median (overrun 1) the plan
    builds 10 tpa in 2025 (10,000, needed that year) and the 2,000 left buy 2 tpa in 2026. At the mean
    e^0.5 = 1.6487 it could afford only 12,000 / 1648.7 = 7.28 tpa in 2025 and nothing in 2026."""
    job = job_of(tmp_path, "capex_overrun.Plant.separation,lognormal,1,1,,\n", "commit", settings="budget_usd,12000\n")
    plan = committed_plan(job)
    assert plan.optimal
    built = {key: tpa for key, tpa in plan.builds if tpa > 1e-9}
    assert built == pytest.approx({("Plant", 2, 2025): 10.0, ("Plant", 2, 2026): 2.0})


DEMAND = 'demand_factor,discrete,"1:0.6, 0.5:0.4",,,\n'


@pytest.mark.parametrize("recourse_year", [None, 2026])
def test_commit_fixes_the_builds_before_the_recourse_year_only(tmp_path, recourse_year):
    """The plan is solved at demand factor 1 (most likely): 10 tpa in 2025 and 10 in 2026 (module doc).
    A draw at demand factor 0.5 needs 5 t in 2025 and 10 t in 2026: the 2025 build covers both years.
    - no recourse year: both builds are fixed: objective 19,090.91, capex 20,000.
    - recourse year 2026: the 2025 build is fixed, the 2026 one is re-optimised (the plan's is not
      kept) and not needed: objective and capex 10,000.
    At demand factor 1 both readings give the plan: 19,090.91."""
    draws = run_risk(job_of(tmp_path, DEMAND, "commit", recourse_year, seed=2), 6, workers=1)[0]["draws"]
    assert (draws["status"] == "optimal").all()
    half = by_value(draws, "demand_factor", 0.5)
    full = by_value(draws, "demand_factor", 1.0)
    assert full["objective_usd"].tolist() == pytest.approx([PLAN] * len(full), rel=1e-9)
    expected = PLAN if recourse_year is None else 10_000
    assert half["objective_usd"].tolist() == pytest.approx([expected] * len(half), rel=1e-9)
    assert half["capex_usd"].tolist() == pytest.approx([20_000 if recourse_year is None else 10_000] * len(half))


def test_vss_commit_term_uses_the_recourse_rule(tmp_path):
    """hedge with recourse year 2026, f of n draws at demand factor 0.5: commit's term re-optimises the
    2026 build as commit does, so its mean objective is [(n − f) 19,090.91 + f 10,000] / n."""
    tables, _ = run_risk(job_of(tmp_path, DEMAND, "hedge", 2026, seed=2), 6, workers=1)
    f = int((tables["draws"]["demand_factor"] == 0.5).sum())
    assert 0 < f < 6
    value = tables["value"].set_index("figure")["value"]
    assert value["commit_mean_objective_usd"] == pytest.approx(((6 - f) * PLAN + f * 10_000) / 6, rel=1e-9)
    assert value["deterministic_plan_status"] == "optimal"


def test_salvage_share_of_a_committed_build_is_capped_at_one():
    """Lifetime 4, last year 2026, lead 0. Started 2026: U = 1 year operated, rho = 1 − 1/4 = 0.75.
    Delayed a year: U = 0: a free build's share is 0 (never worth it), a committed one's
    min(1, 1 − 0/4) = 1; delayed 3 years (U = −2): 1 − (−2)/4 = 1.5, capped at 1."""
    ds = case((2025, 2026), {"P": "allied"}, 1, [fac("P", 1, capex_usd_per_tpa=1, lifetime_years=4.0)], {}, {})
    assert salvage_share(ds, "P", 1, 2026) == pytest.approx(0.75)
    assert salvage_share(ds, "P", 1, 2026, 0, committed=True) == pytest.approx(0.75)
    assert salvage_share(ds, "P", 1, 2026, 1) == 0.0
    assert salvage_share(ds, "P", 1, 2026, 1, committed=True) == 1.0
    assert salvage_share(ds, "P", 1, 2026, 3, committed=True) == 1.0


def test_a_committed_build_pushed_past_the_horizon_is_paid(tmp_path):
    """Plan: 10 tpa in 2025 and 2026. A draw with Plant delayed a year: the 2025 build serves 2026 only,
    the 2026 build would start in 2027, after last_year: it is still paid (capex 20,000 nominal) and
    delivers nothing. 2025: CN supplies 10 t (5,000), 10 t short; 2026: Plant 10 t, CN 10 t (5,000/1.1),
    10 t short. Salvage: the 2025 build operates 1 year of a 1-year life (0); the 2026 one is capped at
    1, so its 10,000/1.1 of capex comes back at df_2026 and nets to 0.
    System cost = 10,000 + 5,000 + 5,000/1.1 = 19,545.45; shortfall 20 t; committed capex 20,000."""
    rows = 'lead_time_delay.Plant.separation,discrete,"0:0.6, 1:0.4",,,\n'
    draws = run_risk(job_of(tmp_path, rows, "commit", seed=2), 6, workers=1)[0]["draws"]
    late = by_value(draws, "lead_time_delay.Plant.separation", 1)
    n = len(late)
    assert late["capex_usd"].tolist() == pytest.approx([20_000] * n, rel=1e-9)
    assert late["committed_capex_usd"].tolist() == pytest.approx([20_000] * n, rel=1e-9)
    assert late["system_cost_usd"].tolist() == pytest.approx([15_000 + 5_000 * DF] * n, rel=1e-9)
    assert late["shortfall_t"].tolist() == pytest.approx([20] * n, rel=1e-9)


def test_a_shared_build_pushed_past_the_horizon_is_paid(tmp_path):
    """hedge, recourse year 2027 (every build shared), at most 10 tpa built a year, Plant delayed by 0 or
    1 year. On time, 2026 needs both builds (10 + 10); delayed, the 2026 build never serves, is paid
    in 2026 and salvaged in full at df_2026 (net 0), so the hedge builds 10 + 10 for the on-time draws.
    Delayed draws: capex 20,000 nominal; system cost 10,000 + 5,000 + 5,000/1.1 = 19,545.45 (as in the
    commit case above); on-time draws: 19,090.91."""
    rows = 'lead_time_delay.Plant.separation,discrete,"0:0.6, 1:0.4",,,\n'
    tables, _ = run_risk(job_of(tmp_path, rows, "hedge", 2027, seed=2, per_year="10"), 6, workers=1)
    draws = tables["draws"]
    late = by_value(draws, "lead_time_delay.Plant.separation", 1)
    on_time = by_value(draws, "lead_time_delay.Plant.separation", 0)
    assert tables["hedged_plan"]["built_tpa"].tolist() == pytest.approx([10, 10])
    assert late["capex_usd"].tolist() == pytest.approx([20_000] * len(late), rel=1e-9)
    assert late["system_cost_usd"].tolist() == pytest.approx([15_000 + 5_000 * DF] * len(late), rel=1e-9)
    assert on_time["system_cost_usd"].tolist() == pytest.approx([PLAN] * len(on_time), rel=1e-9)


OVERRUN = 'capex_overrun.Plant.separation,discrete,"1:0.6, 2:0.4",,,\n'


def test_commit_budget_rows_cover_recourse_builds_only(tmp_path):
    """Budget 25,000, recourse year 2026; the plan (overrun 1, most likely) spends 20,000. A draw with
    overrun 2: the committed 2025 build costs 20,000 (reported, within 25,000: no overrun of the
    budget); the 2026 build is re-optimised against the full 25,000 and gets its 10 tpa (20,000):
    objective 20,000 + 20,000/1.1 = 38,181.82, no shortfall. (Counting the committed 20,000 in the row
    would leave 5,000: 2.5 tpa and 7.5 t short.)"""
    job = job_of(tmp_path, OVERRUN, "commit", 2026, seed=2, settings="budget_usd,25000\n")
    draws = run_risk(job, 6, workers=1)[0]["draws"]
    dear = by_value(draws, "capex_overrun.Plant.separation", 2.0)
    n = len(dear)
    assert dear["objective_usd"].tolist() == pytest.approx([20_000 + 20_000 * DF] * n, rel=1e-9)
    assert dear["shortfall_t"].tolist() == pytest.approx([0] * n, abs=1e-9)
    assert dear["committed_capex_usd"].tolist() == pytest.approx([20_000] * n, rel=1e-9)
    assert not dear["committed_overruns_budget"].any()


def test_committed_spending_above_the_budget_is_reported_not_infeasible(tmp_path):
    """Budget 25,000, no recourse year: both planned builds are committed. Overrun 2: they cost 40,000 >
    25,000: the draw still solves (the rows hold no committed spending; nothing is left to build),
    objective 20,000 + 20,000/1.1 = 38,181.82, and `committed_overruns_budget` is true. Overrun 1:
    20,000, within the budget: false."""
    job = job_of(tmp_path, OVERRUN, "commit", None, seed=2, settings="budget_usd,25000\n")
    draws = run_risk(job, 6, workers=1)[0]["draws"]
    assert (draws["status"] == "optimal").all()
    dear = by_value(draws, "capex_overrun.Plant.separation", 2.0)
    cheap = by_value(draws, "capex_overrun.Plant.separation", 1.0)
    assert dear["objective_usd"].tolist() == pytest.approx([20_000 + 20_000 * DF] * len(dear), rel=1e-9)
    assert dear["committed_capex_usd"].tolist() == pytest.approx([40_000] * len(dear), rel=1e-9)
    assert dear["committed_overruns_budget"].all() and not cheap["committed_overruns_budget"].any()
    assert cheap["committed_capex_usd"].tolist() == pytest.approx([20_000] * len(cheap), rel=1e-9)


@pytest.mark.parametrize(
    ("settings", "budgets", "spent", "over"),
    [
        ({"budget_usd": 30_000}, (), {("allied", 2025): 10_000, ("allied", 2026): 16_000}, False),  # 26,000
        ({"budget_usd": 25_000}, (), {("allied", 2025): 10_000, ("allied", 2026): 16_000}, True),
        ({"annual_budget_usd": 15_000}, (), {("allied", 2025): 10_000, ("allied", 2026): 16_000}, True),  # 2026
        ({"annual_budget_usd": 16_000}, (), {("allied", 2025): 10_000, ("allied", 2026): 16_000}, False),
        ({"budget_usd": 20_000}, (), {("allied", 2025): 10_000, ("china", 2026): 16_000}, False),  # not covered
        ({}, (BlocBudget("china", 15_000),), {("allied", 2025): 10_000, ("china", 2026): 16_000}, True),
        ({}, (BlocBudget("allied", 15_000),), {("allied", 2025): 10_000, ("china", 2026): 16_000}, False),
    ],
)
def test_committed_overruns_any_budget_row(settings, budgets, spent, over):
    """Committed capex against each budget row alone: the total over the budget blocs (allied; china is
    restricted and not covered), each year's over the budget blocs, each bloc's row; sums by hand."""
    ds = case((2025, 2026), {"A": "allied", "C": "china"}, 1, [], {}, {}, settings=settings, bloc_budgets=budgets)
    found = committed_spending(ds, spent)
    assert found == {"committed_capex_usd": sum(spent.values()), "committed_overruns_budget": over}


def test_a_planned_build_with_no_variable_is_an_error():
    """A committed plan naming a build the case cannot hold (a start year after last_year) is refused,
    never dropped unpaid."""
    ds = case(
        (2025, 2025),
        {"M": "allied", "B": "allied"},
        1,
        [fac("M", 1, capex_usd_per_tpa=1.0)],
        {"M": {"A": 1.0}},
        {("B", "A", 2025): 1.0},
    )
    model = Model(ds, Variant.DRAWS)
    with pytest.raises(ValueError, match="no build variable"):
        model.commit({("M", 1, 2030): 5.0}, {})


def test_committed_facility_and_circuit_capex_leave_the_budget_rows():
    """2025-26, no discount, alpha = 1 (no requirement). Sep (separation, 100 USD/tpa, lead 0, lifetime
    1) with an A circuit (50 USD/tpa, the facility's lead time); 10 t of A a year demanded; budget 1,000.
    Committed: 10 tpa of Sep and 10 of its circuit in 2025; the draw delays Sep a year and doubles its
    capex. Held capex = 10·100·2 + 10·50·2 = 3,000 in 2025, above the budget but out of its row, so the
    draw solves: both serve from 2026; 2025's 10 t are unmet (1e7 USD/t): objective 3,000 + 1e8 (the
    builds operate 1 year of a 1-year life: no salvage)."""
    years = (2025, 2026)
    ds = case(
        years,
        {"Mine": "allied", "Sep": "allied", "Buyer": "allied"},
        2,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, capex_usd_per_tpa=100.0)],
        {"Mine": {"A": 1.0}},
        flat("Buyer", "A", 10, years),
        circuits={("Sep", "A"): Circuit(capex_usd_per_tpa=50.0)},
        settings={"max_restricted_share": 1.0, "budget_usd": 1000.0},
    )
    model = Model(ds, Variant.DRAWS)
    model.commit({("Sep", 2, 2025): 10.0, ("Sep", "A", 2025): 10.0}, {("Sep", 2): (1, 2.0)})
    solution = model.solve(tables=False)
    assert solution.optimal, solution.message
    assert solution.summary["objective_usd"] == pytest.approx(3_000 + 1e8, rel=1e-12)
    assert solution.summary["unmet_t"] == pytest.approx(10.0)
    assert model.committed_capex() == pytest.approx({("allied", 2025): 3_000.0, ("allied", 2026): 0.0})


def failing_solve(self, tables=True, cold=False):
    """A time-limited solve, as HiGHS reports one (the plan's solve on a slow machine)."""
    from rechain.models.highs import Status

    return Solution(Status.TIME_LIMIT, "time limit reached", {})


def test_a_time_limited_plan_is_a_failed_run_not_an_input_error(tmp_path, monkeypatch):
    """The deterministic plan stops at the time limit: no InputError; every commit draw says so."""
    monkeypatch.setattr(Model, "solve", failing_solve)
    tables, complete = run_risk(job_of(tmp_path, DEMAND, "commit", seed=2), 3, workers=1)
    draws = tables["draws"]
    assert complete and draws["status"].tolist() == ["time_limit"] * 3
    assert draws["reason"].tolist() == ["deterministic plan: time limit reached"] * 3


def test_hedge_keeps_its_work_when_the_plan_fails(tmp_path, monkeypatch):
    """hedge: the hedged and replanned draws solve; the deterministic plan of VSS does not: VSS is blank
    and the value table says why; EVPI is still there."""
    monkeypatch.setattr(risk, "committed_plan", lambda job: CommittedPlan(status="time_limit", message="stopped"))
    tables, _ = run_risk(job_of(tmp_path, DEMAND, "hedge", 2026, seed=2), 3, workers=1)
    value = tables["value"].set_index("figure")["value"]
    assert (tables["draws"]["status"] == "optimal").all()
    assert value["value_of_stochastic_solution_usd"] is None
    assert value["deterministic_plan_status"] == "time_limit: stopped"
    assert value["expected_value_of_perfect_information_usd"] is not None


def one_year(any_price: bool):
    """2025 only, no discount; Plant builds at 1000 USD/tpa (lifetime 1: no salvage in service); CN
    (100 tpa) supplies at 500 USD/t; Buyer needs 10 t, alpha = 0; shortfall penalty 1 USD/t."""
    ds = case(
        (2025, 2025),
        {"Mine": "allied", "Plant": "allied", "CN": "china", "Buyer": "allied"},
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("Plant", 2, capex_usd_per_tpa=1000.0),
            fac("CN", 2, existing_tpa=100, opex_usd_per_t=500.0),
        ],
        {"Mine": {"A": 1.0}},
        {("Buyer", "A", 2025): 10.0},
        settings={"max_restricted_share": 0.0, "shortfall_penalty_usd_per_t": 1.0},
    )
    if any_price:
        ds = dataclasses.replace(ds, settings=dataclasses.replace(ds.settings, shortfall_at_any_price=True))
    return ds


@pytest.mark.parametrize("any_price", [False, True])
def test_hedge_at_any_price_is_lexicographic(any_price):
    """Two draws, one build x shared (recourse 2026): on time, and delayed past the horizon (x never
    serves, is paid and salvaged in full: net 0).
    At the penalty: a tonne built saves 500 (CN) + 1 (penalty) < 1000 in the on-time draw: x = 0; mean
    shortfall 10 t. At any price: phase 1 mean shortfall [(10 − x) + 10] / 2, least at x = 10: S* = 5;
    phase 2 keeps it within 5 + 5e-6: x ≥ 10 − 1e-5, and as cheap as possible: x ≈ 10; the on-time draw
    has no shortfall, the delayed one 10 t."""
    ds = one_year(any_price)
    hedge = TwoStage([ds, ds], 2026, draws=[{}, {("Plant", 2): (1, 1.0)}])
    on_time, late = hedge.solve()
    assert on_time.optimal and late.optimal
    built = hedge.plan()[("Plant", 2, 2025)]
    assert built == pytest.approx(10.0 if any_price else 0.0, abs=1e-4)
    assert on_time.summary["shortfall_t"] == pytest.approx(0.0 if any_price else 10.0, abs=1e-4)
    assert late.summary["shortfall_t"] == pytest.approx(10.0, abs=1e-9)
