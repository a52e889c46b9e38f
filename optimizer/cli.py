"""The `rechain` command line: one error formatter, exit codes from the result.

Exit codes: 0 optimal · 1 internal error · 2 input error · 3 no optimal solution.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from .errors import InputError
from .outputs import OutputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Plan rare-earth supply chains with a transparent linear program.")
err = Console(stderr=True, highlight=False)
state = {"debug": False}

Workbook = Annotated[Optional[Path], typer.Argument(
    help="Input .xlsx workbook or folder of CSV files (default: the shipped reference workbook).",
    show_default=False)]
Scenario = Annotated[Optional[str], typer.Option("--scenario", help="Apply one scenario of the scenarios sheet.")]
Sets = Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting or scenario key: KEY=VALUE "
                                                   "(repeatable).")]
Out = Annotated[Optional[Path], typer.Option("--out", help="Folder to write results into.")]
TimeLimit = Annotated[Optional[float], typer.Option("--time-limit", help="Solver time limit in seconds.")]
Threads = Annotated[Optional[int], typer.Option("--threads", help="Solver threads.")]


def reference_workbook() -> Path:
    from importlib.resources import files

    return Path(str(files("inputs") / "reference.xlsx"))


def parse_sets(values: list[str] | None) -> tuple[tuple[str, str], ...]:
    pairs, bad = [], []
    for item in values or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            bad.append(item)
        else:
            pairs.append((key.strip(), value.strip()))
    if bad:
        from .errors import Issue
        raise InputError([Issue("--set", "KEY=VALUE", repr(b)) for b in bad])
    return tuple(pairs)


@app.callback()
def main_options(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False):
    state["debug"] = debug


@app.command()
def validate(workbook: Workbook = None,
             strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False):
    """Check a workbook and every scenario in it; print all problems (exit 2 on errors)."""
    from .cases import make_dataset
    from .validate import load_workbook

    path = workbook or reference_workbook()
    wb = load_workbook(path)
    warnings = list(wb.warnings)
    issues = []
    for scenario in [None, *sorted(wb.scenarios)]:
        try:
            make_dataset(wb, scenario, warnings=warnings if scenario is None else None)
        except InputError as exc:
            issues += [i for i in exc.issues if i not in issues]
    for w in warnings:
        err.print(f"[yellow]warning[/]: {w}")
    if issues:
        raise InputError(issues)
    if strict and warnings:
        err.print(f"[red]{len(warnings)} warning(s) with --strict[/]")
        raise typer.Exit(2)
    err.print(f"[green]{path.name}: valid[/] — {len(wb.nodes)} nodes, {len(wb.stages)} stages, "
              f"{len(wb.facilities)} facilities, {len(wb.demand)} demand rows, {len(wb.scenarios)} scenarios")


@app.command()
def solve(workbook: Workbook = None, scenario: Scenario = None, set_: Sets = None, out: Out = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print only the summary JSON on stdout.")] = False,
          time_limit: TimeLimit = None, threads: Threads = None):
    """Solve one case and report the plan."""
    from .run import run_case
    from .terminal import print_summary

    path = workbook or reference_workbook()
    overrides = parse_sets(set_)
    console = Console(stderr=True) if as_json else Console()
    result, man = run_case(path, scenario, overrides, out, time_limit, threads,
                           progress=None if as_json else console)
    if as_json:
        sys.stdout.write(json.dumps(result.summary | {"run": man}, default=str) + "\n")
    else:
        print_summary(console, result, man)
        if out:
            console.print(f"results written to [bold]{out}[/]")
    if not result.optimal:
        err.print(f"[red]no optimal solution[/]: {result.status.value} ({result.message})")
        raise typer.Exit(3)


@app.command()
def template(path: Annotated[Path, typer.Argument(help="Where to write the empty workbook (.xlsx).")]):
    """Write an empty workbook with every sheet and column, documented."""
    from .template import write_template

    write_template(path)
    err.print(f"template written to [bold]{path}[/]")


def main() -> None:
    """Entry point: one error formatter for every command."""
    start = time.perf_counter()
    try:
        code = app(standalone_mode=False)
    except InputError as exc:
        for w in exc.warnings:
            err.print(f"[yellow]warning[/]: {w}")
        err.print(f"[bold red]input error[/] ({len(exc.issues)} problem{'s' if len(exc.issues) != 1 else ''}):")
        for issue in exc.issues:
            err.out(f"  - {issue}", highlight=False)
        sys.exit(2)
    except OutputError as exc:
        err.print(f"[bold red]output error[/]: {exc}")
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        sys.exit(130)
    except Exception as exc:  # click usage errors and internal errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(2)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        if state["debug"]:
            raise
        err.print(f"[bold red]internal error[/]: {type(exc).__name__}: {exc} "
                  f"(after {time.perf_counter() - start:.1f} s; run with --debug for the traceback)")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
