"""`rechain sweep`: a grid of parameter values, solved point by point under a progress bar."""

from __future__ import annotations

from ..base.errors import InputError, Issue
from ..exits import say, stopped
from ..report.shown import sweep_charts, sweep_columns
from ..report.tables import write_tables
from ..run import parallel
from ..run.outcome import sweep_table
from ..run.sweep import grid, validate_points
from ..workbook.keys import parse_params
from .common import case_note, emit_tables, finish, guard_tables, load, print_tables, progress, run_table
from .common import stem_of as stem
from .request import Request


def sweep(request: Request, param: list[str] | None, workers: int | None, scheduler: str | None, fail: bool) -> None:
    guard_tables(request, "sweep", ["sweep"], ["sweep"])
    params = parse_params(param or [])
    if not params:
        raise InputError([Issue("--param", "at least one KEY=SPEC", "none")])
    path, scenario, overrides = request.path, request.scenario, request.overrides
    wb = load(path, scenario, overrides)
    points = grid(params)
    validate_points(wb, scenario, overrides, points)
    with progress(len(points)) as bar:
        task = bar.add_task("sweep", total=len(points), last="")

        def on_row(rows: list[dict[str, float | None]]) -> None:
            last = rows[-1].get("objective_usd")
            bar.update(task, advance=len(rows), last="" if last is None else f"last objective {last:,.0f}")

        job = (wb, scenario, overrides, points, request.options, workers, scheduler, on_row)
        rows, complete = parallel.run_points(*job)
    table = sweep_table(rows, list(params))
    if not complete:
        say(f"{stopped()}: {len(rows)} of {len(points)} points done, partial")
    if not request.as_json:
        print_tables({"sweep": table}, {"sweep": sweep_columns(table, list(params))})
    grid_text = {k: ",".join(v) for k, v in params.items()}
    fields = {"scenario": scenario, "overrides": dict(overrides), "grid": grid_text, "points": len(points)}
    man, run = run_table(path, command="sweep", **fields, points_done=len(rows), complete=complete)
    if request.out:
        charts = sweep_charts(table, list(params), case_note(wb, scenario, overrides, tuple(params)))
        write_tables(request.out, stem("sweep", complete), {"sweep": table}, run, charts, "rechain sweep")
        say(f"sweep written to {request.out}")
    if request.as_json:
        emit_tables({"sweep": table}, man)
    finish({"sweep": table}, complete, fail)
