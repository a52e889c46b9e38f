"""Run one case end to end: read, validate, build, solve, explain; writing the files is the caller's."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console

from ..base.errors import InputError, Issue
from ..base.files import atomic_path
from ..base.manifest import manifest
from ..models.figures import Notes
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.model import Model
from ..models.solution import Solution
from ..workbook.cases import Overrides, make_dataset
from ..workbook.validate import load_workbook
from .diagnosis import diagnose
from .numerics import penalty_warnings, quality_warnings


def run_case(
    path: Path,
    scenario: str | None,
    overrides: Overrides,
    options: SolveOptions = DEFAULT_OPTIONS,
    progress: Console | None = None,
    write_model: Path | None = None,
    warn: Callable[[str], None] = lambda _: None,
) -> tuple[Solution, dict[str, Any]]:
    """The solution (its summary with the diagnosis and timings) and the run manifest; `warn` is told
    each warning as it is found. Output paths are checked by the caller before this runs."""
    start = time.perf_counter()
    if write_model is not None and Path(write_model).suffix.lower() not in (".mps", ".lp"):
        raise InputError([Issue("--write-model", "a file name ending in .mps or .lp", str(write_model))])
    wb = load_workbook(path)
    warnings = list(wb.warnings)
    dataset = make_dataset(wb, scenario, overrides, warnings)
    warnings += penalty_warnings(dataset)
    read_seconds = time.perf_counter() - start
    for w in warnings:
        warn(w)
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
        warn(w)
    warnings += late
    result = replace(
        result,
        notes=Notes(diagnosis.as_dict() if diagnosis else None, round(read_seconds, 3)),
        tables=result.tables | ({"diagnosis": diagnosis.table()} if diagnosis else {}),
    )
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
    return result, man
