"""`rechain validate`: every problem of a workbook, its scenarios and its uncertainty sheet."""

from __future__ import annotations

from pathlib import Path

import typer

from ..base.errors import InputError
from ..exits import EXIT_INPUT, say
from ..workbook.read import read_tables
from ..workbook.uncertainty import case_issues
from ..workbook.validate import validate_tables


def validate(path: Path, strict: bool) -> None:
    tables = read_tables(path)
    wb, problems = validate_tables(tables)
    problems.raise_if_any()
    assert wb is not None
    warnings = list(wb.warnings)
    issues = case_issues(wb, tables.get("uncertainty"), warnings)
    for w in warnings:
        say(f"warning: {w}")
    if issues:
        raise InputError(issues)
    if strict and warnings:
        say(f"{len(warnings)} warning(s) with --strict")
        raise typer.Exit(EXIT_INPUT)
    say(
        f"{path.name}: valid — {len(wb.nodes)} nodes, {len(wb.stages)} stages, {len(wb.facilities)} facilities, "
        f"{len(wb.demand)} demand rows, {len(wb.scenarios)} scenarios"
    )
