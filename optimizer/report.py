"""The headline answer (`rechain report`): every number from a solve in this run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .cases import make_dataset
from .frontier import budget_frontier, cost_of_independence
from .outputs import write_markdown
from .results import extract
from .solve import CaseSolver, SolveOptions
from .tables_out import Chart, markdown_table, write_tables
from .terminal import usd
from .validate import Workbook

DEADLINES = (2030, 2035, 2040)
COST_FACTORS = (1.0, 0.667, 0.5, 0.333, 0.25)
BUDGETS = (0.0, 1e9, 2.5e9, 5e9, 8.5e9, 2e10, 7.5e10, 3e11)
FRONTIER_YEAR = 2035
PREMIUM_ALPHAS = (0.1, 0.5)  # at alpha = 0 the requirement equals demand and its dual is not unique


def _solve(wb: Workbook, scenario=None, options=SolveOptions(), **overrides):
    ds = make_dataset(wb, scenario, tuple((k, repr(v) if isinstance(v, float) else str(v))
                                          for k, v in overrides.items()))
    solver = CaseSolver(ds, options)
    return extract(solver.built, solver.solve(), solver.build_seconds)


def headline(wb: Workbook, options, tick) -> tuple[pd.DataFrame, dict]:
    base = _solve(wb, options=options)
    tick()
    rows, solved = [], {}
    for year in DEADLINES:
        r = _solve(wb, options=options, max_restricted_share=0.0, independence_year=year)
        tick()
        solved[year] = r
        s = r.summary
        rows.append({"china_free_from": year, "status": s["status"], "system_cost_usd": s.get("system_cost_usd"),
                     "premium_usd": s.get("system_cost_usd", 0) - base.summary["system_cost_usd"],
                     "premium_share": (s.get("system_cost_usd", 0) - base.summary["system_cost_usd"])
                     / base.summary["system_cost_usd"],
                     "capex_usd": s.get("capex_usd"), "allied_capex_usd": s.get("budget_capex_usd"),
                     "unmet_t": s.get("unmet_t"), "shortfall_t": s.get("shortfall_t")})
    return pd.DataFrame(rows), {"base": base, **solved}


def binding(result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean premium by element, and the value of capacity by stage and bloc."""
    ind = result.tables["independence"]
    ind = ind[ind["required_clean_t"] > 0]
    premiums = ind.groupby("element").agg(clean_premium_usd_per_t=("clean_premium_usd_per_t", "mean"),
                                          shortfall_t=("shortfall_t", "sum")).reset_index()
    cap = result.tables["binding_capacity"]
    by_stage = (cap.groupby(["stage", "bloc"])["usd_per_tpa"].agg(["count", "mean", "max"]).reset_index()
                .rename(columns={"count": "binding_facility_years", "mean": "mean_usd_per_tpa",
                                 "max": "max_usd_per_tpa"}))
    return premiums, by_stage


def write_report(wb: Workbook, path: Path, out: Path, man: dict, options=SolveOptions(), progress=None) -> None:
    names = wb.scenario_names
    total = 1 + len(DEADLINES) + len(PREMIUM_ALPHAS) + 2 * len(COST_FACTORS) + len(BUDGETS) + 1 + len(names)
    done = [0]

    def tick(*_):
        done[0] += 1
        if progress:
            progress(done[0], total)

    deadlines, solved = headline(wb, options, tick)
    _, stages = binding(solved[FRONTIER_YEAR])
    premium_tables = []
    for alpha in PREMIUM_ALPHAS:
        premium_tables.append(binding(_solve(wb, options=options, max_restricted_share=alpha,
                                             independence_year=FRONTIER_YEAR))[0])
        tick()
    premiums, mid_premiums = premium_tables
    factors = pd.concat([cost_of_independence(wb, None, (("independence_year", str(FRONTIER_YEAR)),), 2, f,
                                              options, tick) for f in COST_FACTORS], ignore_index=True)
    factors = factors[factors["alpha"] == 0][["restricted_cost_factor", "system_cost_usd", "premium_usd",
                                             "premium_share", "capex_usd"]]
    buys = budget_frontier(wb, None, (("independence_year", str(FRONTIER_YEAR)),), list(BUDGETS), None, options, tick)
    scen = []
    for name in [None] + names:
        r = _solve(wb, name, options)
        tick()
        s = r.summary
        scen.append({"scenario": name or "base", "status": s["status"], "system_cost_usd": s.get("system_cost_usd"),
                     "capex_usd": s.get("capex_usd"), "unmet_t": s.get("unmet_t"),
                     "shortfall_t": s.get("shortfall_t")})
    scen = pd.DataFrame(scen)
    scen["system_cost_vs_base_usd"] = scen["system_cost_usd"] - scen["system_cost_usd"].iloc[0]
    sheets = {"deadlines": deadlines, "cost_factor": factors.reset_index(drop=True), "budgets": buys,
              "clean_premium_90pct": premiums, "clean_premium_50pct": mid_premiums, "binding_stages": stages,
              "scenarios": scen}
    charts = [Chart("budgets", "budget_usd", "max_clean_share", f"Independence a budget buys (from {FRONTIER_YEAR})",
                    None, "allied budget (USD, nominal)", "largest clean share of allied demand, no shortfall"),
              Chart("cost_factor", "restricted_cost_factor", "premium_usd",
                    f"Premium of a China-free chain from {FRONTIER_YEAR} vs China's cost factor", None,
                    "China's cost factor (0.25 = four times cheaper)", "premium over unconstrained (USD)")]
    from .run import run_table
    write_tables(out, "findings_tables", sheets, run_table(man), charts, "rechain findings: tables")
    write_markdown(out / "findings.md", _findings_md(deadlines, factors, buys, premiums, mid_premiums, stages, scen,
                                                     solved["base"], man))


def _findings_md(deadlines, factors, buys, premiums, mid_premiums, stages, scen, base, man) -> str:
    d = deadlines.set_index("china_free_from")
    lines = [
        "# What a China-free rare-earth chain costs — findings from the reference model", "",
        f"Generated by `rechain report` from `{man['input']}` (SHA-256 `{man['input_sha256'][:16]}…`), "
        f"rechain {man['versions'].get('rechain')}, Pyomo {man['versions'].get('pyomo')}, "
        f"HiGHS (highspy) {man['versions'].get('highspy')}, on {man['written_utc']}. "
        "Every number below comes from a solve in that run.", "",
        "## Headline", "",
        f"- Unconstrained plan (cheapest chain, China allowed): system cost {usd(base.summary['system_cost_usd'])} "
        "(discounted, 2025–2040).",
    ]
    for year in d.index:
        row = d.loc[year]
        lines.append(f"- Fully China-free for allied demand from {year}: {usd(row['system_cost_usd'])}, a premium of "
                     f"{usd(row['premium_usd'])} ({row['premium_share']:.1%}); nominal capex {usd(row['capex_usd'])}, "
                     f"of which allied {usd(row['allied_capex_usd'])}; shortfall {row['shortfall_t']:,.0f} t, "
                     f"unmet {row['unmet_t']:,.0f} t.")
    lines += ["", "## Cost of a China-free chain by deadline", "", markdown_table(deadlines), "",
              "A shortfall means the requirement cannot be met in time at any price (lead times and ore bind).", "",
              f"## Sensitivity to China's cost advantage (China-free from {FRONTIER_YEAR})", "",
              markdown_table(factors), "",
              "![premium vs cost factor](findings_tables_cost_factor.png)", "",
              f"## The independence each budget level buys (from {FRONTIER_YEAR})", "",
              markdown_table(buys), "",
              "![independence a budget buys](findings_tables_budgets.png)", "",
              "## Where it binds", "",
              "Clean premium (shadow price of the independence requirement, discounted USD per t of clean supply, "
              f"mean over {FRONTIER_YEAR}-2040) when 90% and when 50% of allied demand must be clean. (At 100% the "
              "requirement equals demand and the premium is not unique.)", "",
              markdown_table(premiums), "", markdown_table(mid_premiums), "",
              "Binding capacity by stage (shadow price of one more t/yr of capacity in a year, discounted USD):", "",
              markdown_table(stages), "",
              "## Scenarios", "", markdown_table(scen), "",
              "## What the model does not capture", "",
              "- Prices, market reactions and stockpiles: demand is fixed and met at least cost.",
              "- Permitting, financing and skills risk beyond the stated lead times; capacity never retires.",
              "- Clean means 'never touched a restricted node': ore or processing in non-allied countries counts "
              "as clean.",
              "- Recycling and undocumented output (demand is calibrated to documented supply; see the workbook's "
              "sources sheet).", ""]
    return "\n".join(lines)
