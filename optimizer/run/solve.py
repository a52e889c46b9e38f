"""Run one case end to end: read, validate, build, solve, explain; the files are rechain.report's."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from ..errors import InputError, Issue
from ..models.figures import Notes
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.model import Model
from ..models.solution import Solution
from ..report.results import write_results
from ..report.text import say
from ..report.writers import atomic_path, manifest
from ..workbook.cases import make_dataset
from ..workbook.validate import load_workbook
from .diagnosis import diagnose
from .numerics import penalty_warnings, quality_warnings


def run_case(
    path: Path,
    scenario: str | None,
    overrides: tuple,
    out: Path | None,
    options: SolveOptions = DEFAULT_OPTIONS,
    progress: Console | None = None,
    write_model: Path | None = None,
) -> tuple[Solution, dict]:
    """The solution (its summary with the diagnosis and timings) and the run manifest; files
    written to `out` when given. Output paths are checked by the caller before this runs."""
    start = time.perf_counter()
    if write_model is not None and Path(write_model).suffix.lower() not in (".mps", ".lp"):
        raise InputError([Issue("--write-model", "a file name ending in .mps or .lp", str(write_model))])
    wb = load_workbook(path)
    warnings = list(wb.warnings)
    dataset = make_dataset(wb, scenario, overrides, warnings)
    warnings += penalty_warnings(dataset)
    read_seconds = time.perf_counter() - start
    warn = progress or Console(stderr=True)
    for w in warnings:
        say(warn, "warning", "yellow", w)
    status = progress.status("building the model") if progress else None
    if status:
        status.start()
    try:
        model = Model(dataset, options=options)
        if write_model is not None:
            with atomic_path(Path(write_model)) as tmp:
                model.write(tmp)
        if status:
            status.update("solving with HiGHS")
        result = model.solve()
        if status:
            status.update("explaining unmet demand / shortfall")
        diagnosis = diagnose(dataset, result, options)
    finally:
        if status:
            status.stop()
    late = quality_warnings(result.summary)
    for w in late:
        say(warn, "warning", "yellow", w)
    warnings += late
    result = replace(
        result,
        notes=Notes(diagnosis.as_dict() if diagnosis else None, round(read_seconds, 3)),
        tables=result.tables | ({"diagnosis": diagnosis.table()} if diagnosis else {}),
    )
    write_start = time.perf_counter()
    man = manifest(
        path,
        scenario=scenario,
        overrides=dict(overrides),
        status=result.status.value,
        message=result.message,
        solve_seconds=result.summary["solve_seconds"],
        build_seconds=result.summary["build_seconds"],
        read_seconds=round(read_seconds, 3),
        warnings=warnings,
    )
    if out is not None:
        write_results(Path(out), result, man)
    notes = replace(result.notes or Notes(), write_seconds=round(time.perf_counter() - write_start, 3))
    return replace(result, notes=notes), man
