"""`rechain risk`: how likely a China-free chain is, by year, over drawn project outcomes."""

from __future__ import annotations

import pandas as pd
import typer

from ..base.errors import OutputError
from ..exits import EXIT_INPUT, EXIT_NOT_SOLVED, emit_json, say, stopped
from ..models.subject import price_label
from ..report.risk import PICTURES, SHEETS, write_risk
from ..report.shown import risk_records
from ..report.terminal import print_risk, stdout_console
from ..run.outcome import plan_failure
from ..run.risk import RiskJob, check_draw_count, check_draws, load_risk, run_risk
from .common import case_note, finish, guard_tables, print_tables, progress, run_table, stem_of
from .request import Request


def risk(
    request: Request,
    mode: str,
    draws: int,
    seed: int,
    recourse_year: int | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    check_draw_count(draws, mode)
    guard_tables(request, "risk", SHEETS, PICTURES)
    path, scenario, overrides, out = request.path, request.scenario, request.overrides, request.out
    wb, rows, base = load_risk(path, scenario, overrides)
    check_draws(mode, recourse_year, base)
    job = RiskJob(wb, scenario, overrides, rows, seed, mode, recourse_year, request.options)
    if not rows:
        say("warning: the uncertainty sheet has no row for this case: every draw is the base case")
    tables, complete = _draws(job, draws, workers, scheduler)
    price = price_label(base.settings)
    failure = None
    fields = {"mode": mode, "seed": seed, "draws": draws, "draws_done": len(tables["draws"])}
    fields |= {"recourse_year": recourse_year, "scenario": scenario, "overrides": dict(overrides)}
    man, run = run_table(path, command="risk", **fields, uncertainty=len(rows), complete=complete)
    if out:
        try:
            write_risk(out, stem_of("risk", complete), tables, run, case_note(wb, scenario, overrides), price)
        except OutputError as exc:
            failure = exc
    _show(tables, price, man if request.as_json else None, failure)
    if failure is not None:
        say(f"output error: {failure}")
        raise typer.Exit(EXIT_INPUT)
    if out:
        say(f"risk written to {out}")
    _finish(tables, complete)


def _draws(
    job: RiskJob, draws: int, workers: int | None, scheduler: str | None
) -> tuple[dict[str, pd.DataFrame], bool]:
    """The risk tables and whether the run completed, under a progress bar that counts every solve
    (hedge: the hedged draws, then the replanned and the committed ones it is compared with)."""
    total = draws * (3 if job.mode == "hedge" else 1)
    with progress(total) as bar:
        task = bar.add_task(f"risk ({job.mode})", total=total, last="")
        tables, complete = run_risk(job, draws, workers, scheduler, lambda done: bar.update(task, advance=len(done)))
    if not complete:
        hedge = "the comparison with replan and commit stopped: VSS and EVPI left blank"
        done = hedge if job.mode == "hedge" else f"{len(tables['draws'])} of {draws} draws done, partial"
        say(f"{stopped()}: " + done)
    return tables, complete


def _show(
    tables: dict[str, pd.DataFrame], price: str, json_run: dict[str, object] | None, failure: OutputError | None
) -> None:
    """The summary: with --json (`json_run`, the run) one JSON document of the tables and the run (`complete`,
    `draws_done`), carrying the output error if any; else tables."""
    if json_run is not None:
        emit_json(
            risk_records(tables, json_run) | ({"status": "output_error", "message": str(failure)} if failure else {})
        )
        return
    print_tables({k: tables[k] for k in ("value",) if k in tables})
    print_risk(stdout_console(), tables, price)


def _finish(tables: dict[str, pd.DataFrame], complete: bool) -> None:
    """finish, and exit 3 when the deterministic plan of commit or of hedge's VSS did not solve."""
    plan = plan_failure(tables)
    if complete and plan:
        say(f"the deterministic plan did not solve ({plan}): its figures are blank (exit {EXIT_NOT_SOLVED})")
        raise typer.Exit(EXIT_NOT_SOLVED)
    finish({"draws": tables["draws"]}, complete)
