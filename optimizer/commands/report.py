"""`rechain report`: findings.md, its charts and tables, from fresh solves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..base.manifest import manifest
from ..exits import say
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..report.findings import same_draws, write_findings
from ..run.findings import report_tables
from ..run.parallel import default_workers
from ..run.risk import check_draw_count
from ..workbook.uncertainty import scipy_stats
from ..workbook.validate import Workbook, load_workbook
from .common import emit_tables, guard_outputs, not_solved, print_tables, progress, settle, with_any_price
from .request import Request


def report(request: Request, workers: int | None, draws: int, seed: int) -> None:
    check_draw_count(draws, least=0)
    path, out = request.path, request.out
    assert out is not None
    scipy_stats()  # the outlook's draws need it: stop before any solve
    guard_outputs([path], [out / "findings.md"], out, stems=("findings",), force=request.force)
    wb = with_any_price(load_workbook(path), request.any_price)
    man = manifest(path, command="report", stamp=False)
    shown: dict[str, pd.DataFrame] = {}
    with progress(1) as bar:
        task = bar.add_task("report", total=None, last="")
        failed = write_report(
            wb,
            path,
            out,
            man,
            request.options,
            lambda done, total: bar.update(task, completed=done, total=total, last=""),
            shown.update,
            workers or default_workers(len(wb.scenario_names) + 1),
            draws,
            seed,
        )
        settle(bar, task)
    if request.as_json:
        emit_tables(shown, man | {"findings": str(out / "findings.md"), "draws": draws, "seed": seed})
    else:
        print_tables({name: shown[name] for name in ("deadlines", "budgets") if name in shown})
    say(f"findings written to {out / 'findings.md'}")
    if failed:
        not_solved(failed)


def write_report(
    wb: Workbook,
    path: Path,
    out: Path,
    man: dict[str, Any],
    options: SolveOptions = DEFAULT_OPTIONS,
    progress: Callable[[int, int], None] | None = None,
    show: Callable[[dict[str, pd.DataFrame]], None] | None = None,
    workers: int = 1,
    draws: int = 0,
    seed: int = 0,
) -> int:
    """findings.md, its charts and tables (`run.findings.report_tables`); returns how many points did not
    solve. `show(sheets)` sees the tables before they are written."""
    found = report_tables(wb, path, options, progress, workers, draws, seed)
    sheets = found.sheets | {"outlook": same_draws(found.sheets["outlook"], found.same_draws)}
    if show:
        show(sheets)
    write_findings(out, found.subject, sheets, man | found.facts, found.rows, found.groups)
    return found.failed
