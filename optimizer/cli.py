"""The `rechain` command line: arguments in, one call each to `rechain.commands`; every error becomes one line
and an exit code in `rechain.exits`.

Exit codes: 0 done · 1 internal error · 2 input, usage or output-path error (a file or stdout that
cannot be written, a full disk included: one line, no traceback) · 3 no optimal solution (sweep,
frontier, scenarios, report, risk: at least one point did not solve, or the deterministic plan of risk's
commit or hedge; the others are still written, the failed ones marked) · 4 solved, but demand is
unmet or the independence requirement falls short (only with --fail-on-shortfall) · 130 interrupted
(Ctrl-C) · 143 terminated (SIGTERM).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import exits
from .arguments import (
    REFERENCE,
    AnyPrice,
    AsJson,
    Command,
    FactorWorkers,
    FailOnShortfall,
    FolderA,
    FolderB,
    Force,
    Method,
    Out,
    OutForce,
    Params,
    RecourseYear,
    ReportPrice,
    RequireFrom,
    RiskMode,
    Scenario,
    Scheduler,
    Sets,
    SolverMethod,
    Threads,
    TimeLimit,
    Workbook,
    Workers,
)
from .commands.request import Request

REPORT_DRAWS = 40  # `rechain report`: risk draws per budget of the outlook

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's formatter costs more start-up than the rest of the CLI
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Plan rare-earth supply chains with a transparent linear program.\n\n"
    "Without a WORKBOOK, a command reads the shipped reference workbook:\n\n"
    f"\b\n{REFERENCE}\n\n"
    "`rechain reference FILE` copies it to FILE for editing.",
)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"rechain {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors (before or after the command).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print rechain's version and exit.")
    ] = False,
) -> None:
    exits.state["debug"] = exits.state["debug"] or debug


@app.command(cls=Command)
def validate(
    workbook: Workbook = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Check a workbook, every scenario in it and its uncertainty sheet in each; print all problems
    (exit 2 on errors)."""
    from .commands.validate import validate as run

    run(Request(workbook).path, strict)


@app.command(cls=Command)
def solve(
    workbook: Workbook = None,
    scenario: Scenario = None,
    set_: Sets = None,
    out: Out = None,
    force: OutForce = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the summary JSON on stdout.")] = False,
    time_limit: TimeLimit = None,
    threads: Threads = None,
    method: Method = SolverMethod.auto,
    write_model: Annotated[
        Path | None,
        typer.Option(
            "--write-model", metavar="FILE", help="Also write the LP to FILE.mps or FILE.lp for another solver."
        ),
    ] = None,
    fail_on_shortfall: FailOnShortfall = False,
    any_price: AnyPrice = False,
) -> None:
    """Solve one case and report the plan."""
    from .commands.solve import solve as run

    request = Request(workbook, scenario, set_, any_price, out, force, as_json, time_limit, threads, method.value)
    run(request, write_model, fail_on_shortfall)


@app.command(cls=Command)
def template(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the empty workbook (.xlsx).")],
    force: Force = False,
) -> None:
    """Write an empty workbook with every sheet and column, documented."""
    from .commands.files import template as run

    run(path, force)


@app.command(cls=Command)
def reference(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy (.xlsx).")], force: Force = False
) -> None:
    """Copy the shipped reference workbook (the one every command reads without a WORKBOOK) to FILE,
    for editing."""
    from .commands.files import reference as run

    run(path, force)


@app.command(cls=Command)
def compare(a: FolderA, b: FolderB, out: Out = None, force: OutForce = False, as_json: AsJson = False) -> None:
    """What changed from result folder A to B, two folders of one command (`solve`, `sweep`, `frontier`,
    `scenarios` or `risk` with --out). solve: settings, costs, builds, clean shares, unmet demand, independence
    shortfall, binding capacity and budget, each table with A, B and change = B − A (columns named by unit);
    the others: settings and each table of the command, point by point (sweep point, cost factor and α or
    budget, scenario, risk class and year) and figure by figure, with A, B, change and whether the point is in
    both; texts that differ (status, reason) in `labels`. Unchanged rows left out."""
    from .commands.compare import compare as run

    run(a, b, out, force, as_json)


@app.command(cls=Command)
def sweep(
    workbook: Workbook = None,
    param: Params = None,
    scenario: Scenario = None,
    set_: Sets = None,
    out: Out = None,
    force: OutForce = False,
    workers: Workers = None,
    scheduler: Scheduler = None,
    time_limit: TimeLimit = None,
    threads: Threads = None,
    method: Method = SolverMethod.auto,
    fail_on_shortfall: FailOnShortfall = False,
    any_price: AnyPrice = False,
    as_json: AsJson = False,
) -> None:
    """Solve a grid of parameter values, warm-starting each point from the last."""
    from .commands.sweep import sweep as run

    request = Request(workbook, scenario, set_, any_price, out, force, as_json, time_limit, threads, method.value)
    run(request, param, workers, scheduler, fail_on_shortfall)


@app.command(cls=Command)
def frontier(
    workbook: Workbook = None,
    scenario: Scenario = None,
    set_: Sets = None,
    out: Out = None,
    force: OutForce = False,
    points: Annotated[int, typer.Option("--points", metavar="N", min=2, help="Points of alpha from 1 to 0.")] = 11,
    budget_points: Annotated[
        int, typer.Option("--budget-points", metavar="N", min=2, help="Points of the budget grid.")
    ] = 11,
    budgets: Annotated[
        str | None,
        typer.Option(
            "--budgets",
            metavar="SPEC",
            help="Budget grid (list or start:stop:count); default 0 to the capex of full independence.",
        ),
    ] = None,
    cost_factors: Annotated[
        str | None,
        typer.Option("--cost-factors", metavar="SPEC", help="Repeat for each restricted_cost_factor, e.g. 1,0.5,0.25."),
    ] = None,
    time_limit: TimeLimit = None,
    threads: Threads = None,
    method: Method = SolverMethod.auto,
    workers: FactorWorkers = None,
    any_price: AnyPrice = False,
    as_json: AsJson = False,
) -> None:
    """The cost of independence and the independence a budget buys."""
    from .commands.frontier import frontier as run

    request = Request(workbook, scenario, set_, any_price, out, force, as_json, time_limit, threads, method.value)
    run(request, points, budget_points, budgets, cost_factors, workers)


@app.command(cls=Command)
def scenarios(
    workbook: Workbook = None,
    set_: Sets = None,
    require_from: RequireFrom = None,
    out: Out = None,
    force: OutForce = False,
    time_limit: TimeLimit = None,
    threads: Threads = None,
    method: Method = SolverMethod.auto,
    fail_on_shortfall: FailOnShortfall = False,
    workers: Workers = None,
    any_price: AnyPrice = False,
    as_json: AsJson = False,
) -> None:
    """Every scenario of the workbook beside the base case, one table per group (world costs, world supply
    and demand, policy): what it changes, its results against the base and, with --require-from, under the
    requirement."""
    from .commands.scenarios import scenarios as run

    request = Request(workbook, None, set_, any_price, out, force, as_json, time_limit, threads, method.value)
    run(request, require_from, workers, fail_on_shortfall)


@app.command(cls=Command)
def report(
    workbook: Workbook = None,
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder for findings.md, its charts and tables.")
    ] = Path("findings"),
    force: OutForce = False,
    time_limit: TimeLimit = None,
    threads: Threads = None,
    method: Method = SolverMethod.auto,
    workers: Workers = None,
    draws: Annotated[
        int,
        typer.Option(
            "--draws", metavar="N", help="Risk draws per budget of the outlook (0: no outlook; at most 100000)."
        ),
    ] = REPORT_DRAWS,
    seed: Annotated[int, typer.Option("--seed", metavar="N", min=0, help="Seed of the outlook's draws.")] = 0,
    any_price: ReportPrice = True,
    as_json: AsJson = False,
) -> None:
    """Regenerate the headline findings (findings.md, PNG charts, .xlsx tables) from fresh solves;
    the same workbook, options and versions give the same files, byte for byte."""
    from .commands.report import report as run

    request = Request(workbook, None, None, any_price, out, force, as_json, time_limit, threads, method.value)
    run(request, workers, draws, seed)


@app.command(cls=Command)
def risk(
    workbook: Workbook = None,
    mode: Annotated[
        RiskMode,
        typer.Option(
            "--mode",
            metavar="replan|commit|hedge",
            help="replan: re-optimise each draw; commit: fix the deterministic plan's builds; "
            "hedge: one plan for all draws (two-stage, at most 50 draws).",
        ),
    ] = RiskMode.replan,
    draws: Annotated[
        int, typer.Option("--draws", metavar="N", help="Number of draws (1 to 100000; with --mode hedge at most 50).")
    ] = 100,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", min=0, help="Seed; draw i depends only on (seed, i).")
    ] = 0,
    scenario: Scenario = None,
    set_: Sets = None,
    recourse_year: RecourseYear = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    force: OutForce = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the summary tables as JSON on stdout.")] = False,
    time_limit: TimeLimit = None,
    threads: Threads = None,
    method: Method = SolverMethod.auto,
    any_price: AnyPrice = False,
) -> None:
    """How likely a China-free chain is, by year, when projects overrun, slip or fail (risk.md)."""
    from .commands.risk import risk as run

    request = Request(workbook, scenario, set_, any_price, out, force, as_json, time_limit, threads, method.value)
    run(request, mode.value, draws, seed, recourse_year, workers, scheduler)


@app.command(cls=Command)
def generate(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the workbook (.xlsx).")],
    nodes: Annotated[int, typer.Option("--nodes", metavar="N", min=2, help="Number of nodes.")] = 30,
    years: Annotated[int, typer.Option("--years", metavar="N", min=1, max=100, help="Years in the horizon.")] = 16,
    elements: Annotated[int, typer.Option("--elements", metavar="N", min=1, help="Elements or groups.")] = 6,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    force: Force = False,
) -> None:
    """Write a synthetic but realistic world of any size (for benchmarks and stress tests)."""
    from .commands.files import generate as run

    run(path, nodes, years, elements, seed, force)


def main(argv: list[str] | None = None) -> None:
    """Entry point: `--debug` anywhere, one clear line for every kind of error, the exit code."""
    exits.main(app, argv)


if __name__ == "__main__":
    main()
