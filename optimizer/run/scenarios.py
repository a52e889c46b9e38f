"""Every scenario of a workbook beside the base case, with differences to the base."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..base.errors import InputError, Issue
from ..models.dataset import Dataset, TradeRule
from ..models.figures import shortfall_price_label
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.solution import Solution
from ..workbook.cases import Case, Overrides, make_dataset
from ..workbook.validate import Workbook

if TYPE_CHECKING:
    from .warm import Group, Models
from .scenario_groups import REQUIRED_COLUMNS, check_year, group_of, in_order, required_figures, requirement_cases

FIGURES = {
    "system_cost_usd": "system_cost_vs_base_usd",
    "capex_usd": "capex_vs_base_usd",
    "protected_capex_usd": "protected_capex_vs_base_usd",
    "unmet_t": "unmet_vs_base_t",
    "shortfall_t": "shortfall_vs_base_t",
}
PRICED = "shortfall_priced"  # how shortfall_t was priced: "at any price" or the penalty per kg
COLUMNS = ["scenario", "changes", "status", "reason", *FIGURES, PRICED, *FIGURES.values()]


def figures(result: Solution, keys: tuple[str, ...] = tuple(FIGURES)) -> dict[str, Any]:
    """status, reason (when not optimal) and, only when optimal, the summary's figures (with
    shortfall_t, how it was priced)."""
    row: dict[str, Any] = {"status": result.status.value, "reason": None if result.optimal else result.message}
    row |= {k: result.summary[k] if result.optimal else None for k in keys}
    if "shortfall_t" in keys:
        row[PRICED] = shortfall_price_label(result.summary) if result.optimal else None
    return row


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def changes(wb: Workbook, name: str | None) -> str:
    """What a scenario changes: its key=value rows, scoped trade rules and bloc budgets."""
    if name is None:
        return ""
    parts = [f"{key}={_text(value)}" for key, value, _ in wb.scenarios.get(name, [])]
    parts += [_rule(wb, rule) for scope, rule in wb.trade_rules if scope == name]
    parts += [f"budget of {b.bloc}={_text(b.budget_usd)}" for scope, b in wb.bloc_budgets if scope == name]
    return "; ".join(dict.fromkeys(parts))


def _rule(wb: Workbook, rule: TradeRule) -> str:
    """`trade china→allied Dy separation output from 2027 banned`."""
    stages: dict[int | None, str] = {s.order: s.id for s in wb.stages}
    stage = stages.get(rule.stage)
    first, last = rule.first_year, rule.last_year
    years = f"{first}–{last}" if first and last else f"from {first}" if first else f"until {last}" if last else ""
    what = "banned" if not rule.allowed else f"tariff {_text(rule.tariff_usd_per_t)} USD/t"
    words = [
        f"trade {rule.from_bloc or 'any'}→{rule.to_bloc or 'any'}",
        rule.element,
        stage and f"{stage} output",
        years,
        what,
    ]
    return " ".join(w for w in words if w)


def make_cases(wb: Workbook, overrides: Overrides = ()) -> dict[str | None, Dataset]:
    """The base case (key None) and every scenario; raises one InputError naming every problem."""
    datasets: dict[str | None, Dataset] = {}
    issues: list[Issue] = []
    for name in [None, *wb.scenario_names]:
        try:
            datasets[name] = make_dataset(wb, name, tuple(overrides))
        except InputError as exc:
            issues += [i for i in exc.issues if i not in issues]
    if issues:
        raise InputError(issues)
    return datasets


def compare_scenarios(
    wb: Workbook,
    overrides: Overrides = (),
    options: SolveOptions = DEFAULT_OPTIONS,
    on_row: Callable[[dict[str, Any]], object] | None = None,
    models: Models | None = None,
    workers: int = 1,
    require_from: int | None = None,
) -> pd.DataFrame:
    """One row per case, the base first, then each group of scenarios (run.scenario_groups: a `group`
    column), the largest change against the base first. Every case is made (and checked) before any
    is solved; a case that does not solve is a row with its status and reason and no figures; a
    `description` column after the name when a scenario has one (Workbook.scenario_descriptions).
    With `require_from` = Y, the REQUIRED_COLUMNS: each case also with clean supply from Y and its
    premium over itself unconstrained (a case that asks for clean supply itself: shown once). Cases
    are solved structure by structure through `models` (a run.warm.Models, new by default): a case
    whose rows are all mutable keys is an update of a model of the same structure. With `workers` > 1,
    one task per structure in that many processes: the same solves in the same order."""
    from .warm import Models

    models = models or Models(wb, options)
    overrides = tuple(overrides)
    cases = make_cases(wb, overrides)
    if require_from:
        check_year(cases[None], require_from)
    extra = dict(zip(cases, requirement_cases(cases, overrides, require_from), strict=True)) if require_from else {}
    datasets = {(name, overrides): ds for name, ds in cases.items()} | _made(wb, list(extra.values()))
    solved = _solve_all(wb, models, datasets, workers, on_row, require_from)
    rows = [{"scenario": n or "base", "changes": changes(wb, n)} | figures(solved[(n, overrides)]) for n in cases]
    table = _with_differences(pd.DataFrame(rows, columns=COLUMNS[: 5 + len(FIGURES)]))
    if require_from:
        figures_ = [
            required_figures(solved[(n, overrides)], solved[extra[n]], ds, require_from) for n, ds in cases.items()
        ]
        table = pd.concat([table, pd.DataFrame(figures_, columns=REQUIRED_COLUMNS)], axis=1)
    table.insert(1, "group", [group_of(wb, name) for name in cases])
    described = getattr(wb, "scenario_descriptions", {})
    if any(described.get(name, "") for name in cases if name):
        table.insert(1, "description", [described.get(name, "") if name else "" for name in cases])
    return in_order(table)


def _made(wb: Workbook, jobs: list[Case]) -> dict[Case, Dataset]:
    """The datasets of (scenario, overrides) jobs; one InputError naming every problem."""
    datasets: dict[Case, Dataset] = {}
    issues: list[Issue] = []
    for name, overrides in jobs:
        try:
            datasets[(name, overrides)] = make_dataset(wb, name, overrides)
        except InputError as exc:
            issues += [i for i in exc.issues if i not in issues]
    if issues:
        raise InputError(issues)
    return datasets


def _solve_all(
    wb: Workbook,
    models: Models,
    datasets: dict[Case, Dataset],
    workers: int,
    on_row: Callable[[dict[str, Any]], object] | None,
    year: int | None,
) -> dict[Case, Solution]:
    """Every (scenario, overrides) job of `datasets` solved, in the order of their structures' first jobs;
    `on_row` sees each solve's row (an extra job named `<scenario> (clean from Y)` or `(unconstrained)`)."""
    jobs = list(datasets)
    structures = {job: models.identity(*job, datasets[job])[0] for job in jobs}
    first = {s: i for i, s in reversed(list(enumerate(structures.values())))}
    order = sorted(jobs, key=lambda job: first[structures[job]])
    if workers > 1:
        _in_workers(wb, models, order, structures, workers)
    solved: dict[Case, Solution] = {}
    for job in order:
        solved[job] = models.solve(*job, tables=False, ds=datasets[job])
        if on_row:
            name = job[0] or "base"
            label = name if len(job[1]) == len(jobs[0][1]) else f"{name} ({_extra_label(job[1], year)})"
            on_row({"scenario": label, "changes": changes(wb, job[0])} | figures(solved[job]))
    return solved


def _extra_label(overrides: Overrides, year: int | None) -> str:
    return "unconstrained" if overrides[-1] == ("max_restricted_share", "1") else f"clean from {year}"


def _in_workers(wb: Workbook, models: Models, order: list[Case], structures: dict[Case, Group], workers: int) -> None:
    from .parallel import run_tasks
    from .warm import CasesJob

    groups: dict[Group, list[tuple[str | None, Overrides, bool]]] = {}
    for name, overrides in order:
        groups.setdefault(structures[(name, overrides)], []).append((name, overrides, False))
    results, complete = run_tasks(CasesJob(wb, models.options), sorted(groups.values(), key=len, reverse=True), workers)
    if not complete:
        raise KeyboardInterrupt
    for result in results:
        models.remember(result["solved"])


def _with_differences(table: pd.DataFrame) -> pd.DataFrame:
    base = table.iloc[0]
    for figure, column in FIGURES.items():
        table[column] = table[figure].astype(float) - float(base[figure]) if base["status"] == "optimal" else None
    return table.astype({column: float for column in FIGURES.values()})
