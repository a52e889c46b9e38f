"""Scenarios in groups (world costs, world supply and demand, policy) and under the requirement (issue 22 §2)."""

import json
from pathlib import Path

import pandas as pd
import pytest
from pytest import approx
from rechain.base.errors import InputError
from rechain.run.scenario_groups import GROUPS, KEY_GROUPS, group_of, group_sheets
from rechain.run.scenarios import compare_scenarios
from rechain.workbook.keys import PREFIXES
from rechain.workbook.schema import SETTINGS
from rechain.workbook.validate import load_workbook

SCENARIOS = (
    "scenario,key,value\n"
    'strict,restricted_blocs,"east, middle"\n'  # policy: the middle separator stops counting as clean
    "cheap_east,restricted_cost_factor,0.5\n"  # world costs
    "less_ore,capacity_factor.Mine,0.5\n"  # world supply: half the mine
    "clean_now,max_restricted_share,0\n"  # policy, and it asks for clean supply itself
    "cheap_and_strict,capex_factor.west,0.5\n"
    "cheap_and_strict,budget_usd,1e6\n"  # a cost and a policy row: mixed
)


def world(folder: Path) -> Path:
    """One year (2025), 10 t of A for Buyer (west, protected); east restricted. Mine (west) 100 t/yr at no
    cost; separators: MidSep (middle) 100 t/yr at opex 1, CNSep (east) 100 t/yr at opex 2, USSep (west)
    buildable at capex 100 per t/yr, opex 5.

    Base (α = 1): MidSep, the cheapest, 10 t × 1 = 10. Clean from 2025: MidSep is clean, still 10, premium 0.
    strict (middle restricted too): unconstrained still MidSep, 10: $0 against the base. Clean from 2025:
    only USSep is clean: 10 t/yr × 100 + 10 × 5 = 1,050, premium 1,050 − 10 = 1,040.
    cheap_east (φ = 0.5 for east): CNSep at 2 × 0.5 = 1 ties MidSep, 10 either way: $0 against the base;
    clean: MidSep, 10, premium 0. less_ore: the mine at 50 t/yr still covers 10 t: 10, premium 0.
    clean_now (α = 0 from 2025): MidSep is clean, 10; shown once, premium over itself at α = 1: 0."""
    folder.mkdir()
    files = {
        "settings": "key,value\nfirst_year,2025\nlast_year,2025\nmax_restricted_share,1\nrestricted_blocs,east\n"
        "protected_blocs,west\n",
        "nodes": "node,bloc\nMine,west\nMidSep,middle\nCNSep,east\nUSSep,west\nBuyer,west\n",
        "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
        "facilities": "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years\n"
        "Mine,mining,100,,0,0,1\nMidSep,separation,100,,1,0,1\nCNSep,separation,100,,2,0,1\n"
        "USSep,separation,0,100,5,0,1\n",
        "composition": "node,element,share\nMine,A,1\n",
        "demand": "node,element,year,demand_t\nBuyer,A,2025,10\n",
        "scenarios": SCENARIOS,
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


@pytest.fixture
def wb(tmp_path):
    return load_workbook(world(tmp_path / "wb"))


def test_every_key_of_the_schema_has_a_group():
    """Adding a setting or a key prefix without deciding its group fails here."""
    keys = {c.name for c in SETTINGS.columns} | {"demand_factor"} | set(PREFIXES)
    assert keys == set(KEY_GROUPS)
    assert set(KEY_GROUPS.values()) <= set(GROUPS)


def test_groups_follow_the_changed_keys(wb):
    """restricted_blocs and max_restricted_share are policy, the cost factor a world cost, a capacity factor
    world supply; a capex factor beside a budget is mixed."""
    found = {name: group_of(wb, name) for name in wb.scenario_names}
    assert found == {
        "strict": "policy",
        "cheap_east": "world_costs",
        "less_ore": "world_supply",
        "clean_now": "policy",
        "cheap_and_strict": "mixed",
    }


def test_a_stricter_definition_of_clean_costs_nothing_unconstrained_and_1040_under_the_requirement(wb):
    """By hand in `world`: strict is $0 against the base unconstrained, and 1,050 − 10 = 1,040 over itself
    unconstrained when clean supply is required from 2025; the base's premium is 0 (MidSep is clean)."""
    table = compare_scenarios(wb, require_from=2025).set_index("scenario")
    assert table.loc["strict", "system_cost_vs_base_usd"] == approx(0)
    assert table.loc["strict", "required_system_cost_usd"] == approx(1050)
    assert table.loc["strict", "required_premium_usd"] == approx(1040)
    assert table.loc["strict", "required_shortfall_t"] == approx(0)
    assert table.loc["strict", "required_unmet_t"] == approx(0)
    assert table.loc["strict", "required_clean_share_min"] == approx(1)
    assert table.loc["strict", "requirement"] == "clean from 2025"
    assert table.loc["base", "required_premium_usd"] == approx(0)
    assert table.loc["cheap_east", "required_premium_usd"] == approx(0)


def test_a_scenario_that_asks_for_clean_supply_is_shown_once(wb):
    """clean_now sets α = 0 itself: no second solve under the report's requirement, its own figures only,
    its premium over itself at α = 1 (0, by hand in `world`), and the requirement column says so."""
    row = compare_scenarios(wb, require_from=2025).set_index("scenario").loc["clean_now"]
    assert row["requirement"].startswith("its own: 100% clean from 2025, shown once")
    assert pd.isna(row["required_system_cost_usd"]) and pd.isna(row["required_status"])
    assert row["required_premium_usd"] == approx(0)
    assert row["system_cost_usd"] == approx(10)


def test_without_the_requirement_no_requirement_columns(wb):
    assert "required_premium_usd" not in compare_scenarios(wb)


def test_groups_are_apart_and_sorted(wb, tmp_path):
    """Base first, then world costs, world supply, policy, mixed; one table per group, each with the base.
    In policy, strict (+0) and clean_now (+0) tie: the workbook's order (sorted names) decides."""
    table = compare_scenarios(wb, require_from=2025)
    assert list(table["group"]) == ["", "world_costs", "world_supply", "policy", "policy", "mixed"]
    sheets = group_sheets(table)
    assert list(sheets) == ["world_costs", "world_supply", "policy", "mixed"]
    assert list(sheets["policy"]["scenario"]) == ["base", "clean_now", "strict"]


def test_a_larger_change_comes_first_within_a_group(tmp_path):
    """Two world-supply scenarios: MidSep at 50% (50 t/yr) still takes all 10 t: +0; at 5% (5 t/yr) the other
    5 t go to CNSep at opex 2: 5 × 1 + 5 × 2 = 15, +5. So `tight` (+5) comes before `loose` (+0), although
    `loose` comes first by name."""
    folder = world(tmp_path / "wb")
    (folder / "scenarios.csv").write_text(
        "scenario,key,value\nloose,capacity_factor.MidSep,0.5\ntight,capacity_factor.MidSep,0.05\n"
    )
    table = compare_scenarios(load_workbook(folder))
    assert list(table["scenario"]) == ["base", "tight", "loose"]
    assert list(table["system_cost_vs_base_usd"]) == approx([0, 5, 0])


def test_a_requirement_year_outside_the_horizon_is_an_input_error(wb):
    with pytest.raises(InputError) as exc:
        compare_scenarios(wb, require_from=2031)
    assert [i.place for i in exc.value.issues] == ["--require-from"]


def test_a_failed_solve_under_the_requirement_is_no_number(wb, monkeypatch):
    """strict under the requirement times out: its required figures are blank, its status says so."""
    import pyomo.environ as pyo
    from rechain.models.highs import CaseSolver, SolveOutcome, Status

    original = CaseSolver.solve

    def solve_or_fail(self):  # α as the model holds it now: a warm case updates it in place
        alpha = pyo.value(self.built.model.alpha)
        if alpha == 0 and "middle" in self.built.dataset.settings.restricted_blocs:
            return SolveOutcome(Status.TIME_LIMIT, "Time limit reached", 0.0)
        return original(self)

    monkeypatch.setattr(CaseSolver, "solve", solve_or_fail)
    row = compare_scenarios(wb, require_from=2025).set_index("scenario").loc["strict"]
    assert row["required_status"] == "time_limit"
    assert row[["required_system_cost_usd", "required_premium_usd", "required_shortfall_t"]].isna().all()
    assert row["system_cost_usd"] == approx(10)


def test_the_command_shows_the_groups_apart(rechain, tmp_path):
    """`rechain scenarios --require-from 2025 --json`: one table per group; strict's premium 1,040 (by hand)."""
    path = world(tmp_path / "wb")
    done = rechain("scenarios", path, "--require-from", "2025", "--workers", "1", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [k for k in data if k != "run"] == ["world_costs", "world_supply", "policy", "mixed"]
    rows = {r["scenario"]: r for r in data["policy"]}
    assert rows["strict"]["required_premium_usd"] == approx(1040)
    assert data["run"]["require_from"] == 2025
    out = tmp_path / "out"
    assert rechain("scenarios", path, "--require-from", "2025", "--workers", "1", "--out", out).returncode == 0
    assert {p.name for p in out.glob("*.png")} == {f"scenarios_{g}.png" for g in GROUPS}


def test_an_interrupt_keeps_the_finished_rows_in_their_groups(rechain, tmp_path, monkeypatch):
    """Ctrl-C after the base and strict: `scenarios_incomplete_*` holds them, strict in policy, base in each."""
    import rechain.run.scenarios as scenarios

    def interrupted(wb, overrides, options, on_row, **kwargs):
        on_row({"scenario": "base", "status": "optimal", "system_cost_usd": 10.0})
        on_row({"scenario": "strict", "status": "optimal", "system_cost_usd": 10.0})
        raise KeyboardInterrupt

    monkeypatch.setattr(scenarios, "compare_scenarios", interrupted)
    out = tmp_path / "out"
    done = rechain("scenarios", world(tmp_path / "wb"), "--workers", "1", "--out", out)
    assert done.returncode == 130
    policy = pd.read_csv(out / "scenarios_incomplete_policy.csv")
    assert list(policy["scenario"]) == ["base", "strict"]


def test_the_chart_shows_each_case_as_it_is_and_under_the_requirement(tmp_path):
    """Two series per group chart: against the base (strict +0) and the premium clean from 2025 (strict
    1,040, by hand in `world`); clean_now's blank premium of another series is a gap, not 'did not solve'."""
    import openpyxl
    from rechain.report.tables import scenarios_charts, write_tables
    from rechain.run.scenario_groups import titles

    table = pd.DataFrame(
        {
            "scenario": ["base", "strict", "clean_now"],
            "status": ["optimal"] * 3,
            "system_cost_vs_base_usd": [0.0, 0.0, 1040.0],
            "required_premium_usd": [0.0, 1040.0, None],
        }
    )
    run = pd.DataFrame({"item": ["input"], "value": ["wb"]})
    charts = scenarios_charts(titles({"policy": table}), "", "clean from 2025")
    write_tables(tmp_path, "s", {"policy": table}, run, charts)
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    [chart] = book["policy"]._charts
    assert len(chart.series) == 2
    rows = list(book["chart1 policy"].iter_rows(values_only=True))
    assert rows[0][1:3] == ("as it is, against the base", "clean from 2025, over itself")
    assert {r[-1]: r[2] for r in rows[1:]} == {"strict": 1040, "clean_now": None, "base": 0}
    assert all(r[3] is None for r in rows[1:])  # no 'did not solve' mark


def test_the_report_shows_each_group_under_its_deadline(tmp_path):
    """`rechain report` on `world` (deadline 2025, the one year): a table and heading per group, strict's
    premium clean from 2025 over itself 1,040 (by hand in `world`), clean_now shown once."""
    from rechain.base.manifest import manifest
    from rechain.commands.report import write_report

    path = world(tmp_path / "wb")
    assert write_report(load_workbook(path), path, tmp_path / "out", manifest(path, command="report")) == 0
    text = (tmp_path / "out" / "findings.md").read_text()
    for heading in ("### World costs (", "### World supply and demand (", "### Policy (", "### Mixed ("):
        assert heading in text
    policy = pd.read_csv(tmp_path / "out" / "findings_tables_scenarios_policy.csv").set_index("scenario")
    assert policy.loc["strict", "required_premium_usd"] == approx(1040)
    assert policy.loc["clean_now", "requirement"].startswith("its own")
    assert (tmp_path / "out" / "findings_tables_scenarios_policy.png").exists()
