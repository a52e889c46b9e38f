"""`rechain frontier`: the cost of independence and the independence a budget buys, per cost factor."""

from __future__ import annotations

import pandas as pd

from ..exits import say
from ..report.shown import blocs, frontier_charts, frontier_columns
from ..report.tables import write_tables
from ..run.frontier import SHEETS, FrontierJob, frontiers
from ..run.parallel import default_workers
from ..workbook.cases import make_dataset
from ..workbook.keys import parse_numbers
from .common import (
    case_note,
    emit_tables,
    finish,
    guard_tables,
    load,
    print_tables,
    progress,
    run_table,
    settle,
    stem_of,
)
from .request import Request


def frontier(
    request: Request,
    points: int,
    budget_points: int,
    budgets: str | None,
    cost_factors: str | None,
    workers: int | None,
) -> None:
    guard_tables(request, "frontier", SHEETS, SHEETS)
    scenario, overrides = request.scenario, request.overrides
    factors: list[float | None] = [*(parse_numbers("--cost-factors", cost_factors) or ())] or [None]
    budget_grid = parse_numbers("--budgets", budgets)
    wb = load(request.path, scenario, overrides)
    job = FrontierJob(wb, scenario, overrides, points, budget_points, tuple(budget_grid or ()), request.options)
    total = len(factors) * (points + (budget_points if budget_grid is None else len(budget_grid)))
    sheets, complete = _solve(job, factors, total, workers)
    if not request.as_json:
        print_tables(sheets, {name: frontier_columns(frame) for name, frame in sheets.items()})
    fields = {"points": points, "cost_factors": cost_factors or "workbook"}
    man, run = run_table(
        request.path, command="frontier", scenario=scenario, overrides=dict(overrides), **fields, complete=complete
    )
    if request.out:
        group = None if factors == [None] else "restricted_cost_factor"
        note = case_note(wb, scenario, overrides, ("restricted_cost_factor",) if cost_factors else ())
        charts = frontier_charts(group, note, blocs(make_dataset(wb, scenario, overrides)))
        write_tables(request.out, stem_of("frontier", complete), sheets, run, charts, "rechain cost frontiers")
        say(f"frontiers written to {request.out}")
    if request.as_json:
        emit_tables(sheets, man)
    finish(sheets, complete)


def _solve(
    job: FrontierJob, factors: list[float | None], total: int, workers: int | None
) -> tuple[dict[str, pd.DataFrame], bool]:
    """Both frontiers of every cost factor under a progress bar, as tables, and whether all were solved."""
    with progress(total) as bar:
        task = bar.add_task("frontier", total=total, last="")

        def tick(sheet: str, row: dict[str, object]) -> None:
            cost = row.get("system_cost_usd")
            bar.update(task, advance=1, last="" if cost is None or cost != cost else f"last system cost {cost:,.0f}")

        done, complete = frontiers(job, factors, workers or default_workers(len(factors)), tick)
        if complete:
            settle(bar, task)
    if not complete:
        say(f"interrupted: {sum(map(len, done.values()))} of {total} points done")
    return {name: pd.DataFrame(rows) for name, rows in done.items()}, complete
