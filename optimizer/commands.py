"""What a command does after its arguments are parsed, where it both runs (rechain.run) and writes
(rechain.report): the face of the house, beside cli.py."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from .models.highs import DEFAULT_OPTIONS, SolveOptions
from .models.solution import Solution
from .report.findings import same_draws, write_findings
from .report.results import write_results
from .report.text import say
from .run.findings import report_tables
from .run.solve import run_case
from .workbook.validate import Workbook


def solve_case(
    path: Path,
    scenario: str | None,
    overrides: tuple,
    out: Path | None,
    options: SolveOptions = DEFAULT_OPTIONS,
    progress: Console | None = None,
    write_model: Path | None = None,
) -> tuple[Solution, dict]:
    """`run_case` with its warnings said on `progress` (else stderr) and, when `out` is given, its files
    written there (results.xlsx, summary.json); the summary also says how long writing took."""
    console = progress or Console(stderr=True)
    result, man = run_case(
        path, scenario, overrides, options, progress, write_model, lambda w: say(console, "warning", "yellow", w)
    )
    start = time.perf_counter()
    if out is not None:
        write_results(Path(out), result, man)
    return replace(result, summary=result.summary | {"write_seconds": round(time.perf_counter() - start, 3)}), man


def write_report(
    wb: Workbook,
    path: Path,
    out: Path,
    man: dict,
    options: SolveOptions = DEFAULT_OPTIONS,
    progress=None,
    show=None,
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
