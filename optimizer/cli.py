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
Method = Annotated[str, typer.Option("--method", help="HiGHS method: auto (simplex below 100,000 columns, "
                                     "interior point above), simplex or ipm.")]


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
    for scenario in [None, *wb.scenario_names]:
        try:
            make_dataset(wb, scenario, warnings=warnings)
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
          time_limit: TimeLimit = None, threads: Threads = None, method: Method = "auto",
          write_model: Annotated[Optional[Path], typer.Option("--write-model", help="Also write the LP to "
                                                             "FILE.mps or FILE.lp for another solver.")] = None):
    """Solve one case and report the plan."""
    from .run import run_case
    from .solve import SolveOptions
    from .terminal import print_summary

    if method not in ("auto", "simplex", "ipm"):
        from .errors import Issue
        raise InputError([Issue("--method", "auto, simplex or ipm", method)])
    path = workbook or reference_workbook()
    overrides = parse_sets(set_)
    console = Console(stderr=True) if as_json else Console()
    result, man = run_case(path, scenario, overrides, out, SolveOptions(time_limit, threads, method),
                           progress=None if as_json else console, write_model=write_model)
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


Params = Annotated[list[str], typer.Option("--param", help="KEY=SPEC, SPEC a list 0,5e9,1e10 or a range "
                                           "start:stop:count (repeatable; the grid is their product).")]
Workers = Annotated[Optional[int], typer.Option("--workers", help="Processes (default: CPU cores, at most one "
                                                "per point).")]
Scheduler = Annotated[Optional[str], typer.Option("--scheduler", help="Address of a dask.distributed scheduler "
                                                  "to run the chunks on.")]


def _progress(total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    TextColumn("{task.fields[last]}"), console=err, transient=False)


def _run_table(path: Path, **fields):
    from .outputs import manifest
    from .run import run_table

    man = manifest(path, **fields)
    return man, run_table(man)


@app.command()
def sweep(workbook: Workbook = None, param: Params = None, scenario: Scenario = None, set_: Sets = None,
          out: Out = None, workers: Workers = None, scheduler: Scheduler = None, time_limit: TimeLimit = None,
          threads: Threads = None):
    """Solve a grid of parameter values, warm-starting each point from the last."""
    from .cases import make_dataset
    from .outputs import check_target
    from .parallel import run_points
    from .solve import SolveOptions
    from .sweep import grid, parse_params, validate_points
    from .tables_out import Chart, write_tables
    from .terminal import print_frame, stdout_console
    from .validate import load_workbook

    import pandas as pd

    path = workbook or reference_workbook()
    if out:
        check_target(out, [path])
    params = parse_params(param or [])
    if not params:
        from .errors import Issue
        raise InputError([Issue("--param", "at least one KEY=SPEC", "none")])
    overrides = parse_sets(set_)
    wb = load_workbook(path)
    make_dataset(wb, scenario, overrides)
    points = grid(params)
    validate_points(wb, scenario, overrides, points)
    with _progress(len(points)) as progress:
        task = progress.add_task("sweep", total=len(points), last="")

        def on_row(rows):
            last = rows[-1].get("objective_usd")
            progress.update(task, advance=len(rows), last="" if last is None else f"last objective {last:,.0f}")

        rows, complete = run_points(wb, scenario, overrides, points, SolveOptions(time_limit, threads), workers,
                                    scheduler, on_row)
    table = pd.DataFrame(rows)
    if not complete:
        err.print(f"[yellow]interrupted: {len(rows)} of {len(points)} points done[/]")
    first = next(iter(params))
    if out:
        man, run = _run_table(path, command="sweep", scenario=scenario, overrides=dict(overrides),
                              grid={k: ",".join(v) for k, v in params.items()}, points=len(points),
                              complete=complete)
        charts = [Chart("sweep", first, "system_cost_usd", f"System cost by {first}",
                        None if len(params) == 1 else list(params)[1])] if "system_cost_usd" in table else []
        write_tables(out, "sweep", {"sweep": table}, run, charts, "rechain sweep")
        err.print(f"sweep written to [bold]{out}[/]")
    else:
        shown = [c for c in table.columns if c in params or c in ("status", "system_cost_usd", "capex_usd",
                                                                     "shortfall_t", "unmet_t")]
        print_frame(stdout_console(), table[shown])
    if not complete:
        raise typer.Exit(130)


@app.command()
def frontier(workbook: Workbook = None, scenario: Scenario = None, set_: Sets = None, out: Out = None,
             points: Annotated[int, typer.Option("--points", min=2, help="Points of alpha from 1 to 0.")] = 11,
             budget_points: Annotated[int, typer.Option("--budget-points", min=2, help="Points of the budget grid.")] = 11,
             budgets: Annotated[Optional[str], typer.Option("--budgets", help="Budget grid (list or start:stop:count); "
                                                           "default 0 to the capex of full independence.")] = None,
             cost_factors: Annotated[Optional[str], typer.Option("--cost-factors", help="Repeat for each "
                                                                "restricted_cost_factor, e.g. 1,0.5,0.25.")] = None,
             time_limit: TimeLimit = None, threads: Threads = None):
    """The cost of independence and the independence a budget buys."""
    import pandas as pd

    from .cases import make_dataset
    from .frontier import budget_frontier, cost_of_independence, default_budgets
    from .outputs import check_target
    from .solve import SolveOptions
    from .sweep import parse_spec
    from .tables_out import Chart, write_tables
    from .terminal import print_frame, stdout_console
    from .validate import load_workbook

    path = workbook or reference_workbook()
    if out:
        check_target(out, [path])
    overrides = parse_sets(set_)
    wb = load_workbook(path)
    make_dataset(wb, scenario, overrides)
    factors = [None] if not cost_factors else [float(v) for v in parse_spec("restricted_cost_factor", cost_factors)]
    budget_grid = None if budgets is None else [float(v) for v in parse_spec("budget_usd", budgets)]
    options = SolveOptions(time_limit, threads)
    costs, buys = [], []
    total = len(factors) * (points + (budget_points if budget_grid is None else len(budget_grid)))
    with _progress(total) as progress:
        task = progress.add_task("frontier", total=total, last="")

        def tick(row: dict):
            cost = row.get("system_cost_usd")
            progress.update(task, advance=1, last="" if cost is None else f"last system cost {cost:,.0f}")

        for factor in factors:
            table = cost_of_independence(wb, scenario, overrides, points, factor, options, tick)
            costs.append(table)
            grid_ = budget_grid or default_budgets(table, budget_points)
            buys.append(budget_frontier(wb, scenario, overrides, grid_, factor, options, tick))
    sheets = {"cost_of_independence": pd.concat(costs, ignore_index=True),
              "budget_frontier": pd.concat(buys, ignore_index=True)}
    group = None if factors == [None] else "restricted_cost_factor"
    charts = [Chart("cost_of_independence", "clean_required_share", "system_cost_usd",
                    "Cost of independence", group, "clean share required (1 - alpha)", "system cost (USD)"),
              Chart("budget_frontier", "budget_usd", "max_clean_share", "Independence a budget buys", group,
                    "budget (USD)", "largest clean share with no shortfall")]
    if out:
        man, run = _run_table(path, command="frontier", scenario=scenario, overrides=dict(overrides),
                              points=points, cost_factors=cost_factors or "workbook")
        write_tables(out, "frontier", sheets, run, charts, "rechain cost frontiers")
        err.print(f"frontiers written to [bold]{out}[/]")
    else:
        for name, frame in sheets.items():
            print_frame(stdout_console(), frame, name)


@app.command()
def scenarios(workbook: Workbook = None, set_: Sets = None, out: Out = None, time_limit: TimeLimit = None,
              threads: Threads = None):
    """Every scenario of the workbook beside the base case, with differences to the base."""
    import pandas as pd

    from .cases import make_dataset
    from .outputs import check_target
    from .results import extract
    from .solve import CaseSolver, SolveOptions
    from .sweep import row_of
    from .tables_out import write_tables
    from .terminal import print_frame, stdout_console
    from .validate import load_workbook

    path = workbook or reference_workbook()
    if out:
        check_target(out, [path])
    overrides = parse_sets(set_)
    wb = load_workbook(path)
    names = [None] + wb.scenario_names
    datasets = {n: make_dataset(wb, n, overrides) for n in names}
    rows = []
    with _progress(len(names)) as progress:
        task = progress.add_task("scenarios", total=len(names), last="")
        for name, ds in datasets.items():
            solver = CaseSolver(ds, SolveOptions(time_limit, threads))
            result = extract(solver.built, solver.solve(), solver.build_seconds)
            rows.append({"scenario": name or "base"} | row_of(result, {}, ds))
            progress.update(task, advance=1, last=f"{name or 'base'}: {result.status.value}")
    table = pd.DataFrame(rows)
    for col in ("system_cost_usd", "capex_usd", "unmet_t", "shortfall_t"):
        if col in table:
            table[f"{col}_vs_base"] = table[col] - table[col].iloc[0]
    if out:
        man, run = _run_table(path, command="scenarios", overrides=dict(overrides))
        write_tables(out, "scenarios", {"scenarios": table}, run, [], "rechain scenarios")
        err.print(f"scenarios written to [bold]{out}[/]")
    else:
        shown = [c for c in ("scenario", "status", "system_cost_usd", "system_cost_usd_vs_base", "capex_usd",
                             "unmet_t", "shortfall_t") if c in table]
        print_frame(stdout_console(), table[shown])


@app.command()
def report(workbook: Workbook = None, out: Annotated[Path, typer.Option("--out", help="Folder for findings.md, "
                                                                    "its charts and tables.")] = Path("findings"),
           time_limit: TimeLimit = None, threads: Threads = None):
    """Regenerate the headline findings (findings.md, PNG charts, .xlsx tables) from fresh solves."""
    from .outputs import check_target, manifest
    from .report import write_report
    from .solve import SolveOptions
    from .validate import load_workbook

    path = workbook or reference_workbook()
    check_target(out, [path])
    wb = load_workbook(path)
    man = manifest(path, command="report")
    with _progress(1) as progress:
        task = progress.add_task("report", total=None, last="")
        write_report(wb, path, out, man, SolveOptions(time_limit, threads),
                     lambda done, total: progress.update(task, completed=done, total=total, last=""))
    err.print(f"findings written to [bold]{out / 'findings.md'}[/]")


@app.command()
def generate(path: Annotated[Path, typer.Argument(help="Where to write the workbook (.xlsx).")],
             nodes: Annotated[int, typer.Option("--nodes", min=2, help="Number of nodes.")] = 30,
             years: Annotated[int, typer.Option("--years", min=1, max=100, help="Years in the horizon.")] = 16,
             elements: Annotated[int, typer.Option("--elements", min=1, help="Elements or groups.")] = 6,
             seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0):
    """Write a synthetic but realistic world of any size (for benchmarks and stress tests)."""
    from .generate import world, write_world

    write_world(path, world(nodes, years, elements, seed))
    err.print(f"generated world written to [bold]{path}[/]")


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
