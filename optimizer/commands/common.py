"""What every command shares: the request it was given, the guards before any solve, the progress bar, the
tables it prints or emits, and the exit code of a multi-point run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from ..base.errors import OutputError
from ..base.files import check_outputs
from ..base.manifest import manifest
from ..exits import EXIT_NOT_SOLVED, EXIT_SHORTFALL, emit_json, err, print_input_error, say
from ..report import results, shown
from ..report.tables import table_files
from ..report.terminal import print_frame, stdout_console
from ..run.outcome import failed_points, has_shortfall
from ..run.signals import interrupt_exit_code, stall_error
from ..workbook.cases import make_dataset
from ..workbook.validate import Workbook, load_workbook
from .request import ANY_PRICE, Request


def guard_outputs(
    inputs: list[Path], targets: list[Path], out: Path | None = None, stems: tuple[str, ...] = (), force: bool = False
) -> None:
    """Before any solve: no output may land on an input, every output can be written, and `out` holds no
    other run's results unless `force`."""
    check_outputs(targets, inputs, out, force)
    if out is None:
        return
    resolved = Path(out).resolve()
    for source in inputs:
        source = Path(source).resolve()
        if source.parent == resolved and any(source.name.startswith(stem) for stem in stems):
            raise OutputError(
                f"{source}: refusing to write outputs named {', '.join(s + '*' for s in stems)} "
                "into the folder of this input; choose another --out"
            )


def guard_tables(request: Request, stem: str, sheets: Sequence[str], charts: Sequence[str] = ()) -> None:
    """guard_outputs for a command that writes tables `stem_*` into --out, read from the request's workbook."""
    out = request.out
    guard_outputs([request.path], table_targets(out, stem, sheets, charts), out, (stem,), request.force)


def table_targets(out: Path | None, stem: str, sheets: Sequence[str], charts: Sequence[str] = ()) -> list[Path]:
    if out is None:
        return []
    return [*table_files(out, stem, sheets, charts), *table_files(out, stem_of(stem, False), sheets, charts)]


def refuse_existing(path: Path, force: bool) -> None:
    if Path(path).is_dir():
        raise OutputError(f"{path} is a folder; give a file name ending in .xlsx")
    if Path(path).exists() and not Path(path).is_file():
        raise OutputError(f"{path} is a device, pipe or socket, never replaced; give a file name ending in .xlsx")
    if Path(path).exists() and not force:
        raise OutputError(f"{path} exists; pass --force to replace it")


def load(path: Path, scenario: str | None, overrides: tuple[tuple[str, str], ...]) -> Workbook:
    """The validated workbook, with the case (scenario + overrides) checked once."""
    wb = load_workbook(path)
    make_dataset(wb, scenario, overrides)
    return wb


def with_any_price(wb: Workbook, any_price: bool) -> Workbook:
    """The workbook with the setting shortfall_at_any_price = TRUE (--any-price), for every case of it."""
    if not any_price:
        return wb
    return replace(wb, settings=wb.settings | {ANY_PRICE[0]: (True, "--any-price")})


def case_note(
    wb: Workbook, scenario: str | None, overrides: tuple[tuple[str, str], ...], swept: tuple[str, ...] = ()
) -> str:
    """The case a chart shows, in words (`report.shown.case_note`) for this workbook's case."""
    return shown.case_note(make_dataset(wb, scenario, overrides), scenario, overrides, swept)


def progress(total: int) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        console=err(),
        transient=False,
    )


def settle(bar: Progress, task: TaskID) -> None:
    """A finished run's bar ends at the work done: its total was an estimate made before the run knew
    which solves it would re-use or skip (report: cases solved ahead once; frontier: a budget grid of one
    point when the clean plan needs no capex)."""
    done = next(t.completed for t in bar.tasks if t.id == task)
    bar.update(task, total=done, completed=done)


def run_table(path: Path, **fields: Any) -> tuple[dict[str, Any], pd.DataFrame]:
    """The run's manifest and its table."""
    man = manifest(path, **fields)
    return man, results.run_table(man)


def stem_of(stem: str, complete: bool) -> str:
    return stem if complete else f"{stem}_incomplete"


def print_tables(tables: dict[str, pd.DataFrame], columns: dict[str, list[str]] | None = None) -> None:
    for name, frame in tables.items():
        picked = frame if not columns or name not in columns else frame[[c for c in columns[name] if c in frame]]
        print_frame(stdout_console(), picked, name)


def emit_tables(tables: dict[str, pd.DataFrame], man: dict[str, Any]) -> None:
    """--json of a multi-point command: every table and the run, as one JSON document on stdout."""
    emit_json(shown.records(tables, man))


def finish(tables: dict[str, pd.DataFrame], complete: bool, fail_on_shortfall: bool = False) -> None:
    """Exit code of a multi-point command: interrupted (or a stalled scheduler), failed points, shortfall, else 0."""
    if not complete:
        stall = stall_error()
        if stall is not None:
            print_input_error(stall)
        raise typer.Exit(interrupt_exit_code())
    failed = sum(failed_points(t) for t in tables.values())
    if failed:
        not_solved(failed)
    if fail_on_shortfall and any(has_shortfall(t) for t in tables.values()):
        say(f"demand unmet or independence shortfall in at least one point (exit {EXIT_SHORTFALL})")
        raise typer.Exit(EXIT_SHORTFALL)


def not_solved(failed: int) -> None:
    say(f"{failed} point(s) did not solve: marked in every table and chart (exit {EXIT_NOT_SOLVED})")
    raise typer.Exit(EXIT_NOT_SOLVED)
