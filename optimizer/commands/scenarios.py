"""`rechain scenarios`: every scenario beside the base case, one table per group."""

from __future__ import annotations

import pandas as pd

from ..exits import say
from ..report.shown import scenarios_columns
from ..report.tables import scenarios_charts, write_tables
from ..run import scenarios as runs
from ..run.outcome import partial_scenarios, required_status
from ..run.parallel import default_workers
from ..run.scenario_groups import GROUPS, group_sheets, titles
from ..workbook.validate import Workbook
from . import common
from .request import Request


def scenarios(request: Request, require_from: int | None, workers: int | None, fail_on_shortfall: bool) -> None:
    names = [*GROUPS, "scenarios"]  # every sheet a scenarios run may write, checked before the workbook is read
    common.guard_tables(request, "scenarios", names, names)
    overrides = request.overrides
    wb = common.load(request.path, None, overrides)
    table, complete = _solve(wb, request, require_from, workers)
    sheets = group_sheets(table)
    if not request.as_json:
        common.print_tables(sheets, {name: scenarios_columns(frame) for name, frame in sheets.items()})
    fields = {"require_from": require_from} if require_from else {}
    man, run = common.run_table(
        request.path, command="scenarios", overrides=dict(overrides), complete=complete, **fields
    )
    if request.out:
        note = common.case_note(wb, None, overrides).replace("base case · ", "")
        charts = scenarios_charts(titles(sheets), note, f"clean from {require_from}" if require_from else "")
        write_tables(request.out, common.stem_of("scenarios", complete), sheets, run, charts, "rechain scenarios")
        say(f"scenarios written to {request.out}")
    if request.as_json:
        common.emit_tables(sheets, man)
    common.finish({"scenarios": table, "required": required_status(table)}, complete, fail_on_shortfall)


def _solve(wb: Workbook, request: Request, require_from: int | None, workers: int | None) -> tuple[pd.DataFrame, bool]:
    """The scenarios' table under a progress bar, and whether every case was solved (False after Ctrl-C: the
    rows solved before it)."""
    rows: list[dict[str, object]] = []
    total = (1 + len(wb.scenario_names)) * (2 if require_from else 1)
    with common.progress(total) as bar:
        task = bar.add_task("scenarios", total=total, last="")

        def on_row(row: dict[str, object]) -> None:
            rows.append(row)
            bar.update(task, advance=1, last=f"{row['scenario']}: {row['status']}")

        try:
            options, workers = request.options, workers or default_workers(total)
            table = runs.compare_scenarios(
                wb, request.overrides, options, on_row, workers=workers, require_from=require_from
            )
        except KeyboardInterrupt:
            return partial_scenarios(wb, rows), False
    return table, True
