"""The two cost-frontier tables users quote.

- cost of independence: least system cost as α falls from 1 to 0;
- independence a budget buys: for each budget, the smallest α reachable with
  no shortfall (α a variable: minimise α, then the cost at that α).
"""

from __future__ import annotations

import math

import pandas as pd
import pyomo.environ as pyo

from models.dataset import MONEY

from .cases import make_dataset
from .results import capex_spent
from .solve import CaseSolver, SolveOptions, Status
from .sweep import solve_points
from .validate import Workbook

ALPHA_SLACK = 1e-7


def _fmt(x: float) -> str:
    return repr(float(x))


def cost_of_independence(wb: Workbook, scenario, overrides, points: int = 11, cost_factor: float | None = None,
                         options: SolveOptions = SolveOptions(), on_result=None) -> pd.DataFrame:
    alphas = [1 - i / (points - 1) for i in range(points)] if points > 1 else [0.0]
    extra = {} if cost_factor is None else {"restricted_cost_factor": _fmt(cost_factor)}
    grid = [{"max_restricted_share": _fmt(a)} | extra for a in alphas]
    results = solve_points(wb, scenario, overrides, grid, options,
                           None if on_result is None else lambda r: on_result(r.row))
    rows, base = [], None
    for a, r in zip(alphas, results):
        row = {"restricted_cost_factor": cost_factor, "alpha": a, "clean_required_share": 1 - a,
               "status": r.row["status"]}
        if r.row["status"] == Status.OPTIMAL.value:
            cost = r.row["system_cost_usd"]
            base = cost if base is None and a == 1 else base
            premiums = {k.split(".")[1]: [] for k in r.row if k.startswith("clean_premium.")}
            for k, v in r.row.items():
                if k.startswith("clean_premium.") and v is not None:
                    premiums[k.split(".")[1]].append(v)
            row.update({"system_cost_usd": cost, "objective_usd": r.row["objective_usd"],
                        "premium_usd": None if base is None else cost - base,
                        "premium_share": None if not base else (cost - base) / base,
                        "capex_usd": r.row["capex_usd"], "budget_capex_usd": r.row["budget_capex_usd"],
                        "shortfall_t": r.row["shortfall_t"],
                        "unmet_t": r.row["unmet_t"]})
            for e, values in premiums.items():
                row[f"clean_premium_usd_per_t.{e}"] = sum(values) / len(values) if values else None
        rows.append(row)
    return pd.DataFrame(rows)


def budget_frontier(wb: Workbook, scenario, overrides, budgets: list[float], cost_factor: float | None = None,
                    options: SolveOptions = SolveOptions(), on_result=None) -> pd.DataFrame:
    """Smallest α with no shortfall for each budget, then the least cost at that α."""
    extra = () if cost_factor is None else (("restricted_cost_factor", _fmt(cost_factor)),)
    ds = make_dataset(wb, scenario, tuple(overrides) + extra + (("budget_usd", _fmt(budgets[0])),))
    solver = CaseSolver(ds, options, alpha_variable=True)
    m = solver.built.model
    for s in m.s.values():
        s.fix(0)
    cost_objective = m.objective
    m.min_alpha = pyo.Objective(expr=m.alpha_var)
    rows = []
    for budget in budgets:
        m.budget = budget * MONEY
        m.alpha_var.unfix()
        cost_objective.deactivate()
        m.min_alpha.activate()
        first = solver.solve()
        row = {"restricted_cost_factor": cost_factor, "budget_usd": budget, "status": first.status.value}
        if first.status is Status.OPTIMAL:
            alpha = min(1.0, max(0.0, pyo.value(m.alpha_var)))
            m.alpha_var.fix(min(1.0, alpha + ALPHA_SLACK))
            m.min_alpha.deactivate()
            cost_objective.activate()
            second = solver.solve()
            row["status"] = second.status.value
            if second.status is Status.OPTIMAL:
                penalty = sum(pyo.value(m.discount[y]) * pyo.value(m.unmet_cost[y]) for y in m.Y) / MONEY
                row.update({"min_alpha": alpha, "max_clean_share": 1 - alpha,
                            "system_cost_usd": pyo.value(cost_objective) / MONEY - penalty,
                            "capex_usd": capex_spent(solver.built),
                            "budget_capex_usd": capex_spent(solver.built, budget_only=True)})
        rows.append(row)
        if on_result:
            on_result(row)
    return pd.DataFrame(rows)


def default_budgets(independence: pd.DataFrame, points: int = 11) -> list[float]:
    """0 → the capex of the cheapest fully clean plan (α = 0 without a budget)."""
    full = independence.loc[independence["alpha"] == independence["alpha"].min(), "budget_capex_usd"]
    top = float(full.iloc[0]) if len(full) and not math.isnan(full.iloc[0]) else 0.0
    return [top * i / (points - 1) for i in range(points)] if points > 1 else [top]
