"""Every scenario of a workbook beside the base case, with differences to the base."""

from __future__ import annotations

import pandas as pd

from ..errors import InputError
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.solution import Solution, shortfall_price_label
from ..workbook.cases import make_dataset
from ..workbook.validate import Workbook

FIGURES = {
    "system_cost_usd": "system_cost_vs_base_usd",
    "capex_usd": "capex_vs_base_usd",
    "protected_capex_usd": "protected_capex_vs_base_usd",
    "unmet_t": "unmet_vs_base_t",
    "shortfall_t": "shortfall_vs_base_t",
}
PRICED = "shortfall_priced"  # how shortfall_t was priced: "at any price" or the penalty per kg
COLUMNS = ["scenario", "changes", "status", "reason", *FIGURES, PRICED, *FIGURES.values()]


def figures(result: Solution, keys=tuple(FIGURES)) -> dict:
    """status, reason (when not optimal) and, only when optimal, the summary's figures (with
    shortfall_t, how it was priced)."""
    row = {"status": result.status.value, "reason": None if result.optimal else result.message}
    row |= {k: result.summary[k] if result.optimal else None for k in keys}
    if "shortfall_t" in keys:
        row[PRICED] = shortfall_price_label(result.summary) if result.optimal else None
    return row


def _text(value) -> str:
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


def _rule(wb: Workbook, rule) -> str:
    """`trade china→allied Dy separation output from 2027 banned`."""
    stage = {s.order: s.id for s in wb.stages}.get(rule.stage)
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


def make_cases(wb: Workbook, overrides: tuple = ()) -> dict:
    """The base case (key None) and every scenario; raises one InputError naming every problem."""
    datasets, issues = {}, []
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
    overrides: tuple = (),
    options: SolveOptions = DEFAULT_OPTIONS,
    on_row=None,
    models=None,
    workers: int = 1,
) -> pd.DataFrame:
    """One row per case, base first. Every case is made (and checked) before any is solved;
    a case that does not solve is a row with its status and reason and no figures; a `description`
    column after the name when a scenario has one (Workbook.scenario_descriptions). Cases are
    solved structure by structure through `models` (a run.warm.Models, new by default): a
    scenario whose rows are all mutable keys is an update of the base case's model. With
    `workers` > 1, one task per structure in that many processes: the same solves in the same order."""
    from .warm import CasesJob, Models

    models = models or Models(wb, options)
    overrides = tuple(overrides)
    cases = make_cases(wb, overrides)
    structures = {name: models.identity(name, overrides, ds)[0] for name, ds in cases.items()}
    first = {s: i for i, s in reversed(list(enumerate(structures.values())))}
    order = sorted(cases, key=lambda name: first[structures[name]])
    if workers > 1:
        from .parallel import run_tasks

        groups: dict[tuple, list] = {}
        for name in order:
            groups.setdefault(structures[name], []).append((name, overrides, False))
        results, complete = run_tasks(CasesJob(wb, options), sorted(groups.values(), key=len, reverse=True), workers)
        if not complete:
            raise KeyboardInterrupt
        for result in results:
            models.remember(result["solved"])
    rows = {}
    for name in order:
        result = models.solve(name, overrides, tables=False, ds=cases[name])
        rows[name] = {"scenario": name or "base", "changes": changes(wb, name)} | figures(result)
        if on_row:
            on_row(rows[name])
    table = _with_differences(pd.DataFrame([rows[name] for name in cases], columns=COLUMNS[: 5 + len(FIGURES)]))
    described = getattr(wb, "scenario_descriptions", {})
    if any(described.get(name, "") for name in cases if name):
        table.insert(1, "description", [described.get(name, "") if name else "" for name in cases])
    return table


def _with_differences(table: pd.DataFrame) -> pd.DataFrame:
    base = table.iloc[0]
    for figure, column in FIGURES.items():
        table[column] = table[figure].astype(float) - float(base[figure]) if base["status"] == "optimal" else None
    return table.astype({column: float for column in FIGURES.values()})
