"""Run one case end to end: read, validate, build, solve, extract, write."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from ..workbook.cases import make_dataset
from .diagnosis import diagnose
from ..errors import InputError, Issue
from .numerics import penalty_warnings, quality_warnings
from ..report.writers import atomic_path, check_target, manifest, save_json, save_xlsx, write_files
from ..models.solution import SolveResult, extract
from ..models.highs import CaseSolver, SolveOptions
from ..report.tables import Chart, _excel_charts
from ..workbook.validate import load_workbook

RESULT_FILES = ("results.xlsx", "summary.json")
RESULT_SHEETS = ("diagnosis", "costs", "capacity", "capacity_by_bloc", "builds", "throughput", "flows", "unmet",
                 "independence", "clean_share", "duals", "binding_capacity")


def run_case(path: Path, scenario: str | None, overrides: tuple, out: Path | None,
             options: SolveOptions = SolveOptions(), progress: Console | None = None,
             write_model: Path | None = None) -> tuple[SolveResult, dict]:
    start = time.perf_counter()
    for target in (out, write_model):
        if target is not None:
            check_target(target, [path])
    if write_model is not None and Path(write_model).suffix.lower() not in (".mps", ".lp"):
        raise InputError([Issue("--write-model", "a file name ending in .mps or .lp", str(write_model))])
    wb = load_workbook(path)
    warnings = list(wb.warnings)
    dataset = make_dataset(wb, scenario, overrides, warnings)
    warnings += penalty_warnings(dataset)
    read_seconds = time.perf_counter() - start
    warn = progress or Console(stderr=True)
    for w in warnings:
        warn.print(f"[yellow]warning[/]: {w}")
    status = progress.status("building the model") if progress else None
    if status:
        status.start()
    try:
        solver = CaseSolver(dataset, options)
        if write_model is not None:
            with atomic_path(Path(write_model)) as tmp:
                solver.write_model(tmp)
        if status:
            status.update("solving with HiGHS")
        outcome = solver.solve()
        result = extract(solver.built, outcome, solver.build_seconds)
        if status:
            status.update("explaining unmet demand / shortfall")
        diagnosis = diagnose(dataset, result, options)
    finally:
        if status:
            status.stop()
    late = quality_warnings(result.summary)
    for w in late:
        warn.print(f"[yellow]warning[/]: {w}")
    warnings += late
    result.summary["diagnosis"] = diagnosis.as_dict() if diagnosis else None
    if diagnosis:
        result.tables["diagnosis"] = diagnosis.table()
    result.summary["read_seconds"] = round(read_seconds, 3)
    write_start = time.perf_counter()
    man = manifest(path, scenario=scenario, overrides=dict(overrides), status=result.status.value,
                   message=result.message, solve_seconds=result.summary["solve_seconds"],
                   build_seconds=result.summary["build_seconds"], read_seconds=round(read_seconds, 3),
                   warnings=warnings)
    if out is not None:
        write_results(Path(out), result, man)
    result.summary["write_seconds"] = round(time.perf_counter() - write_start, 3)
    return result, man


def summary_table(result: SolveResult, man: dict):
    import pandas as pd

    rows = [(k, v) for k, v in result.summary.items() if not isinstance(v, dict)]
    rows += [(f"{part}_{kind}_usd", value) for part, kinds in result.summary.get("costs_usd", {}).items()
             for kind, value in kinds.items()]
    rows += [(f"clean_premium_usd_per_t.{e}", v) for e, v in result.summary.get("clean_premium_usd_per_t", {}).items()]
    return pd.DataFrame([(k, v if isinstance(v, (int, float, str)) or v is None else str(v)) for k, v in rows],
                        columns=["item", "value"])


def run_table(man: dict):
    import pandas as pd

    flat = []
    for k, v in man.items():
        if isinstance(v, dict):
            flat += [(f"{k}.{kk}", str(vv)) for kk, vv in v.items()]
        else:
            flat.append((k, "; ".join(v) if isinstance(v, list) else v))
    return pd.DataFrame(flat, columns=["item", "value"])


RESULT_CHARTS = (
    Chart("capacity_by_bloc", "year", "capacity_tpa", "Capacity in service by stage and bloc", "stage_bloc",
          "year", "capacity in service (t/yr)"),
    Chart("clean_share", "year", "clean_share", "Clean share of protected demand by element", "element",
          "year", "clean share of protected demand"),
)


def write_results(out: Path, result: SolveResult, man: dict) -> None:
    sheets = {"summary": summary_table(result, man)}
    sheets.update({name: result.tables[name] for name in RESULT_SHEETS if name in result.tables})
    sheets["run"] = run_table(man)
    charts = [c for c in RESULT_CHARTS if c.sheet in sheets]
    xlsx, summary = (out / name for name in RESULT_FILES)
    write_files({xlsx: lambda tmp: save_xlsx(tmp, sheets, _excel_charts(charts, sheets)),
                 summary: lambda tmp: save_json(tmp, result.summary | {"run": man})})
