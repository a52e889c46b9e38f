"""`rechain solve`: one case, its plan on the terminal or as JSON, its results in --out."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from ..exits import EXIT_NOT_SOLVED, EXIT_SHORTFALL, emit_json, say
from ..models.figures import Notes
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.solution import Solution
from ..report.results import RESULT_FILES, write_results
from ..report.terminal import print_summary
from ..report.text import say as said
from ..run.outcome import SHORTFALL_TOLERANCE
from ..run.solve import run_case
from .common import guard_outputs
from .request import Request


def solve(request: Request, write_model: Path | None, fail_on_shortfall: bool) -> None:
    path, out, scenario = request.path, request.out, request.scenario
    targets = [out / name for name in RESULT_FILES] if out else []
    extra = [write_model] if write_model else []
    guard_outputs([path], targets + extra, out, stems=RESULT_FILES, force=request.force)
    overrides = request.overrides
    console = Console(stderr=True) if request.as_json else Console()
    progress = None if request.as_json else console
    result, man = solve_case(path, scenario, overrides, out, request.options, progress, write_model)
    if request.as_json:
        emit_json(result.summary | {"run": man})
    else:
        applied = [f"scenario {scenario}"] if scenario else ["base case"]
        applied += [f"--set {k}={v}" for k, v in overrides]
        console.print("case: " + "; ".join(applied), markup=False, highlight=False)
        print_summary(console, result, man)
        if out:
            console.print(f"results written to {out}", markup=False, highlight=False)
    if not result.optimal:
        say(f"no optimal solution: {result.status.value} ({result.message})")
        raise typer.Exit(EXIT_NOT_SOLVED)
    unmet, short = result.summary["unmet_t"], result.summary["shortfall_t"]
    if fail_on_shortfall and (unmet > SHORTFALL_TOLERANCE or short > SHORTFALL_TOLERANCE):
        say(f"demand unmet ({unmet:,.1f} t) or independence shortfall ({short:,.1f} t) (exit {EXIT_SHORTFALL})")
        raise typer.Exit(EXIT_SHORTFALL)


def solve_case(
    path: Path,
    scenario: str | None,
    overrides: tuple[tuple[str, str], ...],
    out: Path | None,
    options: SolveOptions = DEFAULT_OPTIONS,
    progress: Console | None = None,
    write_model: Path | None = None,
) -> tuple[Solution, dict[str, Any]]:
    """`run_case` with its warnings said on `progress` (else stderr) and, when `out` is given, its files
    written there (results.xlsx, summary.json); the summary also says how long writing took."""
    console = progress or Console(stderr=True)
    result, man = run_case(
        path, scenario, overrides, options, progress, write_model, lambda w: said(console, "warning", "yellow", w)
    )
    start = time.perf_counter()
    if out is not None:
        write_results(Path(out), result, man)
    notes = replace(result.notes or Notes(), write_seconds=round(time.perf_counter() - start, 3))
    return replace(result, notes=notes), man
