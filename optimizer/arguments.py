"""The command line's shared arguments and options, defined once, and the help formatter that names what a
value is (WORKBOOK, N, SECONDS) and states bounds in words."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperCommand

from .inputs import reference_workbook

if TYPE_CHECKING:  # the click that typer vendors, as TyperCommand names it
    from typer._click import Context, HelpFormatter

REFERENCE = reference_workbook()


def _in_words(text: str) -> str:
    """Help's bounds in words: `x>=1` → `at least 1`, `1<=x<=100` → `1 to 100`."""
    text = re.sub(r"(\S+)<=x<=(\S+?)(?=[;\]])", r"\1 to \2", text)
    return re.sub(r"x>=(\S+?)(?=[;\]])", r"at least \1", re.sub(r"x<=(\S+?)(?=[;\]])", r"at most \1", text))


class Command(TyperCommand):
    """A command whose help names what a value is (WORKBOOK, N, SECONDS), never a Python type."""

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
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


class SolverMethod(str, Enum):
    auto = "auto"
    simplex = "simplex"
    ipm = "ipm"


class RiskMode(str, Enum):
    replan = "replan"
    commit = "commit"
    hedge = "hedge"


def _seconds(value: float | None) -> float | None:
    if value is not None and not 0 <= value < float("inf"):
        raise typer.BadParameter(f"expected a number of seconds >= 0, found '{value:g}'")
    return value


Workbook = Annotated[
    Path | None,
    typer.Argument(
        metavar="WORKBOOK",
        help="Input .xlsx workbook or folder of CSV files (default: the shipped reference workbook, "
        f"{REFERENCE}; `rechain reference FILE` copies it for editing).",
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
ReportPrice = Annotated[
    bool,
    typer.Option(
        "--any-price/--penalty-priced",
        help="At any price (the default): the least independence shortfall physically possible first, then the "
        "least cost at it, so a probability does not depend on the penalty. --penalty-priced: the workbook's "
        "shortfall_at_any_price and shortfall_penalty_usd_per_t.",
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
FolderA = Annotated[Path, typer.Argument(metavar="A", help="The result folder compared from (`--out` of a run).")]
FolderB = Annotated[Path, typer.Argument(metavar="B", help="The result folder compared to (same command as A).")]
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

FactorWorkers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        metavar="N",
        min=1,
        help="Processes, one cost factor each (default: CPU cores, at most one per cost factor); "
        "the same tables with any number.",
    ),
]
RecourseYear = Annotated[
    int | None,
    typer.Option(
        "--recourse-year",
        metavar="YEAR",
        help="commit, hedge: new builds may start from this year on (hedge: first_year + 3).",
    ),
]
