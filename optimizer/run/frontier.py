"""The two cost-frontier tables users quote.

- cost of independence: least system cost as α falls from 1 to 0;
- independence a budget buys: for each budget, the smallest α reachable with
  no shortfall (α a variable: minimise α, then the cost at that α).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..models.figures import Figures, Premium, column, ends_columns, per_kg_premium
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.solution import Solution
from ..models.variants import Variant
from ..workbook.cases import Overrides
from ..workbook.validate import Workbook
from .sweep import PointResult, solve_points
from .warm import Models

Row = dict[str, Any]  # a row of a frontier table
OnRow = Callable[[Row], object] | None  # told of each row as it comes
OnSheetRow = Callable[[str, Row], object] | None  # told of each row and its table

SHEETS = ("cost_of_independence", "budget_frontier")
OPTIMAL = Status.OPTIMAL.value
BUDGET_SLACK = 1e-9  # relative; with 1 USD, far above HiGHS's feasibility tolerance (1e-7 million USD)


def cost_of_independence(
    wb: Workbook,
    scenario: str | None,
    overrides: Overrides,
    points: int = 11,
    cost_factor: float | None = None,
    options: SolveOptions = DEFAULT_OPTIONS,
    on_result: OnRow = None,
    cache: dict[Any, Any] | None = None,
) -> pd.DataFrame:
    """Least system cost as α falls from 1 to 0; a point that did not solve keeps
    its `status` and `reason` and no figures. `cache` (run.sweep.solve_points) keeps the
    built model for the next call (another cost factor is a warm re-solve)."""
    alphas = [1 - i / (points - 1) for i in range(points)] if points > 1 else [0.0]
    extra = {} if cost_factor is None else {"restricted_cost_factor": float(cost_factor)}
    grid = [{"max_restricted_share": a} | extra for a in alphas]
    rows: list[Row] = []
    free: list[Figures] = []  # the figures of the α = 1 point, once solved

    def add(r: PointResult) -> None:
        rows.append(_independence_row(r, float(r.point["max_restricted_share"]), cost_factor, free))
        if on_result:
            on_result(rows[-1])

    solve_points(wb, scenario, overrides, grid, options, add, cache=cache)
    return pd.DataFrame(rows)


def _independence_row(r: PointResult, alpha: float, cost_factor: float | None, free: list[Figures]) -> Row:
    """A row of the cost of independence; the premiums are measured from the α = 1 point (`free`)."""
    row: Row = {
        "restricted_cost_factor": cost_factor,
        "alpha": alpha,
        "clean_required_share": 1 - alpha,
        "status": r.row["status"],
    }
    if r.figures is None:
        return row | {"reason": r.row.get("reason", "")}
    fig = r.figures
    if alpha == 1 and not free:
        free.append(fig)
    cost, base = fig.system_cost_usd, free[0].system_cost_usd if free else None
    premiums = _premiums(fig, free[0] if free else None)
    row.update(
        {
            "system_cost_usd": cost,
            "objective_usd": fig.objective_usd,
            "premium_usd": None if base is None else cost - base,
            "premium_share": None if not base else (cost - base) / base,
            **{column("premium_usd_per_kg", e): p.value for e, p in premiums.items()},
            **{k: v for e, p in premiums.items() for k, v in ends_columns("premium_usd_per_kg", e, p.ends).items()},
            "capex_usd": fig.capex_usd,
            "budget_capex_usd": fig.budget_capex_usd,
            "shortfall_t": fig.shortfall_t,
            "shortfall_priced": r.row["shortfall_priced"],
            "unmet_t": fig.unmet_t,
            **{column("marginal_supply_cost_mean_usd_per_kg", e, point=True): v for e, v in _means(fig).items()},
        }
    )
    row.update({column("clean_premium_usd_per_t", e): v for e, v in (fig.clean_premium_usd_per_t or {}).items()})
    return row


def _means(fig: Figures) -> Mapping[str, float]:
    return fig.marginal_supply_cost_mean_usd_per_kg


def _premiums(fig: Figures, base: Figures | None) -> dict[str, Premium]:
    """Per element the per-kg premium of the mean marginal supply cost over the α = 1 point's
    (figures.per_kg_premium, each mean one value; None where that point has none). The α = 1
    point's mean counts as unique for the other points."""
    found = {}
    ends = fig.marginal_supply_cost_mean_range_usd_per_kg
    for e, v in _means(fig).items():
        b = None if base is None else _means(base).get(e)
        if base is None or b is None:
            found[e] = Premium(None)
        else:
            found[e] = per_kg_premium([(v, ends.get(e))], [(b, ends.get(e) if base is fig else None)])
    return found


def budget_frontier(
    wb: Workbook,
    scenario: str | None,
    overrides: Overrides,
    budgets: list[float],
    cost_factor: float | None = None,
    options: SolveOptions = DEFAULT_OPTIONS,
    on_result: OnRow = None,
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
    rows: list[Row] = []
    enough: tuple[float, Solution] | None = None
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
    if solution.figures is None or solution.least_alpha is None or solution.least_alpha > 0:
        return False
    return solution.figures.budget_capex_usd < budget - max(BUDGET_SLACK * budget, 1.0)


def _budget_point(solution: Solution) -> Row:
    """Figures of a LEAST_ALPHA solve, or its status and reason."""
    fig = solution.figures
    if fig is None or solution.least_alpha is None:
        return {"status": solution.status.value, "reason": solution.message}
    return {
        "status": solution.run.status,
        "min_alpha": solution.least_alpha,
        "max_clean_share": 1 - solution.least_alpha,
        "system_cost_usd": fig.system_cost_usd,
        "capex_usd": fig.capex_usd,
        "budget_capex_usd": fig.budget_capex_usd,
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
    overrides: Overrides
    points: int = 11
    budget_points: int = 11
    budgets: tuple[float, ...] = ()  # empty: 0 to the capex of full independence (default_budgets)
    options: SolveOptions = DEFAULT_OPTIONS

    def run(self, factor: float | None, cache: dict[Any, Any], on_result: OnSheetRow = None) -> dict[str, list[Row]]:
        """The rows of each table for `factor`; `cache` keeps the built models for the next factor (a warm
        re-solve); `on_result(sheet, row)` sees each row as it comes."""
        rows: dict[str, list[Row]] = {name: [] for name in SHEETS}

        def add(sheet: str) -> Callable[[Row], None]:
            def record(row: Row) -> None:
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
    job: FrontierJob, factors: list[float | None], workers: int = 1, on_result: OnSheetRow = None
) -> tuple[dict[str, list[Row]], bool]:
    """The rows of both tables for every factor in order, and whether the run completed (False after Ctrl-C
    or SIGTERM; finished rows are kept). One worker: in this process, each factor warm from the last, each
    row passed to `on_result(sheet, row)` as it comes; more: one factor per task in worker processes
    (`run.parallel.run_tasks`), `on_result` called for the rows of a factor once it is done."""
    from .parallel import run_tasks

    tell = on_result or (lambda sheet, row: None)
    done: dict[str, list[Row]] = {name: [] for name in SHEETS}
    if workers > 1 and len(factors) > 1:

        def finished(parts: list[dict[str, list[Row]]]) -> None:
            for part in parts:
                for sheet in SHEETS:
                    for row in part[sheet]:
                        tell(sheet, row)

        parts, complete = run_tasks(job, factors, workers, None, finished)
        for sheet in SHEETS:
            done[sheet] = [row for part in parts for row in part[sheet]]
        return done, complete

    def keep(sheet: str, row: Row) -> None:
        done[sheet].append(row)
        tell(sheet, row)

    cache: dict[Any, Any] = {}

    try:
        for factor in factors:
            job.run(factor, cache, keep)
    except KeyboardInterrupt:
        return done, False
    return done, True
