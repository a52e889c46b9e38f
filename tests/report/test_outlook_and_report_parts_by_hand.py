"""The report's v2 parts worked by hand: the outlook (risk draws per budget), the definitions of
clean, comparators beside per-kg premiums, claims, what allies pay, and byte-identical reruns.

The world of test_risk: Mine (allied, 100 tpa, free) feeds Plant (allied separation, built at
1000 USD/tpa, lifetime 1) or CN (china, 100 tpa, opex 500 USD/t); Buyer (allied) needs 10 t in
2025; no discounting. Fully clean: build 10 tpa = 10,000 USD; unconstrained: CN, 5,000 USD.
"""

import pandas as pd
import pytest
from rechain.models.highs import DEFAULT_OPTIONS, SolveOptions
from rechain.report.findings import same_draws
from rechain.run.findings import claim_table, comparator_table, definitions, subject_of
from rechain.run.outlook import outlook
from rechain.workbook.validate import load_workbook

from quoted import unquoted
from risk_world import world

CERTAIN = "capex_overrun.separation,triangular,1,1,1,\n"
BUDGETS = "scenario,key,value\ncap,budget_usd,5000\nbig,budget_usd,1000000\nbigger,budget_usd,2000000\n"


def approx(x):
    return pytest.approx(x, rel=1e-7, abs=1e-9)


def outlook_world(tmp_path, uncertainty=CERTAIN):
    folder = world(tmp_path, uncertainty)
    (folder / "scenarios.csv").write_text(BUDGETS)
    return folder


def test_outlook_by_budget_by_hand(tmp_path):
    """Budgets 0, 5,000, 10^6 and 2·10^6 (0 and every scenario's budget_usd), every draw certain:
    - 0: nothing built; clean and unconstrained plans both buy from CN (5,000): premium 0, never clean;
    - 5,000: 5 tpa built (5,000) + 5 t from CN (2,500) = 7,500 against 5,000: premium 2,500, clean
      share 50%, never fully clean (nor 95 % or 99 %); the budget binds;
    - 10^6: 10 tpa built, 10,000: premium 5,000, fully clean in 2025 in every draw, so every draw meets
      the requirement and the premium over those draws is 5,000 too; the budget binds in no draw,
    - so 2·10^6 takes the same draws without solving and says so; the probability table has one row
      per solved budget (three draws each: the Wilson interval of 3 of 3 at 90 % is
      [3/(3 + z²), 1] = [0.5258, 1] with z = 1.6449)."""
    folder = outlook_world(tmp_path)
    seen = outlook(load_workbook(folder), folder, 2025, 3, 7, DEFAULT_OPTIONS, 1, deadlines=(2025,))
    table = same_draws(seen.budgets, seen.same_draws).set_index("budget_usd")
    assert list(table.index) == [0.0, 5000.0, 1e6, 2e6]
    assert list(table["premium_p50_usd"]) == [approx(0), approx(2500), approx(5000), approx(5000)]
    assert list(table["protected_capex_p90_usd"]) == [approx(0), approx(5000), approx(10000), approx(10000)]
    assert list(table["requirement_met"]) == [0, 0, 3, 3]
    assert pd.isna(table.loc[5000.0, "premium_if_met_p50_usd"]) and table.loc[1e6, "premium_if_met_p50_usd"] == 5000
    assert list(table["budget_bound"]) == [True, True, False, False]
    assert "bound in no draw" in table.loc[2e6, "defined_by"] and "scenario bigger" in table.loc[2e6, "defined_by"]
    assert list(table["draws"]) == [3] * 4 and list(table["solved"]) == [3] * 4
    every = seen.probability[(seen.probability["element"] == "all") & (seen.probability["condition"] == "")]
    assert list(every["budget_usd"]) == [0.0, 5000.0, 1e6] and list(every["year"]) == [2025] * 3
    for infix in ("full", "99", "95"):
        assert list(every[f"probability_{infix}"]) == [0.0, 0.0, 1.0]
    assert every["probability_full_low"].iloc[2] == pytest.approx(3 / (3 + 1.6448536**2), abs=1e-6)
    a = seen.probability[seen.probability["element"] == "A"]
    assert list(a["probability_full"]) == [0.0, 0.0, 1.0]
    assert list(a["clean_share_p50"]) == [approx(0), approx(0.5), approx(1)]
    assert (seen.draws, seen.seed, seen.rows) == (3, 7, 1)


def test_draws_that_did_not_solve_prove_nothing_of_the_budget(tmp_path, rechain):
    """Time limit 0: only budget 0's draws solve (presolve alone: nothing can be built). The budgets
    whose draws did not solve are each solved for themselves — none takes another's draws as if its
    budget bound in no draw — and the report counts the failed draws in its exit code (3)."""
    folder = outlook_world(tmp_path)
    seen = outlook(load_workbook(folder), folder, 2025, 2, 0, SolveOptions(time_limit=0.0), 1)
    assert list(seen.budgets["solved"]) == [2, 0, 0, 0]
    assert not seen.budgets["defined_by"].str.contains("bound in no draw").any()
    result = rechain("report", folder, "--out", tmp_path / "out", "--draws", "2", "--time-limit", "0")
    assert result.returncode == 3
    assert "no draw solved (0 of 2 draws solved)" in (tmp_path / "out" / "findings.md").read_text()


def test_outlook_counts_failures_by_hand(tmp_path):
    """Plant fails with probability 1: no draw is ever clean at any budget; premium 0 (both plans
    buy from CN)."""
    folder = outlook_world(tmp_path, "failure.separation,bernoulli,1,,,\n")
    seen = outlook(load_workbook(folder), folder, 2025, 2, 0, DEFAULT_OPTIONS, 1, deadlines=(2025,))
    assert set(seen.probability["probability_full"]) == {0.0}
    assert list(seen.budgets["premium_p50_usd"]) == [approx(0)] * 4


def test_no_uncertainty_sheet_or_no_draws_no_outlook(tmp_path, rechain):
    folder = outlook_world(tmp_path)
    seen = outlook(load_workbook(folder), folder, 2025, 0, 0, DEFAULT_OPTIONS, 1)
    assert seen.budgets.empty and seen.rows == 1
    result = rechain("report", folder, "--out", tmp_path / "zero", "--draws", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nothing was drawn: `--draws 0` was asked for." in (tmp_path / "zero" / "findings.md").read_text()
    (folder / "uncertainty.csv").unlink()
    seen = outlook(load_workbook(folder), folder, 2025, 5, 0, DEFAULT_OPTIONS, 1)
    assert seen.budgets.empty and seen.rows == 0


def test_definitions_of_clean(tmp_path):
    """Blocs allied, china, partner; allied protected, china restricted. Definitions: the settings'
    (china), allied-only (china and partner), and a scenario's restricted_blocs equal to the
    settings' merges with it rather than repeating."""
    folder = world(tmp_path, CERTAIN)
    (folder / "nodes.csv").write_text("node,bloc\nMine,allied\nPlant,allied\nCN,china\nBuyer,allied\nP,partner\n")
    (folder / "scenarios.csv").write_text(
        'scenario,key,value\nsame,restricted_blocs,china\nwide,restricted_blocs,"china, partner"\n'
    )
    wb = load_workbook(folder)
    found = definitions(wb, subject_of(wb))
    assert [(rule, source) for _, rule, source in found] == [
        ({}, "settings; scenario same"),
        ({"restricted_blocs": "china, partner"}, "report; scenario wide"),
    ]
    assert found[1][0] == "allied-only: every bloc but allied restricted"


def test_comparators_beside_per_kg_premiums(tmp_path):
    """The deadline row's per-kg premium (+80) and its range over the cost-factor rows (48 to 95)
    stand beside the comparator; an element the model has no premium for shows none."""
    folder = world(tmp_path, CERTAIN)
    (folder / "comparators.csv").write_text(
        "element,comparator,premium_low_usd_per_kg,premium_high_usd_per_kg,source\n"
        "A,floor over China,59,,brief\nA,incentive,24,54,brief\n"
    )
    wb = load_workbook(folder)
    deadlines = pd.DataFrame(
        {"independence_year": [None, 2030], "status": ["optimal"] * 2, "premium_usd_per_kg.A": [None, 80.0]}
    )
    factors = pd.DataFrame({"premium_usd_per_kg.A": [48.0, 95.0, None]})
    table = comparator_table(wb, deadlines, factors, 2030)
    assert table[["premium_low_usd_per_kg", "premium_high_usd_per_kg", "model_usd_per_kg"]].values.tolist() == [
        [59.0, 59.0, 80.0],
        [24.0, 54.0, 80.0],
    ]
    assert list(table["model_low_usd_per_kg"]) == [48.0, 48.0] and list(table["model_high_usd_per_kg"]) == [95.0] * 2


def test_claims_take_their_scenarios_figures(tmp_path):
    folder = outlook_world(tmp_path)
    (folder / "claims.csv").write_text(
        "claim,evidence,verdict,scenario,source\n"
        "a quarter,a third,not found,cap,WSJ\n34 countries,54,not found as 34,,State\n"
    )
    wb = load_workbook(folder)
    scenarios = pd.DataFrame(
        [
            {
                "scenario": "cap",
                "status": "optimal",
                "system_cost_vs_base_usd": 2500.0,
                "capex_usd": 5000.0,
                "protected_capex_usd": 5000.0,
                "shortfall_t": 5.0,
            }
        ]
    )
    table = claim_table(wb, scenarios)
    assert table["system_cost_vs_base_usd"].tolist()[0] == 2500.0 and pd.isna(table["status"].tolist()[1])
    assert table["verdict"].tolist() == ["not found", "not found as 34"]


def test_report_is_byte_identical_run_to_run(tmp_path, rechain):
    """Same workbook, same options: every file the same bytes, with 1 worker or 2 (no timestamp in
    the report; xlsx entries carry a fixed time). The outlook is in findings.md with its draws and seed."""
    folder = outlook_world(tmp_path)
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        result = rechain(
            "report", str(folder), "--out", str(out), "--draws", "2", "--seed", "3", "--workers", str(workers)
        )
        assert result.returncode == 0, result.stdout + result.stderr
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted(p.name for p in outs[1].iterdir()) and "findings_tables_outlook.csv" in names
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    text = (outs[0] / "findings.md").read_text()
    assert "2 draws per budget, seed 3" in text
    assert unquoted(outs[0]) == []
    assert "written_utc" not in (outs[0] / "findings_tables_run.csv").read_text()
