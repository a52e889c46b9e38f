"""The `rechain` command line: arguments in, one error formatter, exit codes from the result.

Exit codes: 0 done · 1 internal error · 2 input, usage or output-path error (a file or stdout that
cannot be written, a full disk included: one line, no traceback) · 3 no optimal solution (sweep,
frontier, scenarios, report, risk: at least one point did not solve, or the deterministic plan of risk's
commit or hedge; the others are still written, the failed ones marked) · 4 solved, but demand is
unmet or the independence requirement falls short (only with --fail-on-shortfall) · 130 interrupted
(Ctrl-C) · 143 terminated (SIGTERM).
"""

from __future__ import annotations

import errno
import functools
import re
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from .base.errors import InputError, Issue, OutputError
from .inputs import reference_workbook
from .run.signals import INTERRUPTED, install_sigterm, interrupt_exit_code, stall_error
from .workbook.keys import parse_sets

REPORT_DRAWS = 40  # `rechain report`: risk draws per budget of the outlook

EXIT_INTERNAL, EXIT_INPUT, EXIT_NOT_SOLVED, EXIT_SHORTFALL = 1, 2, 3, 4
SHORTFALL_TOLERANCE = 1e-6
FILE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM, errno.EPIPE}
)

_REFERENCE = reference_workbook()
app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's formatter costs more start-up than the rest of the CLI
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Plan rare-earth supply chains with a transparent linear program.\n\n"
    "Without a WORKBOOK, a command reads the shipped reference workbook:\n\n"
    f"\b\n{_REFERENCE}\n\n"
    "`rechain reference FILE` copies it to FILE for editing.",
)


def _in_words(text: str) -> str:
    """Help's bounds in words: `x>=1` → `at least 1`, `1<=x<=100` → `1 to 100`."""
    text = re.sub(r"(\S+)<=x<=(\S+?)(?=[;\]])", r"\1 to \2", text)
    return re.sub(r"x>=(\S+?)(?=[;\]])", r"at least \1", re.sub(r"x<=(\S+?)(?=[;\]])", r"at most \1", text))


class Command(TyperCommand):
    """A command whose help names what a value is (WORKBOOK, N, SECONDS), never a Python type."""

    def format_options(self, ctx, formatter) -> None:
        args, opts = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            name, text = record[0], _in_words(record[1])
            if param.param_type_name == "argument":
                args.append((param.metavar or name, text))
            else:
                opts.append((name, text))
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


state = {"debug": False, "json": False}


class SolverMethod(str, Enum):
    auto = "auto"
    simplex = "simplex"
    ipm = "ipm"


def _seconds(value: float | None) -> float | None:
    if value is not None and not 0 <= value < float("inf"):
        raise typer.BadParameter(f"expected a number of seconds >= 0, found '{value:g}'")
    return value


Workbook = Annotated[
    Path | None,
    typer.Argument(
        metavar="WORKBOOK",
        help="Input .xlsx workbook or folder of CSV files (default: the shipped reference workbook, "
        f"{_REFERENCE}; `rechain reference FILE` copies it for editing).",
        show_default=False,
    ),
]
Scenario = Annotated[
    str | None, typer.Option("--scenario", metavar="NAME", help="Apply one scenario of the scenarios sheet.")
]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="KEY=VALUE", help="Override a setting or scenario key: KEY=VALUE (repeatable)."),
]
Out = Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Folder to write results into.")]
OutForce = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write into an --out folder that holds another run's results (any file rechain writes: "
        "results.xlsx, summary.json, sweep*, frontier*, scenarios*, risk*, findings*, compare*); files of the same "
        "name are replaced, the others stay.",
    ),
]
TimeLimit = Annotated[
    float | None,
    typer.Option("--time-limit", metavar="SECONDS", callback=_seconds, help="Solver time limit in seconds."),
]
Threads = Annotated[int | None, typer.Option("--threads", metavar="N", min=1, help="Solver threads.")]
Method = Annotated[
    SolverMethod,
    typer.Option(
        "--method",
        metavar="auto|simplex|ipm",
        help="HiGHS method: auto (simplex below 100,000 columns, interior point above), simplex or ipm.",
    ),
]
AsJson = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print only one JSON document on stdout: every table as a list of rows and the run "
        "(inputs, options, versions, complete); messages and progress stay on stderr.",
    ),
]
FailOnShortfall = Annotated[
    bool,
    typer.Option(
        "--fail-on-shortfall",
        help="Exit 4 when a solved plan leaves demand unmet or falls short of the independence requirement.",
    ),
]
AnyPrice = Annotated[
    bool,
    typer.Option(
        "--any-price",
        help="Solve with shortfall_at_any_price=TRUE: the least independence shortfall physically possible "
        "first, then the least cost at it (instead of pricing shortfall at shortfall_penalty_usd_per_t).",
    ),
]
ANY_PRICE = ("shortfall_at_any_price", "TRUE")
ReportPrice = Annotated[
    bool,
    typer.Option(
        "--any-price/--penalty-priced",
        help="At any price (the default): the least independence shortfall physically possible first, then the "
        "least cost at it, so a probability does not depend on the penalty. --penalty-priced: the workbook's "
        "shortfall_at_any_price and shortfall_penalty_usd_per_t.",
    ),
]


def _overrides(set_: list[str] | None, any_price: bool) -> tuple:
    """The --set overrides, then `shortfall_at_any_price=TRUE` with --any-price."""
    return (*parse_sets(set_), *((ANY_PRICE,) if any_price else ()))


def parse_numbers(option: str, spec: str | None) -> list[float] | None:
    """A list `0,5e9,1e10` or a range `start:stop:count` of numbers, for --budgets and --cost-factors."""
    from .workbook.keys import parse_spec

    if spec is None:
        return None
    values = parse_spec(option, spec, option)
    bad = [v for v in values if not _is_number(v)]
    if bad:
        raise InputError(
            [
                Issue(
                    option, "numbers, as a list 0,5e9,1e10 or a range start:stop:count", ", ".join(repr(b) for b in bad)
                )
            ]
        )
    return [float(v) for v in values]


def _is_number(text: str) -> bool:
    try:
        return float(text) == float(text) and abs(float(text)) != float("inf")
    except ValueError:
        return False


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
):
    state["debug"] = state["debug"] or debug


def _input_paths(workbook: Path | None) -> Path:
    from .inputs import reference_workbook

    return workbook or reference_workbook()


def _guard_outputs(
    inputs: list[Path], targets: list[Path], out: Path | None = None, stems: tuple[str, ...] = (), force: bool = False
) -> None:
    """Before any solve: no output may land on an input, every output can be written, and `out` holds no
    other run's results unless `force`."""
    from .base.files import check_outputs

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


def _table_targets(out: Path | None, stem: str, sheets, charts=()) -> list[Path]:
    from .report.tables import table_files

    if out is None:
        return []
    return [*table_files(out, stem, sheets, charts), *table_files(out, _stem(stem, False), sheets, charts)]


def _load(path: Path, scenario: str | None, overrides: tuple):
    """The validated workbook, with the case (scenario + overrides) checked once."""
    from .workbook.cases import make_dataset
    from .workbook.validate import load_workbook

    wb = load_workbook(path)
    make_dataset(wb, scenario, overrides)
    return wb


@functools.cache
def _err():
    """The console of messages and progress (stderr); made on first use (rich costs start-up time)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _say(message: str) -> None:
    from .report.text import plain

    _err().print(plain(message), markup=False, highlight=False, soft_wrap=True)


def _progress(total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        console=_err(),
        transient=False,
    )


def _settle(progress, task) -> None:
    """A finished run's bar ends at the work done: its total was an estimate made before the run knew
    which solves it would re-use or skip (report: cases solved ahead once; frontier: a budget grid of one
    point when the clean plan needs no capex)."""
    done = next(t.completed for t in progress.tasks if t.id == task)
    progress.update(task, total=done, completed=done)


def _run_table(path: Path, **fields):
    from .base.manifest import manifest
    from .report.results import run_table

    man = manifest(path, **fields)
    return man, run_table(man)


def _case_note(wb, scenario: str | None, overrides: tuple, swept: tuple[str, ...] = ()) -> str:
    """The case a chart shows, in words: scenario, deadline, cost factor, discounting (what a chart
    varies itself, `swept`, is left to its axes and legend)."""
    from .workbook.cases import make_dataset

    ds = make_dataset(wb, scenario, overrides)
    s = ds.settings
    parts = {
        "scenario": f"scenario {scenario}" if scenario else "base case",
        "independence_year": f"requirement from {s.first_independence_year}",
        "restricted_cost_factor": f"restricted cost factor {s.restricted_cost_factor:g}",
        "discount_rate": f"discounted at {s.discount_rate:.1%} a year to {s.first_year}"
        if s.discount_rate
        else "undiscounted",
    }
    shown = [text for key, text in parts.items() if key not in swept]
    if s.budget_usd is not None or s.annual_budget_usd is not None or {"budget_usd", "annual_budget_usd"} & {*swept}:
        shown.append(f"budget of {_blocs(ds)} capex")  # which capex a budget caps (docs/model.md, Readings decided)
    return " · ".join(shown + [f"{k}={v}" for k, v in overrides if k not in swept])


def _blocs(ds) -> str:
    return " and ".join(sorted(ds.budget_blocs)) or "no"


def _failed(table) -> int:
    return 0 if "status" not in table or table.empty else int((table["status"] != "optimal").sum())


def _short(table) -> bool:
    return any(
        col in table and (table[col].fillna(0) > SHORTFALL_TOLERANCE).any() for col in ("unmet_t", "shortfall_t")
    )


def _finish(tables: dict, complete: bool, fail_on_shortfall: bool = False) -> None:
    """Exit code of a multi-point command: interrupted (or a stalled scheduler), failed points, shortfall, else 0."""
    if not complete:
        if stall_error() is not None:
            from .report.text import print_input_error

            print_input_error(_err(), stall_error())
        raise typer.Exit(interrupt_exit_code())
    failed = sum(_failed(t) for t in tables.values())
    if failed:
        _say(f"{failed} point(s) did not solve: marked in every table and chart (exit {EXIT_NOT_SOLVED})")
        raise typer.Exit(EXIT_NOT_SOLVED)
    if fail_on_shortfall and any(_short(t) for t in tables.values()):
        _say(f"demand unmet or independence shortfall in at least one point (exit {EXIT_SHORTFALL})")
        raise typer.Exit(EXIT_SHORTFALL)


FRONTIER_SHOWN = ("alpha", "budget_usd", "min_alpha", "status", "reason", "system_cost_usd", "premium_usd", "capex_usd")
FRONTIER_SHOWN_PREFIX = ("premium_usd_per_kg.", "restricted_cost_factor", "shortfall_t", "shortfall_priced", "unmet_t")


def _shown_in_frontier(column: str) -> bool:
    """The terminal's frontier columns: the point, its status, cost and premium (all of them are in the files)."""
    return column in FRONTIER_SHOWN or column.startswith(FRONTIER_SHOWN_PREFIX)


def _print_tables(tables: dict, columns: dict | None = None) -> None:
    from .report.terminal import print_frame, stdout_console

    for name, frame in tables.items():
        shown = frame if not columns or name not in columns else frame[[c for c in columns[name] if c in frame]]
        print_frame(stdout_console(), shown, name)


@app.command(cls=Command)
def validate(
    workbook: Workbook = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
):
    """Check a workbook, every scenario in it and its uncertainty sheet in each; print all problems
    (exit 2 on errors)."""
    from .workbook.read import read_tables
    from .workbook.validate import validate_tables

    path = _input_paths(workbook)
    tables = read_tables(path)
    wb, problems = validate_tables(tables)
    problems.raise_if_any()
    assert wb is not None
    warnings = list(wb.warnings)
    issues = _case_issues(wb, tables.get("uncertainty"), warnings)
    for w in warnings:
        _say(f"warning: {w}")
    if issues:
        raise InputError(issues)
    if strict and warnings:
        _say(f"{len(warnings)} warning(s) with --strict")
        raise typer.Exit(EXIT_INPUT)
    _say(
        f"{path.name}: valid — {len(wb.nodes)} nodes, {len(wb.stages)} stages, {len(wb.facilities)} facilities, "
        f"{len(wb.demand)} demand rows, {len(wb.scenarios)} scenarios"
    )


def _case_issues(wb, uncertainty, warnings: list[str]) -> list[Issue]:
    """The problems of the base case and of every scenario, the uncertainty sheet's in each included."""
    from .workbook.cases import make_dataset
    from .workbook.uncertainty import check_uncertainty

    issues: list[Issue] = []
    for scenario in [None, *wb.scenario_names]:
        try:
            check_uncertainty(uncertainty, wb, scenario, (), make_dataset(wb, scenario, warnings=warnings))
        except InputError as exc:
            issues += [i for i in exc.issues if i not in issues]
    return issues


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
):
    """Solve one case and report the plan."""
    from .commands import solve_case
    from .models.highs import SolveOptions
    from .report.results import RESULT_FILES
    from .report.terminal import print_summary

    path = _input_paths(workbook)
    targets = [out / name for name in RESULT_FILES] if out else []
    _guard_outputs([path], targets + ([write_model] if write_model else []), out, stems=RESULT_FILES, force=force)
    overrides = _overrides(set_, any_price)
    from rich.console import Console

    console = Console(stderr=True) if as_json else Console()
    result, man = solve_case(
        path,
        scenario,
        overrides,
        out,
        SolveOptions(time_limit, threads, method.value),
        progress=None if as_json else console,
        write_model=write_model,
    )
    if as_json:
        _emit_json(result.summary | {"run": man})
    else:
        applied = [f"scenario {scenario}"] if scenario else ["base case"]
        applied += [f"--set {k}={v}" for k, v in overrides]
        console.print("case: " + "; ".join(applied), markup=False, highlight=False)
        print_summary(console, result, man)
        if out:
            console.print(f"results written to {out}", markup=False, highlight=False)
    if not result.optimal:
        _say(f"no optimal solution: {result.status.value} ({result.message})")
        raise typer.Exit(EXIT_NOT_SOLVED)
    if fail_on_shortfall and (
        result.summary["unmet_t"] > SHORTFALL_TOLERANCE or result.summary["shortfall_t"] > SHORTFALL_TOLERANCE
    ):
        _say(
            f"demand unmet ({result.summary['unmet_t']:,.1f} t) or independence shortfall "
            f"({result.summary['shortfall_t']:,.1f} t) (exit {EXIT_SHORTFALL})"
        )
        raise typer.Exit(EXIT_SHORTFALL)


Force = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]


def _refuse_existing(path: Path, force: bool) -> None:
    if Path(path).is_dir():
        raise OutputError(f"{path} is a folder; give a file name ending in .xlsx")
    if Path(path).exists() and not Path(path).is_file():
        raise OutputError(f"{path} is a device, pipe or socket, never replaced; give a file name ending in .xlsx")
    if Path(path).exists() and not force:
        raise OutputError(f"{path} exists; pass --force to replace it")


@app.command(cls=Command)
def template(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the empty workbook (.xlsx).")],
    force: Force = False,
):
    """Write an empty workbook with every sheet and column, documented."""
    from .workbook.template import write_template

    _refuse_existing(path, force)
    write_template(path)
    _say(f"template written to {path}")


@app.command(cls=Command)
def reference(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy (.xlsx).")], force: Force = False
):
    """Copy the shipped reference workbook (the one every command reads without a WORKBOOK) to FILE,
    for editing."""
    import shutil

    from .base.files import atomic_path

    if Path(path).suffix.lower() != ".xlsx":
        raise OutputError(f"{path}: give a file name ending in .xlsx (the copy is an Excel workbook)")
    _refuse_existing(path, force)
    _guard_outputs([_REFERENCE], [path])
    with atomic_path(Path(path)) as tmp:
        shutil.copyfile(_REFERENCE, tmp)
    _say(f"reference workbook copied to {path} (from {_REFERENCE}); edit it, then run: rechain solve {path}")


COMPARE_SHOWN = 40  # rows of each changed table `compare` prints (the files and --json hold all)
FolderA = Annotated[Path, typer.Argument(metavar="A", help="The result folder compared from (`--out` of a run).")]
FolderB = Annotated[Path, typer.Argument(metavar="B", help="The result folder compared to (same command as A).")]


@app.command(cls=Command)
def compare(a: FolderA, b: FolderB, out: Out = None, force: OutForce = False, as_json: AsJson = False):
    """What changed from result folder A to B, two folders of one command (`solve`, `sweep`, `frontier`,
    `scenarios` or `risk` with --out). solve: settings, costs, builds, clean shares, unmet demand, independence
    shortfall, binding capacity and budget, each table with A, B and change = B − A (columns named by unit);
    the others: settings and each table of the command, point by point (sweep point, cost factor and α or
    budget, scenario, risk class and year) and figure by figure, with A, B, change and whether the point is in
    both; texts that differ (status, reason) in `labels`. Unchanged rows left out."""
    from .base.manifest import versions
    from .report.results import run_table
    from .report.tables import write_tables
    from .run.compare import compare_folders, partial_notes, table_names

    names = table_names(a, b)
    _guard_outputs([a, b], _table_targets(out, "compare", names), out, stems=("compare",), force=force)
    tables = compare_folders(a, b)
    for note in partial_notes(a, b):
        _say(f"warning: {note}")
    man = {"command": "compare", "A": str(a), "B": str(b), "versions": versions()}
    if out:
        write_tables(out, "compare", tables, run_table(man), title="rechain compare")
        _say(f"comparison written to {out}")
    if as_json:
        _emit_tables(tables, man)
        return
    changed = {name: frame for name, frame in tables.items() if not frame.empty}
    _print_tables({name: frame.head(COMPARE_SHOWN) for name, frame in changed.items()})
    longer = [f"{name} ({len(frame):,})" for name, frame in changed.items() if len(frame) > COMPARE_SHOWN]
    if longer:
        _say(f"the first {COMPARE_SHOWN} rows shown of {', '.join(longer)}: --out or --json holds every row")
    _say(f"{len(changed)} of {len(tables)} tables changed (B − A)")


Params = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        metavar="KEY=SPEC",
        help="KEY=SPEC, SPEC a list 0,5e9,1e10 or a range start:stop:count (repeatable; the grid is their product).",
    ),
]
Workers = Annotated[
    int | None,
    typer.Option("--workers", metavar="N", min=1, help="Processes (default: CPU cores, at most one per point)."),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler", metavar="ADDRESS", help="Address of a dask.distributed scheduler to run the chunks on."
    ),
]


def _stopped() -> str:
    """Why a run ended before its last point, in a word or three."""
    return "stopped on the scheduler" if stall_error() is not None else "interrupted"


def _stem(stem: str, complete: bool) -> str:
    return stem if complete else f"{stem}_incomplete"


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
):
    """Solve a grid of parameter values, warm-starting each point from the last."""
    import pandas as pd

    from .models.highs import SolveOptions
    from .report.tables import write_tables
    from .run.parallel import run_points
    from .run.sweep import grid, validate_points
    from .workbook.keys import parse_params

    path = _input_paths(workbook)
    _guard_outputs([path], _table_targets(out, "sweep", ["sweep"], ["sweep"]), out, stems=("sweep",), force=force)
    params = parse_params(param or [])
    if not params:
        raise InputError([Issue("--param", "at least one KEY=SPEC", "none")])
    overrides = _overrides(set_, any_price)
    wb = _load(path, scenario, overrides)
    points = grid(params)
    validate_points(wb, scenario, overrides, points)
    with _progress(len(points)) as progress:
        task = progress.add_task("sweep", total=len(points), last="")

        def on_row(rows):
            last = rows[-1].get("objective_usd")
            progress.update(task, advance=len(rows), last="" if last is None else f"last objective {last:,.0f}")

        rows, complete = run_points(
            wb, scenario, overrides, points, SolveOptions(time_limit, threads, method.value), workers, scheduler, on_row
        )
    table = pd.DataFrame(rows)
    for key in params:
        if key in table and all(_is_number(v) for v in table[key]):
            table[key] = table[key].astype(float)
    if not complete:
        _say(f"{_stopped()}: {len(rows)} of {len(points)} points done, partial")
    if not as_json:
        _print_tables({"sweep": table}, {"sweep": [c for c in table.columns if c in params or c in SWEEP_SHOWN]})
    man, run = _run_table(
        path,
        command="sweep",
        scenario=scenario,
        overrides=dict(overrides),
        grid={k: ",".join(v) for k, v in params.items()},
        points=len(points),
        points_done=len(rows),
        complete=complete,
    )
    if out:
        charts = _sweep_charts(table, list(params), _case_note(wb, scenario, overrides, tuple(params)))
        write_tables(out, _stem("sweep", complete), {"sweep": table}, run, charts, "rechain sweep")
        _say(f"sweep written to {out}")
    if as_json:
        _emit_tables({"sweep": table}, man)
    _finish({"sweep": table}, complete, fail_on_shortfall)


SWEEP_SHOWN = ("status", "reason", "system_cost_usd", "capex_usd", "shortfall_t", "shortfall_priced", "unmet_t")


def _sweep_charts(table, params: list[str], note: str) -> list:
    """System cost by the first swept key, a line per value of the second."""
    from .report.tables import Chart

    if "system_cost_usd" not in table:
        return []
    first, second = params[0], (params[1] if len(params) > 1 else None)
    return [
        Chart("sweep", first, "system_cost_usd", f"System cost by {first}", second, first, "system cost (USD)", note)
    ]


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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            metavar="N",
            min=1,
            help="Processes, one cost factor each (default: CPU cores, at most one per cost factor); "
            "the same tables with any number.",
        ),
    ] = None,
    any_price: AnyPrice = False,
    as_json: AsJson = False,
):
    """The cost of independence and the independence a budget buys."""
    import pandas as pd

    from .models.highs import SolveOptions
    from .report.tables import write_tables
    from .run.frontier import SHEETS, FrontierJob, frontiers
    from .run.parallel import default_workers
    from .workbook.cases import make_dataset

    path = _input_paths(workbook)
    _guard_outputs([path], _table_targets(out, "frontier", SHEETS, SHEETS), out, stems=("frontier",), force=force)
    overrides = _overrides(set_, any_price)
    factors = parse_numbers("--cost-factors", cost_factors) or [None]
    budget_grid = parse_numbers("--budgets", budgets)
    wb = _load(path, scenario, overrides)
    options = SolveOptions(time_limit, threads, method.value)
    job = FrontierJob(wb, scenario, overrides, points, budget_points, tuple(budget_grid or ()), options)
    total = len(factors) * (points + (budget_points if budget_grid is None else len(budget_grid)))
    with _progress(total) as progress:
        task = progress.add_task("frontier", total=total, last="")

        def tick(sheet: str, row: dict):
            cost = row.get("system_cost_usd")
            progress.update(
                task, advance=1, last="" if cost is None or cost != cost else f"last system cost {cost:,.0f}"
            )

        done, complete = frontiers(job, factors, workers or default_workers(len(factors)), tick)
        if complete:
            _settle(progress, task)
    if not complete:
        _say(f"interrupted: {sum(map(len, done.values()))} of {total} points done")
    sheets = {name: pd.DataFrame(rows) for name, rows in done.items()}
    group = None if factors == [None] else "restricted_cost_factor"
    note = _case_note(wb, scenario, overrides, ("restricted_cost_factor",) if cost_factors else ())
    if not as_json:
        _print_tables(sheets, {name: [c for c in frame if _shown_in_frontier(c)] for name, frame in sheets.items()})
    fields = {"points": points, "cost_factors": cost_factors or "workbook"}
    man, run = _run_table(
        path, command="frontier", scenario=scenario, overrides=dict(overrides), **fields, complete=complete
    )
    if out:
        charts = _frontier_charts(group, note, _blocs(make_dataset(wb, scenario, overrides)))
        write_tables(out, _stem("frontier", complete), sheets, run, charts, "rechain cost frontiers")
        _say(f"frontiers written to {out}")
    if as_json:
        _emit_tables(sheets, man)
    _finish(sheets, complete)


def _frontier_charts(group: str | None, note: str, blocs: str = "") -> list:
    from .report.tables import Chart

    return [
        Chart(
            "cost_of_independence",
            "clean_required_share",
            "premium_usd",
            "Cost of independence: premium over the unconstrained plan",
            group,
            "clean share of protected demand required (1 − α)",
            "premium (USD, system cost)",
            note,
        ),
        Chart(
            "budget_frontier",
            "budget_usd",
            "max_clean_share",
            "Independence a budget buys",
            group,
            f"budget (USD, nominal capex at {blocs} nodes)" if blocs else "budget (USD, nominal capex)",
            "largest clean share with no shortfall",
            note,
        ),
    ]


RequireFrom = Annotated[
    int | None,
    typer.Option(
        "--require-from",
        metavar="YEAR",
        help="Also solve every case with allied demand fully clean from YEAR (max_restricted_share=0, "
        "independence_year=YEAR): its premium over the same case unconstrained, unmet demand, shortfall and "
        "lowest clean share. A scenario that asks for clean supply itself is shown once.",
    ),
]


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
):
    """Every scenario of the workbook beside the base case, one table per group (world costs, world supply
    and demand, policy): what it changes, its results against the base and, with --require-from, under the
    requirement."""
    from .models.highs import SolveOptions
    from .report.tables import scenarios_charts, write_tables
    from .run.parallel import default_workers
    from .run.scenario_groups import GROUPS, group_sheets, titles
    from .run.scenarios import compare_scenarios

    path = _input_paths(workbook)
    names = [*GROUPS, "scenarios"]  # every sheet a scenarios run may write, checked before the workbook is read
    _guard_outputs([path], _table_targets(out, "scenarios", names, names), out, stems=("scenarios",), force=force)
    overrides = _overrides(set_, any_price)
    wb = _load(path, None, overrides)
    rows, complete = [], True
    total = (1 + len(wb.scenario_names)) * (2 if require_from else 1)
    with _progress(total) as progress:
        task = progress.add_task("scenarios", total=total, last="")

        def on_row(row: dict):
            rows.append(row)
            progress.update(task, advance=1, last=f"{row['scenario']}: {row['status']}")

        try:
            options = SolveOptions(time_limit, threads, method.value)
            workers = workers or default_workers(total)
            table = compare_scenarios(wb, overrides, options, on_row, workers=workers, require_from=require_from)
        except KeyboardInterrupt:
            complete = False
            table = _partial_scenarios(wb, rows)
    sheets = group_sheets(table)
    if not as_json:
        _print_tables(sheets, {name: _shown(frame) for name, frame in sheets.items()})
    fields = {"require_from": require_from} if require_from else {}
    man, run = _run_table(path, command="scenarios", overrides=dict(overrides), complete=complete, **fields)
    if out:
        note = _case_note(wb, None, overrides).replace("base case · ", "")
        charts = scenarios_charts(titles(sheets), note, f"clean from {require_from}" if require_from else "")
        write_tables(out, _stem("scenarios", complete), sheets, run, charts, "rechain scenarios")
        _say(f"scenarios written to {out}")
    if as_json:
        _emit_tables(sheets, man)
    _finish({"scenarios": table, "required": _required_status(table)}, complete, fail_on_shortfall)


SCENARIOS_SHOWN = (
    "scenario",
    "changes",
    "status",
    "reason",
    "system_cost_usd",
    "system_cost_vs_base_usd",
    "capex_usd",
    "protected_capex_usd",
    "unmet_t",
    "shortfall_t",
    "shortfall_priced",
    "requirement",
    "required_status",
    "required_reason",
    "required_premium_usd",
    "required_unmet_t",
    "required_shortfall_t",
    "required_shortfall_priced",
    "required_clean_share_min",
)


def _shown(frame) -> list[str]:
    """The columns the terminal shows of a scenario table: SCENARIOS_SHOWN, reasons only where one is given."""
    return [c for c in SCENARIOS_SHOWN if c in frame and not (c.endswith("reason") and frame[c].isna().all())]


def _partial_scenarios(wb, rows: list[dict]):
    """The rows solved before an interrupt, each in its scenario's group."""
    import pandas as pd

    from .run.scenario_groups import group_of
    from .run.scenarios import COLUMNS

    table = pd.DataFrame(rows, columns=COLUMNS)
    names = {name: group_of(wb, name) for name in wb.scenario_names}
    table.insert(1, "group", [names.get(str(s).split(" (")[0], "") for s in table["scenario"]])
    return table


def _required_status(table):
    """The requirement's solves as a table of statuses (exit 3 when one did not solve)."""
    if "required_status" not in table:
        return table.iloc[0:0]
    return table[["required_status"]].dropna().rename(columns={"required_status": "status"})


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
):
    """Regenerate the headline findings (findings.md, PNG charts, .xlsx tables) from fresh solves;
    the same workbook, options and versions give the same files, byte for byte."""
    from .base.manifest import manifest
    from .commands import write_report
    from .models.highs import SolveOptions
    from .run.parallel import default_workers
    from .run.risk import check_draw_count
    from .workbook.uncertainty import scipy_stats
    from .workbook.validate import load_workbook

    check_draw_count(draws, least=0)
    path = _input_paths(workbook)
    scipy_stats()  # the outlook's draws need it: stop before any solve
    _guard_outputs([path], [out / "findings.md"], out, stems=("findings",), force=force)
    wb = _with_any_price(load_workbook(path), any_price)
    man = manifest(path, command="report", stamp=False)
    shown: dict = {}
    with _progress(1) as progress:
        task = progress.add_task("report", total=None, last="")
        failed = write_report(
            wb,
            path,
            out,
            man,
            SolveOptions(time_limit, threads, method.value),
            lambda done, total: progress.update(task, completed=done, total=total, last=""),
            shown.update,
            workers or default_workers(len(wb.scenario_names) + 1),
            draws,
            seed,
        )
        _settle(progress, task)
    if as_json:
        _emit_tables(shown, man | {"findings": str(out / "findings.md"), "draws": draws, "seed": seed})
    else:
        _print_tables({name: shown[name] for name in ("deadlines", "budgets") if name in shown})
    _say(f"findings written to {out / 'findings.md'}")
    if failed:
        _say(f"{failed} point(s) did not solve: marked in every table and chart (exit {EXIT_NOT_SOLVED})")
        raise typer.Exit(EXIT_NOT_SOLVED)


RISK_JSON = ("value", "thresholds", "summary", "probability_by_year", "earliest_year", "clean_share_fan")


def _with_any_price(wb, any_price: bool):
    """The workbook with the setting shortfall_at_any_price = TRUE (--any-price), for every case of it."""
    if not any_price:
        return wb
    from dataclasses import replace

    return replace(wb, settings=wb.settings | {ANY_PRICE[0]: (True, "--any-price")})


class RiskMode(str, Enum):
    replan = "replan"
    commit = "commit"
    hedge = "hedge"


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
    recourse_year: Annotated[
        int | None,
        typer.Option(
            "--recourse-year",
            metavar="YEAR",
            help="commit, hedge: new builds may start from this year on (hedge: first_year + 3).",
        ),
    ] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    force: OutForce = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the summary tables as JSON on stdout.")] = False,
    time_limit: TimeLimit = None,
    threads: Threads = None,
    method: Method = SolverMethod.auto,
    any_price: AnyPrice = False,
):
    """How likely a China-free chain is, by year, when projects overrun, slip or fail (risk.md)."""
    from .models.highs import SolveOptions
    from .models.subject import price_label
    from .report.risk import PICTURES, SHEETS, write_risk
    from .run.risk import RiskJob, check_draw_count, check_draws, load_risk

    check_draw_count(draws, mode.value)
    path = _input_paths(workbook)
    _guard_outputs([path], _table_targets(out, "risk", SHEETS, PICTURES), out, stems=("risk",), force=force)
    overrides = _overrides(set_, any_price)
    wb, rows, base = load_risk(path, scenario, overrides)
    check_draws(mode.value, recourse_year, base)
    options = SolveOptions(time_limit, threads, method.value)
    job = RiskJob(wb, scenario, overrides, rows, seed, mode.value, recourse_year, options)
    if not rows:
        _say("warning: the uncertainty sheet has no row for this case: every draw is the base case")
    tables, complete = _risk_draws(job, draws, workers, scheduler)
    price = price_label(base.settings)
    failure = None
    man, run = _run_table(
        path,
        command="risk",
        mode=mode.value,
        seed=seed,
        draws=draws,
        draws_done=len(tables["draws"]),
        recourse_year=recourse_year,
        scenario=scenario,
        overrides=dict(overrides),
        uncertainty=len(rows),
        complete=complete,
    )
    if out:
        try:
            write_risk(out, _stem("risk", complete), tables, run, _case_note(wb, scenario, overrides), price)
        except OutputError as exc:
            failure = exc
    _show_risk(tables, price, man if as_json else None, failure)
    if failure is not None:
        _say(f"output error: {failure}")
        raise typer.Exit(EXIT_INPUT)
    if out:
        _say(f"risk written to {out}")
    _finish_risk(tables, complete)


def _risk_draws(job, draws: int, workers: int | None, scheduler: str | None) -> tuple[dict, bool]:
    """The risk tables and whether the run completed, under a progress bar that counts every solve
    (hedge: the hedged draws, then the replanned and the committed ones it is compared with)."""
    from .run.risk import run_risk

    total = draws * (3 if job.mode == "hedge" else 1)
    with _progress(total) as progress:
        task = progress.add_task(f"risk ({job.mode})", total=total, last="")
        tables, complete = run_risk(
            job, draws, workers, scheduler, lambda done: progress.update(task, advance=len(done))
        )
    if not complete:
        hedge = "the comparison with replan and commit stopped: VSS and EVPI left blank"
        _say(
            f"{_stopped()}: "
            + (hedge if job.mode == "hedge" else f"{len(tables['draws'])} of {draws} draws done, partial")
        )
    return tables, complete


def _show_risk(tables: dict, price: str, json_run: dict | None, failure: OutputError | None) -> None:
    """The summary: with --json (`json_run`, the run) one JSON document of the tables and the run (`complete`,
    `draws_done`), carrying the output error if any; else tables."""
    if json_run is not None:
        shown = {k: v.to_dict(orient="records") for k, v in tables.items() if k in RISK_JSON} | {"run": json_run}
        _emit_json(shown | ({"status": "output_error", "message": str(failure)} if failure else {}))
        return
    from .report.terminal import print_risk, stdout_console

    _print_tables({k: tables[k] for k in ("value",) if k in tables})
    print_risk(stdout_console(), tables, price)


def _finish_risk(tables: dict, complete: bool) -> None:
    """_finish, and exit 3 when the deterministic plan of commit or of hedge's VSS did not solve."""
    plan = _plan_failure(tables)
    if complete and plan:
        _say(f"the deterministic plan did not solve ({plan}): its figures are blank (exit {EXIT_NOT_SOLVED})")
        raise typer.Exit(EXIT_NOT_SOLVED)
    _finish({"draws": tables["draws"]}, complete)


def _plan_failure(tables: dict) -> str | None:
    """Why the deterministic plan failed: hedge's value table, or commit's draws' reason; None if it solved."""
    value = tables.get("value")
    if value is not None:
        status = dict(zip(value["figure"], value["value"], strict=True)).get("deterministic_plan_status")
        return None if status in (None, "optimal") else str(status)
    reasons = tables["draws"].get("reason")
    prefix = "deterministic plan: "
    found = [] if reasons is None else [r for r in reasons.dropna() if str(r).startswith(prefix)]
    return str(found[0]).removeprefix(prefix) if found else None


@app.command(cls=Command)
def generate(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the workbook (.xlsx).")],
    nodes: Annotated[int, typer.Option("--nodes", metavar="N", min=2, help="Number of nodes.")] = 30,
    years: Annotated[int, typer.Option("--years", metavar="N", min=1, max=100, help="Years in the horizon.")] = 16,
    elements: Annotated[int, typer.Option("--elements", metavar="N", min=1, help="Elements or groups.")] = 6,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    force: Force = False,
):
    """Write a synthetic but realistic world of any size (for benchmarks and stress tests)."""
    from .workbook.generate import world, write_world

    _refuse_existing(path, force)
    write_world(path, world(nodes, years, elements, seed))
    _say(f"generated world written to {path}")


def _emit_tables(tables: dict, man: dict) -> None:
    """--json of a multi-point command: every table as a list of rows, and the run (`complete`: all points
    done), as one JSON document on stdout."""
    _emit_json({name: frame.to_dict(orient="records") for name, frame in tables.items()} | {"run": man})


def _emit_json(payload: dict) -> None:
    """One JSON document on stdout, flushed (a full disk is then an OSError here, not at exit)."""
    from .report.writers import to_json

    sys.stdout.write(to_json(payload) + "\n")
    sys.stdout.flush()


def _emit_error_json(payload: dict) -> None:
    """The JSON document of an error; a stdout that cannot take it leaves the message on stderr alone."""
    try:
        _emit_json(payload)
    except OSError:
        _drop_stdout()


def _drop_stdout() -> None:
    """Point stdout at the null device, so that nothing is left to fail when Python flushes it at exit."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a stdout without a file descriptor (tests) has none to drop
        pass


def _os_error(exc: OSError) -> int:
    """A file or stream that cannot be written or read (disk full, read-only, closed pipe): one line, exit 2."""
    where = exc.filename if exc.filename is not None else "stdout"
    _say(f"output error: {where}: cannot write ({exc.strerror or exc})")
    if exc.filename is not None and state["json"]:
        _emit_error_json({"status": "output_error", "message": f"{where}: cannot write ({exc.strerror or exc})"})
    if exc.filename is None:  # a stream: stdout, which Python would otherwise fail to flush again at exit
        _drop_stdout()
    return EXIT_INPUT


def _flushed(code: int) -> int:
    """The exit code once stdout is flushed: a full disk or closed pipe turns 0 into exit 2."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        return _os_error(exc) if code == 0 else code
    return code


def _input_error(exc: InputError) -> int:
    from .report.text import print_input_error

    print_input_error(_err(), exc)
    if state["json"]:
        _emit_error_json({"status": "input_error", "issues": [vars(i) for i in exc.issues], "warnings": exc.warnings})
    return EXIT_INPUT


EXPECTED = {"N": "a whole number", "SECONDS": "a number of seconds", "YEAR": "a year"}


def _expected(param) -> str:
    """What an option takes, in words: its metavar's meaning and its bounds (`a whole number >= 1`)."""
    metavar = param.metavar or param.name
    what = f"one of {metavar}" if "|" in metavar else EXPECTED.get(metavar, metavar)
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return f"{what} from {low} to {high}"
    return what + (f" >= {low}" if low is not None else "") + (f" <= {high}" if high is not None else "")


def _found(exc) -> str | None:
    """The text given to an option that typer refused (it keeps it in pydantic's error)."""
    errors = getattr(exc.__cause__, "errors", None)
    first = errors()[0] if callable(errors) and errors() else {}
    return None if "input" not in first else repr(str(first["input"]))


def _usage_message(exc) -> str:
    """One line: `--mode: expected one of replan|commit|hedge, found 'foo'` for a refused value (no Python
    type, no validator's wording); click's own first line otherwise."""
    param = getattr(exc, "param", None)
    if param is not None and _is_click(exc, "BadParameter") and not _is_click(exc, "MissingParameter"):
        name = param.opts[0] if param.param_type_name == "option" else (param.metavar or param.name)
        found = _found(exc)
        return f"{name}: " + (exc.message if found is None else f"expected {_expected(param)}, found {found}")
    return exc.format_message().splitlines()[0] if exc.format_message() else "bad arguments"


def _usage_error(exc) -> int:
    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "rechain"
    message = _usage_message(exc)
    _say(f"usage error: {message} (see {where} -h)")
    if state["json"]:
        _emit_error_json({"status": "usage_error", "message": message})
    return EXIT_INPUT


def _is_click(exc: BaseException, kind: str) -> bool:
    """Click's exceptions, whether from click itself or the copy typer vendors."""
    return any(c.__name__ == kind and "click" in c.__module__ for c in type(exc).__mro__)


def _run(args: list[str]) -> int:
    start = time.perf_counter()
    try:
        code = app(args=args, prog_name="rechain", standalone_mode=False)
        code = code if isinstance(code, int) else 0
        return interrupt_exit_code() if code == INTERRUPTED else code  # typer turns Ctrl-C into 130
    except InputError as exc:
        return _input_error(exc)
    except OutputError as exc:
        _say(f"output error: {exc}")
        if state["json"]:
            _emit_error_json({"status": "output_error", "message": str(exc)})
        return EXIT_INPUT
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted")
        return interrupt_exit_code()
    except typer.Abort:
        return interrupt_exit_code()
    except Exception as exc:
        code = _click_exit(exc)
        if code is not None:
            return code
        if state["debug"]:
            raise
        return _internal_error(exc, time.perf_counter() - start)


def _click_exit(exc: Exception) -> int | None:
    """The exit code of click's errors and of a file or stream that cannot be written; None otherwise."""
    if _is_click(exc, "ClickException"):
        return _usage_error(exc)
    if _is_click(exc, "Abort"):
        return interrupt_exit_code()
    if isinstance(exc, OSError) and exc.errno in FILE_ERRNOS and not state["debug"]:
        return _os_error(exc)
    return None


def _internal_error(exc: Exception, seconds: float) -> int:
    _say(f"internal error: {type(exc).__name__}: {exc} (after {seconds:.1f} s; run with --debug for the traceback)")
    if state["json"]:
        _emit_error_json({"status": "internal_error", "message": f"{type(exc).__name__}: {exc}"})
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> None:
    """Entry point: `--debug` anywhere, one clear line for every kind of error, the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    state["debug"] = "--debug" in args
    state["json"] = "--json" in args
    args = [a for a in args if a != "--debug"]
    if not args:
        _say("usage error: no command given (see rechain -h for the commands)")
        sys.exit(EXIT_INPUT)
    install_sigterm()
    sys.exit(_flushed(_run(args)))


if __name__ == "__main__":
    main()
