"""The reports of the Version 2 additions (model.md, "What a solve reports (additions)"): the tables
circuits, stocks, recipe_mix, must_run and marginal_supply_cost, the summary keys, the per-kg
premium of the frontier and the report, worked by hand. Unless a case says otherwise: discount
rate 0, lifetime 1 year (no salvage), penalties 1e7 USD/t, opex 0."""

import json

import pandas as pd
import pytest
from rechain.models.dataset import Circuit, Recipe, Route, Stockpile
from rechain.models.figures import premium_columns
from rechain.models.solution import per_kg_premiums
from rechain.report.findings import per_kg
from rechain.run.frontier import cost_of_independence
from rechain.workbook.validate import load_workbook

from worked import Facility, Stage, case, fac, flat, solve  # noqa: F401

A1 = {"A": 1.0}


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-6)


def rows(table, *columns):
    return [tuple(r) for r in table[list(columns)].itertuples(index=False)]


# --- circuits -------------------------------------------------------------------------------------


def circuit_case():
    """Clean allied mine (100 tpa) → allied separator Sep (100 tpa) → allied buyer, 10 t of A a year
    2025-2027. Sep's A circuit: 2 t/yr existing, capex 100 USD/tpa, lead time 1 year; the
    separation stage ramps new capacity to 50% in its first operating year."""
    stages = (Stage("mining", 1), Stage("separation", 2, ramp_up=(0.5,)))
    return case(
        (2025, 2027),
        {"Mine": "allied", "Sep": "allied", "Buyer": "allied"},
        stages,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, existing_tpa=100)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2027)),
        circuits={("Sep", "A"): Circuit(existing_tpa=2, capex_usd_per_tpa=100, lead_time_years=1)},
    )


def test_circuit_table_capacity_builds_and_separated():
    """2025: only the 2 t/yr existing serve (8 t unmet). 2026 needs 2 + 0.5·b ≥ 10: b = 16 started in
    2025 (the cheapest build that meets 2026; a 2026 start serves only 2027). 2027: 2 + 16 = 18 in
    service, 10 separated. Capex 16 x 100 = 1,600 in the builds table (stage separation, element A,
    online 2026) and in capex_usd."""
    r = solve(circuit_case())
    assert rows(r.tables["circuits"], "node", "element", "year", "capacity_t", "built_t", "separated_t") == [
        ("Sep", "A", 2025, approx(2), approx(16), approx(2)),
        ("Sep", "A", 2026, approx(10), approx(0), approx(10)),
        ("Sep", "A", 2027, approx(18), approx(0), approx(10)),
    ]
    builds = r.tables["builds"]
    assert rows(builds, "node", "stage", "element", "start_year", "online_year", "build_tpa", "capex_usd") == [
        ("Sep", "separation", "A", 2025, 2026, approx(16), approx(1600))
    ]
    assert r.summary["capex_usd"] == approx(1600)
    assert r.summary["unmet_t"] == approx(8)


def test_v1_case_has_no_v2_tables_and_v1_builds_columns():
    """No circuits, stockpiles, recipes or floors: none of their tables, builds keeps its v1 columns;
    the marginal supply cost is reported for every case."""
    r = solve(
        case(
            (2025, 2025),
            {"Mine": "allied", "Buyer": "allied"},
            1,
            [fac("Mine", 1, existing_tpa=100, opex_usd_per_t=3)],
            {"Mine": A1},
            flat("Buyer", "A", 10, (2025, 2025)),
        )
    )
    assert not {"circuits", "stocks", "recipe_mix", "must_run"} & set(r.tables)
    assert list(r.tables["builds"].columns) == [
        "node",
        "bloc",
        "stage",
        "start_year",
        "online_year",
        "build_tpa",
        "capex_usd",
    ]
    assert r.summary["must_run_shortfall_t"] == 0
    assert r.summary["marginal_supply_cost_usd_per_kg"] == {"A": {"2025": approx(0.003)}}


# --- stockpiles -----------------------------------------------------------------------------------


def test_stock_drawn_down_in_the_first_year():
    """Chinese mine and separator (opex 1 USD/t) supply an allied buyer 10 t of A in 2025 and 2026,
    α = 1. The buyer holds 4 t of clean stock at the start (holding 1 USD/t/yr, charged on the
    stock at a year's end): taking it in 2025 saves the 4 USD of holding a 2026 take would cost,
    and putting mixed t into stock only adds holding. 2025: take 4 clean, stock 0, 6 t delivered;
    2026: nothing moves. Every mixed row is 0."""
    nodes = {"CNMine": "china", "CNSep": "china", "Buyer": "allied"}
    ds = case(
        (2025, 2026),
        nodes,
        2,
        [fac("CNMine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"CNMine": A1},
        flat("Buyer", "A", 10, (2025, 2026)),
        stockpiles={("Buyer", "A"): Stockpile(initial_t=4, initial_provenance="clean", holding_cost_usd_per_t_yr=1)},
    )
    r = solve(ds)
    assert rows(r.tables["stocks"], "node", "element", "provenance", "year", "stock_t", "put_t", "take_t") == [
        ("Buyer", "A", "clean", 2025, approx(0), approx(0), approx(4)),
        ("Buyer", "A", "clean", 2026, approx(0), approx(0), approx(0)),
        ("Buyer", "A", "mixed", 2025, approx(0), approx(0), approx(0)),
        ("Buyer", "A", "mixed", 2026, approx(0), approx(0), approx(0)),
    ]
    assert r.summary["system_cost_usd"] == approx(16)


# --- recipes --------------------------------------------------------------------------------------


def test_recipe_mix_with_max_share_binding():
    """Allied NdPr mine (opex 0) and Dy mine (opex 10,000 USD/t), allied separator; 10 t of the
    product Magnet. Standard recipe: 0.02 t Dy per t (200 USD/t of product); low-Dy: 0.005 t
    (50 USD/t) + 50 USD/t extra = 100 USD/t, so low-Dy is made up to its max_share 0.3:
    3 t low (share 0.3), 7 t standard (share 0.7)."""
    nodes = {"NMine": "allied", "DMine": "allied", "Sep": "allied", "Buyer": "allied"}
    recipes = {
        "std": Recipe({"NdPr": 0.3, "Dy": 0.02}),
        "low": Recipe({"NdPr": 0.3, "Dy": 0.005}, extra_cost_usd_per_t=50, max_share=0.3),
    }
    ds = case(
        (2025, 2025),
        nodes,
        2,
        [
            fac("NMine", 1, existing_tpa=100),
            fac("DMine", 1, existing_tpa=100, opex_usd_per_t=10_000),
            fac("Sep", 2, existing_tpa=100),
        ],
        {"NMine": {"NdPr": 1.0}, "DMine": {"Dy": 1.0}},
        flat("Buyer", "Magnet", 10, (2025, 2025)),
        recipes={"Magnet": recipes},
    )
    r = solve(ds)
    mix = r.tables["recipe_mix"].sort_values("recipe")
    assert rows(mix, "node", "product", "recipe", "year", "product_t", "share") == [
        ("Buyer", "Magnet", "low", 2025, approx(3), approx(0.3)),
        ("Buyer", "Magnet", "std", 2025, approx(7), approx(0.7)),
    ]
    assert r.summary["system_cost_usd"] == approx(7 * 200 + 3 * 100)


# --- must-run -------------------------------------------------------------------------------------


def must_run_case():
    """Western mine W: 10 tpa existing, min_utilization 0.6; it may extract only 2 t in 2025
    (availability) and cannot ship (route closed). The Chinese mine C serves 10 t of A."""
    return case(
        (2025, 2025),
        {"W": "allied", "C": "china", "Buyer": "allied"},
        1,
        [
            fac("W", 1, existing_tpa=10, opex_usd_per_t=5, min_utilization=0.6),
            fac("C", 1, existing_tpa=100, opex_usd_per_t=1),
        ],
        {"W": A1, "C": A1},
        flat("Buyer", "A", 10, (2025, 2025)),
        routes=(Route("W", "Buyer", None, 0, allowed=False),),
        availability={("W", 1, 2025): 2.0},
    )


def used_up_case(demand=10):
    """Mine MA: 10 tpa, opex 2,000 USD/t; mine MB: plenty, opex 5,000; `demand` t of A."""
    return case(
        (2025, 2025),
        {"MA": "allied", "MB": "allied", "Buyer": "allied"},
        1,
        [fac("MA", 1, existing_tpa=10, opex_usd_per_t=2000), fac("MB", 1, existing_tpa=100, opex_usd_per_t=5000)],
        {"MA": A1, "MB": A1},
        flat("Buyer", "A", demand, (2025, 2025)),
    )


def test_must_run_floor_with_shortfall():
    """Floor 0.6 x 10 = 6 t in 2025 (the default must_run_until_year); W extracts its 2 t and
    discards them: throughput 2, shortfall w = 6 − 2 = 4."""
    r = solve(must_run_case())
    assert rows(r.tables["must_run"], "node", "stage", "year", "floor_t", "throughput_t", "shortfall_t") == [
        ("W", "mining", 2025, approx(6), approx(2), approx(4))
    ]
    assert r.summary["must_run_shortfall_t"] == approx(4)


# --- marginal supply cost -------------------------------------------------------------------------


def test_marginal_supply_cost_is_undiscounted_usd_per_kg():
    """One stage; the only mine (100 tpa, opex 2,000 USD/t) has spare capacity; 10 t a year
    2025-2027, discount rate 0.1. One more t in any year costs 2,000 USD in that year:
    2 USD/kg undiscounted in every year, unique; the mean from the independence year is 2."""
    ds = case(
        (2025, 2027),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=100, opex_usd_per_t=2000)],
        {"Mine": A1},
        flat("Buyer", "A", 10, (2025, 2027)),
        settings={"discount_rate": 0.1},
    )
    r = solve(ds)
    assert r.summary["marginal_supply_cost_usd_per_kg"] == {"A": {str(y): approx(2) for y in (2025, 2026, 2027)}}
    assert r.summary["marginal_supply_cost_mean_usd_per_kg"] == {"A": approx(2)}
    table = r.tables["marginal_supply_cost"]
    assert rows(table[table["node"].isna()], "element", "year", "usd_per_kg", "unique") == [
        ("A", y, approx(2), True) for y in (2025, 2026, 2027)
    ]
    assert rows(table[table["node"].notna()], "node", "year", "usd_per_kg") == [
        ("Buyer", y, approx(2)) for y in (2025, 2026, 2027)
    ]


def scarce_clean_case(alpha, years=(2026,)):
    """One stage, 2025-2026, discount rate 0.1, 10 t of A a year in `years` to an allied buyer.
    Chinese mine: plenty, opex 1,000 USD/t. Clean allied mine: no capacity yet, capex
    3,000 USD/tpa, opex 2,000 USD/t, lifetime 1 (no salvage)."""
    return case(
        (2025, 2026),
        {"CN": "china", "US": "allied", "Buyer": "allied"},
        1,
        [
            fac("CN", 1, existing_tpa=100, opex_usd_per_t=1000),
            fac("US", 1, capex_usd_per_tpa=3000, opex_usd_per_t=2000),
        ],
        {"CN": A1, "US": A1},
        {("Buyer", "A", y): 10.0 for y in years},
        settings={"discount_rate": 0.1, "max_restricted_share": alpha},
    )


@pytest.mark.parametrize("alpha, usd_per_kg", [(1.0, 1.0), (0.5, 3.0)])
def test_marginal_supply_cost_adds_the_independence_dual(alpha, usd_per_kg):
    """Demand in 2026 only. α = 1: the Chinese mine, 1,000 USD/t = 1 USD/kg. α = 0.5: 5 tpa of
    clean capacity built in 2026 (later is cheaper at 10%). One more t is half Chinese (1,000)
    and half clean, 0.5 tpa more (3,000 + 2,000 per t): 0.5 x 1,000 + 0.5 x 5,000 = 3,000 USD/t
    = 3 USD/kg: the demand dual 1,000 plus (1 − α) x the independence dual 4,000, both discounted
    by 1.1 and undiscounted again. The build is strictly inside its bounds: unique."""
    r = solve(scarce_clean_case(alpha))
    assert r.summary["marginal_supply_cost_usd_per_kg"] == {"A": {"2026": approx(usd_per_kg)}}
    assert r.tables["marginal_supply_cost"]["unique"].all()


def test_capacity_shared_by_two_years_is_not_unique():
    """As above at α = 0.5 with demand in 2025 and 2026: 5 tpa built in 2025 serve both years.
    One t less in 2026 saves opex only (0.5 x 2,000 + 0.5 x 1,000 = 1.5 USD/kg), one t more
    needs a build (3 USD/kg): the clean capacity is exactly used up in both years, one of its
    rows at a zero dual, so neither year's value is unique."""
    table = solve(scarce_clean_case(0.5, years=(2025, 2026))).tables["marginal_supply_cost"]
    assert not table["unique"].any()


def test_capacity_exactly_used_up_is_not_unique():
    """MA's 10 tpa are exactly the 10 t demanded: any value in [2, 5] USD/kg is a valid marginal
    cost (one t less saves 2,000, one t more costs 5,000). HiGHS reports 2 with MA's capacity row
    tight at a zero dual: unique is False. With 9 t demanded MA has spare capacity: unique."""
    table = solve(used_up_case()).tables["marginal_supply_cost"].fillna({"node": ""})
    assert rows(table, "node", "usd_per_kg", "unique") == [("", approx(2), False), ("Buyer", approx(2), False)]
    assert list(solve(used_up_case(9)).tables["marginal_supply_cost"]["unique"]) == [True, True]


# --- the per-kg premium ---------------------------------------------------------------------------


def test_frontier_premium_per_kg(examples):
    """The frontier example: clean mine (opex 0), Chinese separator (1 USD/t, 100 tpa), allied
    separator to build (100 USD/tpa + 5 USD/t), 10 t in 2025. α = 1: 1 USD/t = 0.001 USD/kg.
    α = 0.5: 0.5 x 1 + 0.5 x 105 = 53 USD/t; α = 0: 105 USD/t. Premium per kg against α = 1:
    0, 0.052, 0.104; per t of system cost: 0, 520, 1,040."""
    table = cost_of_independence(load_workbook(examples / "frontier"), None, (), points=3)
    assert list(table["marginal_supply_cost_usd_per_kg.A"]) == [approx(0.001), approx(0.053), approx(0.105)]
    assert list(table["premium_usd_per_kg.A"]) == [approx(0), approx(0.052), approx(0.104)]
    assert list(table["premium_usd"]) == [approx(0), approx(520), approx(1040)]


def test_frontier_failed_point_carries_no_premium(examples):
    """A point that does not solve (time limit 0) keeps status and reason only."""
    from rechain.models.highs import SolveOptions

    table = cost_of_independence(
        load_workbook(examples / "frontier"), None, (), points=2, options=SolveOptions(time_limit=0.0)
    )
    assert (table["status"] != "optimal").all()
    assert not any(c.startswith("premium_usd_per_kg") for c in table.columns)


def test_report_premium_per_kg_from_two_solves():
    """The report's per-kg premium is the mean over the years from the case's independence year of
    msc(case) − msc(unconstrained): the scarce-clean case at α = 0.5 against α = 1: 3 − 1 = 2 USD/kg;
    findings.md says it with a sign."""
    case_, free = solve(scarce_clean_case(0.5)), solve(scarce_clean_case(1.0))
    premium = premium_columns(per_kg_premiums(case_.figures, free.figures))
    assert premium == {"premium_usd_per_kg.A": approx(2)}
    assert per_kg(pd.Series({"status": "optimal", **premium})) == " (+2 USD/kg for A at the margin)"
    small = pd.Series({"premium_usd_per_kg.A": 0.104, "premium_usd_per_kg.B": None})
    assert per_kg(small) == " (+0.104 USD/kg for A at the margin)"


def test_solve_writes_the_new_tables_and_keys(rechain, tmp_path, examples):
    """`rechain solve` on a v1 example: the marginal_supply_cost sheet and the two summary keys
    (no v2 sheets); the frontier example's α = 1 plan buys at the Chinese separator, 0.001 USD/kg."""
    out = tmp_path / "out"
    done = rechain("solve", examples / "frontier", "--out", out)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["marginal_supply_cost_usd_per_kg"] == {"A": {"2025": approx(0.001)}}
    assert summary["must_run_shortfall_t"] == 0
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert [n for n in sheets if not n.startswith("chart")] == [
        "summary",
        "costs",
        "capacity",
        "capacity_by_bloc",
        "builds",
        "throughput",
        "flows",
        "unmet",
        "independence",
        "clean_share",
        "duals",
        "binding_capacity",
        "marginal_supply_cost",
        "run",
    ]
    assert "Marginal supply" in done.stdout and "│ A       │ 0.001 │" in done.stdout
    assert "Must-run shortfall" not in done.stdout


def test_terminal_prints_must_run_shortfall_and_flags_not_unique():
    """The must-run case above prints its 4 t of must-run shortfall; the case whose capacity is
    exactly used up shows its marginal supply cost as a range: one t less saves MA's 2 USD/kg, one t
    more costs MB's 5 USD/kg."""
    from rechain.report.terminal import print_summary
    from rich.console import Console

    def printed(ds):
        console = Console(width=200, record=True)
        print_summary(console, solve(ds), {"input": "case"})
        return console.export_text()

    assert "Must-run shortfall: 4.0 t" in printed(must_run_case())
    text = printed(used_up_case())
    assert "│ A       │ 2.00–5.00 │" in text and "low–high: not unique" in text


def test_the_report_says_which_v2_features_a_workbook_leaves_out(examples):
    """The tiny example uses none of the six; the v2 example uses all of them."""
    from rechain.run.findings import subject_of
    from rechain.workbook.validate import load_workbook

    assert len(subject_of(load_workbook(examples / "tiny")).unused) == 6
    assert subject_of(load_workbook(examples / "v2")).unused == ()
