"""The report's "What committing costs" worked by hand: the outlook's draws at its chart budget solved
again in commit mode beside replan (run.commitment, report.commitment).

The world: Mine (allied, 100 tpa, free) feeds Plant (allied separation, built at 1,000 USD/tpa) or
Backup (allied separation, built at 3,000 USD/tpa); lead time 0, lifetime 1 (no salvage); Buyer
(allied) needs 10 t in 2025; all clean required (α = 0); CN (china) has no facility; no discounting; unmet demand
costs 1e7 USD/t in the objective, nothing in system cost. Six draws, seed 0.
"""

import pandas as pd
import pytest
from rechain.models.highs import DEFAULT_OPTIONS
from rechain.run.commitment import COMMITMENT_COLUMNS, commitment
from rechain.run.outlook import outlook
from rechain.workbook.validate import load_workbook

from quoted import unquoted

FILES = {
    "settings": "key,value\nfirst_year,2025\nlast_year,2025\nmax_restricted_share,0\n",
    "nodes": "node,bloc\nMine,allied\nPlant,allied\nBackup,allied\nBuyer,allied\nCN,china\n",
    "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
    "facilities": (
        "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years\n"
        "Mine,mining,100,,0,0,1\nPlant,separation,0,1000,0,0,1\nBackup,separation,0,3000,0,0,1\n"
    ),
    "composition": "node,element,share\nMine,A,1\n",
    "demand": "node,element,year,demand_t\nBuyer,A,2025,10\n",
}
FAILS = "failure.Plant.separation,bernoulli,0.4,,,\n"
OVERRUNS = 'capex_overrun.Plant.separation,discrete,"1:0.6, 2:0.4",,,\n'
DRAWS = 6


def world(tmp_path, uncertainty: str, budget: float):
    folder = tmp_path / "world"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / f"{name}.csv").write_text(text)
    (folder / "uncertainty.csv").write_text("target,distribution,p1,p2,p3,shared\n" + uncertainty)
    (folder / "scenarios.csv").write_text(f"scenario,key,value\nbudget,budget_usd,{budget:g}\n")
    return folder


def solved(folder):
    """The outlook (budgets 0 and the scenario's) and the commitment at its chart budget (the scenario's)."""
    seen = outlook(load_workbook(folder), folder, 2025, DRAWS, 0, DEFAULT_OPTIONS, 1, deadlines=(2025,))
    drawn = seen.chart.result["draws"]
    return seen, commitment(seen.chart, DRAWS, 2025, 1), drawn


def rows(c):
    return c.table.set_index("mode")


def test_commit_leaves_unmet_what_replan_rebuilds(tmp_path):
    """Plant fails with p = 0.4 (most likely: it does not), budget 40,000. Let k be the draws in which it
    fails (read from the sampled values).
    - replan: Plant works: 10 tpa at Plant, 10,000; Plant fails: 10 tpa at Backup, 30,000; never unmet,
      the requirement met in every draw; mean system cost (10,000 (6 − k) + 30,000 k) / 6.
    - commit: the plan is made with Plant working (10 tpa at Plant, 10,000, within 40,000: never an
      overrun); where Plant fails it delivers nothing and no other build is allowed: 10 t unmet, the
      requirement not met; system cost 10,000 in every draw (nothing is paid for unmet demand).
    - commit − replan: requirement met −k, expected system cost −20,000 k / 6; median unmet 10 t when
      k > 3 (0 when k < 3)."""
    seen, c, drawn = solved(world(tmp_path, FAILS, 40_000))
    k = int(drawn["failure.Plant.separation"].sum())
    assert 0 < k < DRAWS and k != DRAWS / 2  # the seed gives a case that tells the modes apart
    t = rows(c)
    assert list(c.table.columns) == COMMITMENT_COLUMNS and c.budget == 40_000
    assert list(t["budget_usd"]) == [40_000] * 3 and list(t["draws"].iloc[:2]) == [DRAWS, DRAWS]
    assert list(t["requirement_met"]) == [DRAWS, DRAWS - k, -k]
    assert t.loc["commit", "probability_requirement_met"] == pytest.approx((DRAWS - k) / DRAWS)
    replanned = round((10_000 * (DRAWS - k) + 30_000 * k) / DRAWS)
    assert t.loc["replan", "system_cost_mean_usd"] == replanned
    assert t.loc["commit", "system_cost_mean_usd"] == 10_000
    assert t.loc["commit − replan", "system_cost_mean_usd"] == 10_000 - replanned
    assert t.loc["replan", "unmet_p50_t"] == 0 and t.loc["commit", "unmet_p50_t"] == (10 if k > 3 else 0)
    assert t.loc["commit", "unmet_p90_t"] == 10
    assert t.loc["commit", "capex_p50_usd"] == 10_000
    assert t.loc["commit", "probability_committed_overruns_budget"] == 0
    assert pd.isna(t.loc["replan", "probability_committed_overruns_budget"])
    year = c.by_year.iloc[0]
    assert year["year"] == 2025 and year["draws"] == DRAWS
    assert (year["probability_replan"], year["probability_commit"]) == (1.0, pytest.approx((DRAWS - k) / DRAWS))
    assert c.unsolved == 0 and seen.chart.budget == 40_000


def test_committed_overruns_cost_more_than_replanning(tmp_path):
    """Plant's capex doubles with p = 0.4 (most likely ×1), budget 10,000; k draws double it.
    - commit: the plan builds 10 tpa at Plant for 10,000 (the budget exactly); where it doubles, the
      committed spending is 20,000 > 10,000: an overrun in k of 6 draws; never unmet; mean system cost
      (10,000 (6 − k) + 20,000 k) / 6; median capex 10,000 (k < 3).
    - replan: where it doubles, 10,000 buys 5 tpa at Plant (Backup at 3,000 buys less): 5 t unmet, the
      requirement not met; system cost 10,000 in every draw.
    - commit − replan: +10,000 k / 6 of expected system cost, requirement met +k."""
    _, c, drawn = solved(world(tmp_path, OVERRUNS, 10_000))
    k = int((drawn["capex_overrun.Plant.separation"] == 2).sum())
    assert 0 < k < DRAWS / 2
    t = rows(c)
    assert t.loc["commit", "probability_committed_overruns_budget"] == pytest.approx(k / DRAWS)
    assert t.loc["commit", "system_cost_mean_usd"] == round((10_000 * (DRAWS - k) + 20_000 * k) / DRAWS)
    assert t.loc["replan", "system_cost_mean_usd"] == 10_000
    assert t.loc["commit − replan", "system_cost_mean_usd"] == round(10_000 * k / DRAWS)
    assert list(t["requirement_met"]) == [DRAWS - k, DRAWS, k]
    assert t.loc["commit", "unmet_p90_t"] == 0 and t.loc["replan", "unmet_p90_t"] == 5
    assert t.loc["commit", "capex_p50_usd"] == 10_000


def test_no_draws_no_commitment():
    c = commitment(None, 40, 2035, 1)
    assert c.table.empty and c.by_year.empty and c.unsolved == 0 and c.budget is None


def test_report_says_what_committing_costs(tmp_path, rechain):
    """The FAILS world through `rechain report`: with seed 0 Plant fails in k = 4 of the 6 draws (the
    sampled values, first test), so committing costs 10,000 − (10,000 · 2 + 30,000 · 4) / 6 = −13,333
    ("$13.33 k less") and leaves 10 t unmet in the median draw (k > 3); the section and its tables are
    written, and every number of the headline stands in the tables."""
    folder = world(tmp_path, FAILS, 40_000)
    out = tmp_path / "out"
    result = rechain("report", folder, "--out", out, "--draws", str(DRAWS))
    assert result.returncode == 0, result.stdout + result.stderr
    text = (out / "findings.md").read_text()
    assert "## What committing costs (budget $40.00 k, clean from 2025)" in text
    assert "re-planning costs $13.33 k less in expected system cost** ($10.00 k against $23.33 k" in text
    assert "**and leaves 10 t unmet in the median draw.**" in text
    assert f"in 2 of {DRAWS} draws, against {DRAWS} of {DRAWS} when each draw is re-planned" in text
    assert "--mode hedge --draws 6 --seed 0" in text and "budget_usd=40000.0 --any-price`" in text
    assert unquoted(out) == []
    table = pd.read_csv(out / "findings_tables_commitment.csv")
    assert list(table["mode"]) == ["replan", "commit", "commit − replan"]
    assert (out / "findings_tables_commitment_by_year.csv").exists()
