"""The two cost-frontier tables users quote.

- cost of independence: least system cost as α falls from 1 to 0;
- independence a budget buys: for each budget, the smallest α reachable with
  no shortfall (α a variable: minimise α, then the cost at that α).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.model import Variant
from ..models.solution import (
    MSC_HIGH,
    MSC_LOW,
    MSC_UNIQUE,
    PER_KG_HIGH,
    PER_KG_LOW,
    PER_KG_UNIQUE,
    Solution,
    one_value,
)
from ..workbook.validate import Workbook
from .sweep import solve_points
from .warm import Models

SHEETS = ("cost_of_independence", "budget_frontier")
MSC = "marginal_supply_cost_usd_per_kg."  # a sweep row's mean over the years from the independence year
OPTIMAL = Status.OPTIMAL.value
BUDGET_SLACK = 1e-9  # relative; with 1 USD, far above HiGHS's feasibility tolerance (1e-7 million USD)


def cost_of_independence(
    wb: Workbook,
    scenario,
    overrides,
    points: int = 11,
    cost_factor: float | None = None,
    options: SolveOptions = DEFAULT_OPTIONS,
    on_result=None,
    cache: dict | None = None,
) -> pd.DataFrame:
    """Least system cost as α falls from 1 to 0; a point that did not solve keeps
    its `status` and `reason` and no figures. `cache` (run.sweep.solve_points) keeps the
    built model for the next call (another cost factor is a warm re-solve)."""
    alphas = [1 - i / (points - 1) for i in range(points)] if points > 1 else [0.0]
    extra = {} if cost_factor is None else {"restricted_cost_factor": float(cost_factor)}
    grid = [{"max_restricted_share": a} | extra for a in alphas]
    rows: list[dict] = []

    def add(r) -> None:
        rows.append(_independence_row(r.row, r.point["max_restricted_share"], cost_factor, rows))
        if on_result:
            on_result(rows[-1])

    solve_points(wb, scenario, overrides, grid, options, add, cache=cache)
    return pd.DataFrame(rows)


def _independence_row(point: dict, alpha: float, cost_factor: float | None, before: list[dict]) -> dict:
    """A row of the cost of independence; the premium is measured from the α = 1 row before it."""
    row = {
        "restricted_cost_factor": cost_factor,
        "alpha": alpha,
        "clean_required_share": 1 - alpha,
        "status": point["status"],
    }
    if point["status"] != Status.OPTIMAL.value:
        return row | {"reason": point.get("reason", "")}
    cost = point["system_cost_usd"]
    free = point if alpha == 1 else next((r for r in before if r["alpha"] == 1 and r["status"] == OPTIMAL), None)
    base = None if free is None else free["system_cost_usd"]
    msc = {k.removeprefix(MSC): v for k, v in point.items() if k.startswith(MSC)}
    row.update(
        {
            "system_cost_usd": cost,
            "objective_usd": point["objective_usd"],
            "premium_usd": None if base is None else cost - base,
            "premium_share": None if not base else (cost - base) / base,
            **premiums_per_kg(msc, None if free is None else {e: free.get(f"{MSC}{e}") for e in msc}),
            **premium_ends(point, free),
            "capex_usd": point["capex_usd"],
            "budget_capex_usd": point["budget_capex_usd"],
            "shortfall_t": point["shortfall_t"],
            "shortfall_priced": point["shortfall_priced"],
            "unmet_t": point["unmet_t"],
            **{f"{MSC}{e}": v for e, v in msc.items()},
        }
    )
    row.update({k: v for k, v in point.items() if k.startswith("clean_premium_usd_per_t.")})
    return row


def premium_ends(point: dict, free: dict | None) -> dict[str, float | bool | None]:
    """Where the mean marginal cost of the point or of its α = 1 row is not unique (`marginal_supply_cost_unique.<e>`
    False), the per-kg premium is not either: `premium_unique.<e>` False and its ends
    `premium_low_usd_per_kg.<e>` = low(point) − high(free), `premium_high_usd_per_kg.<e>` = high(point) − low(free)
    (a unique mean is both its ends; None: no finite end); ends within 0.1% of the larger mean are one value."""
    if free is None:
        return {}
    row: dict[str, float | bool | None] = {}
    for e in (k.removeprefix(MSC) for k in point if k.startswith(MSC)):
        if _unique(point, e) and _unique(free, e):
            continue
        low, high = (_end(point, p, e) for p in (MSC_LOW, MSC_HIGH))
        free_low, free_high = (_end(free, p, e) for p in (MSC_LOW, MSC_HIGH))
        ends = (
            None if low is None or free_high is None else low - free_high,
            None if high is None or free_low is None else high - free_low,
        )
        scale = max(abs(_end(point, MSC, e) or 0.0), abs(_end(free, MSC, e) or 0.0))
        if not one_value(*ends, scale):
            row |= {f"{PER_KG_UNIQUE}{e}": False, f"{PER_KG_LOW}{e}": ends[0], f"{PER_KG_HIGH}{e}": ends[1]}
    return row


def _unique(row: dict, e: str) -> bool:
    flag = row.get(f"{MSC_UNIQUE}{e}", True)
    return True if flag is None or pd.isna(flag) else bool(flag)


def _end(row: dict, prefix: str, e: str) -> float | None:
    """An end of a sweep row's mean marginal cost: the end where not unique, else the mean itself."""
    value = row.get(f"{MSC}{e}") if _unique(row, e) else row.get(f"{prefix}{e}")
    return None if value is None or pd.isna(value) else float(value)


def premiums_per_kg(msc: dict[str, float], free: dict[str, float | None] | None) -> dict[str, float | None]:
    """`premium_usd_per_kg.<e>`: the change in marginal supply cost against the unconstrained
    case (undiscounted USD per kg of protected demand, mean over the years from the independence
    year); None where the unconstrained case has none."""
    row = {}
    for e, v in msc.items():
        base = (free or {}).get(e)
        row[f"premium_usd_per_kg.{e}"] = None if base is None or v is None else v - base
    return row


def budget_frontier(
    wb: Workbook,
    scenario,
    overrides,
    budgets: list[float],
    cost_factor: float | None = None,
    options: SolveOptions = DEFAULT_OPTIONS,
    on_result=None,
    models: Models | None = None,
) -> pd.DataFrame:
    """Smallest α with no shortfall for each budget, then the least cost at that α (one
    LEAST_ALPHA model, its budget updated point by point; `models`, of that variant, keeps
    it for the next call: another cost factor is a warm re-solve). Once a budget reaches α = 0
    and does not bind (`unbound`), every larger budget has that same plan: it is not solved again."""
    if not budgets:
        return pd.DataFrame(columns=["restricted_cost_factor", "budget_usd", "status"])
    models = models or Models(wb, options, Variant.LEAST_ALPHA)
    extra = () if cost_factor is None else (("restricted_cost_factor", float(cost_factor)),)
    rows, enough = [], None
    for budget in budgets:
        if enough is None or budget < enough[0]:
            solution = models.solve(scenario, (*overrides, *extra, ("budget_usd", float(budget))))
            enough = (budget, solution) if unbound(solution, budget) else enough
        else:
            solution = enough[1]
        row = {"restricted_cost_factor": cost_factor, "budget_usd": budget} | _budget_point(solution)
        rows.append(row)
        if on_result:
            on_result(row)
    return pd.DataFrame(rows)


def unbound(solution: Solution, budget: float) -> bool:
    """α = 0 and the budget does not bind (its capex below the budget by more than BUDGET_SLACK of it
    and 1 USD): a larger budget keeps this plan optimal (the least α is 0 at its bound; relaxing a row
    that does not bind leaves an optimal LP plan optimal)."""
    if not solution.optimal or solution.least_alpha is None or solution.least_alpha > 0:
        return False
    return solution.summary["budget_capex_usd"] < budget - max(BUDGET_SLACK * budget, 1.0)


def _budget_point(solution: Solution) -> dict:
    """Figures of a LEAST_ALPHA solve, or its status and reason."""
    if not solution.optimal:
        return {"status": solution.status.value, "reason": solution.message}
    s = solution.summary
    return {
        "status": s["status"],
        "min_alpha": solution.least_alpha,
        "max_clean_share": 1 - solution.least_alpha,
        "system_cost_usd": s["system_cost_usd"],
        "capex_usd": s["capex_usd"],
        "budget_capex_usd": s["budget_capex_usd"],
    }


def default_budgets(independence: pd.DataFrame, points: int = 11) -> list[float]:
    """0 → the capex of the cheapest fully clean plan (α = 0 without a budget). If
    that point did not solve, up to the largest budget capex of the points that did."""
    solved = independence[independence["status"] == Status.OPTIMAL.value]
    capex = solved.get("budget_capex_usd", pd.Series(dtype=float)).dropna()
    full = capex[solved.loc[capex.index, "alpha"] == independence["alpha"].min()]
    top = float(full.iloc[0]) if len(full) else float(capex.max()) if len(capex) else 0.0
    if top <= 0 or points <= 1:
        return [top]
    return [top * i / (points - 1) for i in range(points)]


@dataclass(frozen=True)
class FrontierJob:
    """Both frontiers of one restricted cost factor: a task of `run.parallel.run_tasks`."""

    wb: Workbook
    scenario: str | None
    overrides: tuple
    points: int = 11
    budget_points: int = 11
    budgets: tuple[float, ...] = ()  # empty: 0 to the capex of full independence (default_budgets)
    options: SolveOptions = DEFAULT_OPTIONS

    def run(self, factor: float | None, cache: dict, on_result: Callable | None = None) -> dict[str, list[dict]]:
        """The rows of each table for `factor`; `cache` keeps the built models for the next factor (a warm
        re-solve); `on_result(sheet, row)` sees each row as it comes."""
        rows: dict[str, list[dict]] = {name: [] for name in SHEETS}

        def add(sheet: str) -> Callable[[dict], None]:
            def record(row: dict) -> None:
                rows[sheet].append(row)
                if on_result:
                    on_result(sheet, row)

            return record

        if "models" not in cache:
            cache["models"] = Models(self.wb, self.options, Variant.LEAST_ALPHA)
        args = (self.wb, self.scenario, self.overrides)
        points = cache.setdefault("points", {})
        table = cost_of_independence(*args, self.points, factor, self.options, add(SHEETS[0]), points)
        grid = list(self.budgets) or default_budgets(table, self.budget_points)
        budget_frontier(*args, grid, factor, self.options, add(SHEETS[1]), cache["models"])
        return rows


def frontiers(
    job: FrontierJob, factors: list, workers: int = 1, on_result: Callable | None = None
) -> tuple[dict[str, list[dict]], bool]:
    """The rows of both tables for every factor in order, and whether the run completed (False after Ctrl-C
    or SIGTERM; finished rows are kept). One worker: in this process, each factor warm from the last, each
    row passed to `on_result(sheet, row)` as it comes; more: one factor per task in worker processes
    (`run.parallel.run_tasks`), `on_result` called for the rows of a factor once it is done."""
    from .parallel import run_tasks

    tell = on_result or (lambda sheet, row: None)
    done: dict[str, list[dict]] = {name: [] for name in SHEETS}
    if workers > 1 and len(factors) > 1:

        def finished(parts: list[dict]) -> None:
            for part in parts:
                for sheet in SHEETS:
                    for row in part[sheet]:
                        tell(sheet, row)

        parts, complete = run_tasks(job, factors, workers, None, finished)
        for sheet in SHEETS:
            done[sheet] = [row for part in parts for row in part[sheet]]
        return done, complete

    def keep(sheet: str, row: dict) -> None:
        done[sheet].append(row)
        tell(sheet, row)

    cache: dict = {}
    try:
        for factor in factors:
            job.run(factor, cache, keep)
    except KeyboardInterrupt:
        return done, False
    return done, True
