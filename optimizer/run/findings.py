"""The headline answer (`rechain report`): every number from a solve in this run.

Deadlines, budgets and cost factors come from the workbook (its horizon, the
capex of its cheapest fully clean plan, its scenarios); every sentence of
findings.md is computed from the tables beside it. A point that does not solve
is a row with its status and reason, never a crash.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..models.dataset import Dataset, Stage
from ..models.figures import PREMIUM, column, keyed, premium_columns, read_ends
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.solution import Solution, clean_premiums, per_kg_premiums
from ..models.subject import Subject
from ..workbook.cases import Overrides, make_dataset
from ..workbook.validate import Workbook
from .budgets import blocs_text, budget_blocs, scenario_values
from .commitment import commitment
from .diagnosis import TOLERANCE
from .evidence import evidence_points, evidence_tables
from .frontier import budget_frontier
from .outlook import Outlook, budgets_of, outlook
from .scenario_groups import failures, group_sheets, requirement_cases, titles
from .scenarios import PRICED, compare_scenarios, figures, make_cases
from .tiers import Evidence
from .validation import validation_table
from .warm import CasesJob, Group, Models

COST_FACTORS = (1.0, 0.667, 0.5, 0.333, 0.25)
BUDGET_MULTIPLES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)  # of the budget capex of the cheapest fully clean plan
PREMIUM_ALPHAS = (0.1, 0.5)  # at alpha = 0 the requirement equals demand and its dual is not unique
PLAN = ("system_cost_usd", "capex_usd", "protected_capex_usd", "unmet_t", "shortfall_t")
PREMIUM_COLUMNS = [
    "system_cost_usd",
    "premium_usd",
    "premium_share",
    "capex_usd",
    "protected_capex_usd",
    "unmet_t",
    "shortfall_t",
    PRICED,
]
Row = dict[str, Any]  # a row of a findings table
Planned = tuple[str | None, Overrides, bool]  # a case the report solves: (scenario, overrides, tables)
Task = tuple[list[Planned], tuple[int, Overrides] | None]  # Runner.ahead's: cases, (year, clean plan) or None
SCENARIO_PREFIX = "scenarios_"  # the report's scenario tables: one per group
STOCK_KEYS = ("max_t", "initial_t")  # a scenario that sets only these is a stockpile lever
DEADLINE_COLUMNS = ["case", "independence_year", "status", "reason", *PREMIUM_COLUMNS]
FACTOR_COLUMNS = [
    "restricted_cost_factor",
    "defined_by",
    "status",
    "reason",
    "unconstrained_system_cost_usd",
    *PREMIUM_COLUMNS,
]


class Runner:
    """Solves cases of one workbook, each once, through models kept per structure (run.warm),
    counting every request as progress."""

    def __init__(self, wb: Workbook, options: SolveOptions, tick: Callable[..., object]) -> None:
        self.wb, self.options, self.tick = wb, options, tick  # progress: called with or without a row
        self.models = Models(wb, options)
        self.settings = make_dataset(wb).settings
        self.solved: dict[tuple[str | None, Overrides], Solution] = {}
        self.budgets: pd.DataFrame | None = None  # the budget frontier, when solved ahead (`ahead`)

    def key(self, **overrides: object) -> tuple[tuple[str, str], ...]:
        """The overrides of a case that change the settings, as `--set` would write them."""
        return tuple(sorted((k, _text(v)) for k, v in overrides.items() if getattr(self.settings, k, None) != v))

    def solve(self, scenario: str | None = None, /, **overrides: object) -> Solution:
        key = self.key(**overrides)
        if (scenario, key) not in self.solved:
            self.solved[(scenario, key)] = self.models.solve(scenario, key)
        self.tick()
        return self.solved[(scenario, key)]

    def ahead(self, subject: Subject, workers: int, on_done: Callable[[], object] | None = None) -> None:
        """Solve the report's cases ahead (`tasks`) in `workers` processes (1: this one). The tables
        then take these solves."""
        from .parallel import run_tasks

        tasks = self.tasks(subject)

        def done(rows: list[Row]) -> None:
            for row in rows:
                for _ in range(len(row["solved"]) + (0 if row["budgets"] is None else len(row["budgets"]))):
                    if on_done:
                        on_done()

        results, complete = run_tasks(ReportJob(self.wb, self.options), tasks, workers, on_row=done)
        if not complete:
            raise KeyboardInterrupt
        for result in results:
            self.models.remember(result["solved"])
            if result["budgets"] is not None:
                self.budgets = result["budgets"]

    def tasks(self, subject: Subject) -> list[Task]:
        """The report's cases (scenario, overrides, tables), one task per group of cases that share a
        built model (run.warm.Models.identity), the longest first, its cases in the order of `_near`
        (but the fully clean plan at the subject's year first: binding_stages reads its shadow prices,
        which a warm re-solve may pick otherwise where they are not unique); the budget frontier (year,
        overrides of that plan) after the cases of that plan's group."""
        groups: dict[Group, list[tuple[tuple[float, ...], Planned]]] = {}
        for scenario, overrides, tables in planned(self, subject):
            group, values = self.models.identity(scenario, overrides, self.models.dataset(scenario, overrides))
            groups.setdefault(group, []).append((_near(values), (scenario, overrides, tables)))
        ordered = {group: [case for _, case in sorted(cases, key=lambda c: c[0])] for group, cases in groups.items()}
        clean = self.key(**_clean(subject))
        at = self.models.identity(None, clean, self.models.dataset(None, clean))[0]
        ordered[at].sort(key=lambda case: case != (None, clean, True))  # its shadow prices from a cold solve
        tasks: list[Task] = [(cases, (subject.year, clean) if g == at else None) for g, cases in ordered.items()]
        return sorted(tasks, key=_weight, reverse=True)

    @property
    def failed(self) -> int:
        return sum(not r.optimal for r in self.solved.values())


BUILD_WEIGHT = 4  # a build and its first solve, in warm re-solves (to order the tasks of `Runner.ahead`)


def _clean(subject: Subject) -> dict[str, float]:
    return {"max_restricted_share": 0.0, "independence_year": subject.year}


def planned(run: Runner, subject: Subject) -> list[Planned]:
    """(scenario, overrides, tables) of every case the report's tables solve, in their order."""
    cases: list[Planned] = [(None, run.key(max_restricted_share=1.0), True)]
    cases += [(None, run.key(max_restricted_share=0.0, independence_year=year), True) for year in subject.deadlines]
    cases.append((None, run.key(**_clean(subject)), True))
    for factor, _ in cost_factors(run.wb, subject.cost_factor):
        cases.append((None, run.key(max_restricted_share=1.0, restricted_cost_factor=factor), True))
        cases.append((None, run.key(**_clean(subject), restricted_cost_factor=factor), True))
    cases += [(None, run.key(max_restricted_share=a, independence_year=subject.year), True) for a in PREMIUM_ALPHAS]
    for _, rule, _ in definitions(run.wb, subject)[1:]:
        cases.append((None, run.key(max_restricted_share=1.0, **rule), True))
        cases.append((None, run.key(**_clean(subject), **rule), True))
    scenarios: list[Planned] = [(name, (), False) for name in run.wb.scenario_names]
    datasets: dict[str | None, Dataset] = {name: run.models.dataset(name) for name in run.wb.scenario_names}
    return cases + scenarios + [(n, o, False) for n, o in requirement_cases(datasets, (), subject.year)]


def _near(values: tuple[tuple[str, float | None], ...]) -> tuple[float, ...]:
    """Cases of one group in the order of their values (α from 1 down, the others up; by key, the
    scalar parameters and the keys a case sets, compared position by position), so that each warm
    re-solve starts from a close case."""
    order = []
    for key, value in values:
        v = -math.inf if value is None else value
        order.append(-v if key == "max_restricted_share" else v)
    return tuple(order)


def _weight(task: Task) -> int:
    cases, budgets = task
    return BUILD_WEIGHT + len(cases) + (0 if budgets is None else BUILD_WEIGHT + 2 * len(BUDGET_MULTIPLES))


@dataclass(frozen=True)
class ReportJob:
    """Cases of one structure (and the budget frontier from one year's fully clean plan) in a
    worker process; run.parallel keeps the worker's models between tasks."""

    wb: Workbook
    options: SolveOptions

    def run(self, task: Task, cache: dict[Any, Any]) -> dict[str, Any]:
        """`task`: the cases, and (year, overrides of its fully clean plan) for the budget frontier."""
        cases, budgets = task
        solved = CasesJob(self.wb, self.options).run(cases, cache)["solved"]
        models, table = cache["models"], None
        if budgets is not None:
            year, clean = budgets
            grid = budget_grid(self.wb, models.solve(None, clean))
            table = _budget_table(self.wb, self.options, year, grid, lambda _: None)
        return {"solved": solved, "budgets": table}


def _text(value: object) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _premium(clean: Solution, free: Solution) -> Row:
    if not (clean.optimal and free.optimal):
        return {"premium_usd": None, "premium_share": None}
    assert clean.figures is not None and free.figures is not None
    cost, base = clean.figures.system_cost_usd, free.figures.system_cost_usd
    premiums = premium_columns(per_kg_premiums(clean.figures, free.figures))
    return {"premium_usd": cost - base, "premium_share": (cost - base) / base if base else None} | premiums


def _with_per_kg(rows: list[Row], columns: list[str]) -> pd.DataFrame:
    """The table with a `premium_usd_per_kg.<e>` column per element after `premium_share`, each followed, where
    a marginal cost of some row is not unique, by `premium_unique.<e>` (True where the row's premium is unique),
    `premium_low_usd_per_kg.<e>` and `premium_high_usd_per_kg.<e>` (its ends where it is not)."""
    keys = {k for r in rows for k in r}
    elements = sorted(keyed(keys, "premium_usd_per_kg"))
    extra = [c for e in elements for c in (column(name, e) for name in PREMIUM) if c in keys]
    unique = {e: column("premium_unique", e) for e in elements}
    rows = [r | {unique[e]: True for e in elements if _point(r, e) and unique[e] not in r} for r in rows]
    at = columns.index("premium_share") + 1
    return pd.DataFrame(rows, columns=columns[:at] + extra + columns[at:])


def _worse(clean: Solution, free: Solution) -> Row:
    """status and reason of a row made of two solves: the first that failed."""
    for label, r in (("unconstrained plan", free), ("fully clean plan", clean)):
        if not r.optimal:
            return {"status": r.status.value, "reason": f"{label}: {r.message}"}
    return {"status": Status.OPTIMAL.value, "reason": None}


def deadline_table(run: Runner, subject: Subject) -> pd.DataFrame:
    """The unconstrained plan and fully clean supply from each deadline; where a deadline falls short,
    also under each stockpile scenario of the workbook (stock taken counts as clean supply, model.md
    v3), so that "out of reach" is said only of the world without strategic stock."""
    free = run.solve(max_restricted_share=1.0)
    rows = [{"case": "unconstrained"} | figures(free, PLAN)]
    years: list[int | None] = [None]
    for year in subject.deadlines:
        clean = run.solve(max_restricted_share=0.0, independence_year=year)
        rows.append({"case": f"fully clean from {year}"} | figures(clean, PLAN) | _premium(clean, free))
        years.append(year)
        if not (clean.optimal and clean.summary["shortfall_t"] > TOLERANCE):
            continue
        for name in stock_scenarios(run.wb):
            stocked = run.solve(name, max_restricted_share=0.0, independence_year=year)
            stocked_free = run.solve(name, max_restricted_share=1.0)
            row = {"case": f"fully clean from {year}, scenario {name}"} | figures(stocked, PLAN)
            rows.append(row | _premium(stocked, stocked_free))
            years.append(year)
    table = _with_per_kg(rows, DEADLINE_COLUMNS)
    table["independence_year"] = pd.Series(years, dtype=object)
    return table


def stock_scenarios(wb: Workbook) -> list[str]:
    """Scenarios of the workbook that only open or fill stockpiles (keys max_t.* and initial_t.*)."""
    return [
        name
        for name, entries in wb.scenarios.items()
        if entries and all(key.split(".")[0].strip().lower() in STOCK_KEYS for key, _, _ in entries)
    ]


def cost_factors(wb: Workbook, setting: float) -> list[tuple[float, str]]:
    """(factor, where it comes from): a default grid, the settings and every scenario that sets one."""
    sources: defaultdict[float, list[str]] = defaultdict(list, {f: [] for f in COST_FACTORS})
    sources[float(setting)].append("settings")
    for value, name in scenario_values(wb, "restricted_cost_factor"):
        sources[value].append(f"scenario {name}")
    return [(f, "; ".join(names)) for f, names in sorted(sources.items(), reverse=True)]


def cost_factor_table(run: Runner, subject: Subject) -> pd.DataFrame:
    rows = []
    for factor, source in cost_factors(run.wb, subject.cost_factor):
        free = run.solve(max_restricted_share=1.0, restricted_cost_factor=factor)
        clean = run.solve(max_restricted_share=0.0, independence_year=subject.year, restricted_cost_factor=factor)
        row = {"restricted_cost_factor": factor, "defined_by": source} | _worse(clean, free)
        if clean.optimal and free.optimal:
            row |= (
                {"unconstrained_system_cost_usd": free.summary["system_cost_usd"]}
                | {k: clean.summary[k] for k in PLAN}
                | _premium(clean, free)
            )
        rows.append(row)
    return _with_per_kg(rows, FACTOR_COLUMNS)


CLEAN_KEYS = ("restricted_blocs", "clean_by", "allied_only_stages")  # the settings that say who is clean


def definitions(wb: Workbook, subject: Subject) -> list[tuple[str, dict[str, str], str]]:
    """(definition, its overrides as `--set` writes them, where it comes from): the settings' first, then
    allied-only (every bloc outside the protected ones restricted), then every scenario's rows of
    CLEAN_KEYS; a definition that restricts the same nodes at every stage as one listed is not repeated."""
    ds = make_dataset(wb)
    others = ", ".join(sorted(set(ds.nodes.values()) - set(ds.settings.protected_blocs)))
    found = [
        (f"clean = never touched {subject.restricted}", {}, "settings"),
        (
            f"{subject.protected}-only: every bloc but {subject.protected} restricted",
            {"restricted_blocs": others},
            "report",
        ),
    ]
    for name, entries in sorted(wb.scenarios.items()):
        rule = {
            k.strip().lower(): str(v) for k, v, _ in entries if k.strip().lower() in CLEAN_KEYS and v not in (None, "")
        }
        if rule:
            found.append((_definition(rule, subject), rule, f"scenario {name}"))
    merged: dict[object, tuple[str, dict[str, str], list[str]]] = {}
    for label, rule, source in found:
        restricted = make_dataset(wb, overrides=tuple(rule.items())).restricted_by_stage
        merged.setdefault(tuple(sorted(restricted.items())), (label, rule, []))[2].append(source)
    return [(label, rule, "; ".join(sources)) for label, rule, sources in merged.values()]


def _definition(rule: dict[str, str], subject: Subject) -> str:
    words = {
        "restricted_blocs": lambda v: "never touched " + " and ".join(b.strip() for b in v.split(",") if b.strip()),
        "clean_by": lambda v: f"restricted by {v.strip().lower()}",
        "allied_only_stages": lambda v: f"{v} clean only at {subject.protected} nodes",
    }
    return "clean = " + "; ".join(words[k](v) for k, v in rule.items())


def _rule(rule: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in rule.items())


DEFINITION_COLUMNS = ["definition", "rule", "defined_by", "status", "reason", *PREMIUM_COLUMNS]


def definition_table(run: Runner, subject: Subject) -> pd.DataFrame:
    """Fully clean supply from the report's deadline under each definition of clean."""
    rows = []
    for label, rule, source in definitions(run.wb, subject):
        free = run.solve(max_restricted_share=1.0, **rule)
        clean = run.solve(**_clean(subject), **rule)
        row = {"definition": label, "rule": _rule(rule), "defined_by": source} | _worse(clean, free)
        if clean.optimal and free.optimal:
            row |= {k: clean.summary[k] for k in PLAN} | _premium(clean, free)
        rows.append(row)
    return _with_per_kg(rows, DEFINITION_COLUMNS)


PAYMENT_COLUMNS = [
    "case",
    "status",
    "protected_payment_usd",
    "payment_change_usd",
    "payment_change_share",
    "premium_usd",
    "premium_share_of_payment",
]


def payment_table(run: Runner, subject: Subject) -> pd.DataFrame:
    """What protected consumers pay for their need at marginal supply cost (discounted, as system
    cost), unconstrained and fully clean from each deadline, and the system premium against it."""
    free = run.solve(max_restricted_share=1.0)
    cases = [("unconstrained", free)] + [
        (f"fully clean from {y}", run.solve(max_restricted_share=0.0, independence_year=y)) for y in subject.deadlines
    ]
    rows = []
    for label, case in cases:
        row: Row = {"case": label, "status": case.status.value}
        if case.optimal and free.optimal:
            paid, base = (c.summary["protected_payment_usd"]["discounted"] for c in (case, free))
            premium = case.summary["system_cost_usd"] - free.summary["system_cost_usd"]
            row |= {
                "protected_payment_usd": paid,
                "payment_change_usd": paid - base,
                "payment_change_share": (paid - base) / base if base else None,
                "premium_usd": premium,
                "premium_share_of_payment": premium / base if base else None,
            }
        rows.append(row)
    return pd.DataFrame(rows, columns=PAYMENT_COLUMNS)


def comparator_table(wb: Workbook, deadlines_: pd.DataFrame, factors: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each public comparator beside the model's per-kg premium of its element: at the report's
    deadline, and its range over the cost factors. Where a marginal cost behind the model's figure is
    not unique, `marginal_unique` is False and `marginal_low_usd_per_kg` to `marginal_high_usd_per_kg`
    is the range of valid premiums (blank: no finite end)."""
    columns = [
        "element",
        "comparator",
        "premium_low_usd_per_kg",
        "premium_high_usd_per_kg",
        "model_usd_per_kg",
        "marginal_unique",
        "marginal_low_usd_per_kg",
        "marginal_high_usd_per_kg",
        "model_low_usd_per_kg",
        "model_high_usd_per_kg",
        "source",
    ]
    at = deadlines_[deadlines_["independence_year"] == year]
    solved = len(at) > 0 and at["status"].iloc[0] == Status.OPTIMAL.value
    rows = []
    for c in wb.comparators:
        name = column("premium_usd_per_kg", c.element)
        model = at[name].iloc[0] if solved and name in at else None
        spread = pd.to_numeric(factors[name], errors="coerce").dropna() if name in factors else pd.Series()
        rows.append(
            {
                "element": c.element,
                "comparator": c.comparator,
                "premium_low_usd_per_kg": c.low,
                "premium_high_usd_per_kg": c.high,
                "model_usd_per_kg": model,
                **_marginal_range(at if solved else at.iloc[:0], c.element),
                "model_low_usd_per_kg": spread.min() if len(spread) else None,
                "model_high_usd_per_kg": spread.max() if len(spread) else None,
                "source": c.source,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _point(row: Row, element: str) -> bool:
    value = row.get(column("premium_usd_per_kg", element))
    return value is not None and not pd.isna(value)


def _marginal_range(at: pd.DataFrame, element: str) -> Row:
    """`marginal_unique` of the first row's per-kg premium of `element` and, where it is not unique, its ends."""
    if at.empty or not _point(at.iloc[0].to_dict(), element):
        return {"marginal_unique": None, "marginal_low_usd_per_kg": None, "marginal_high_usd_per_kg": None}
    ends = read_ends(at.iloc[0], "premium_usd_per_kg", element) or (None, None)
    unique = read_ends(at.iloc[0], "premium_usd_per_kg", element) is None
    return {"marginal_unique": unique, "marginal_low_usd_per_kg": ends[0], "marginal_high_usd_per_kg": ends[1]}


def claim_table(wb: Workbook, scenarios: pd.DataFrame) -> pd.DataFrame:
    """Each claim of the workbook's claims sheet with its evidence and, where it names a scenario,
    what the model says of that scenario (against the base case)."""
    shown = ["status", "system_cost_vs_base_usd", "capex_usd", "protected_capex_usd", "shortfall_t"]
    columns = ["claim", "verdict", "evidence", "scenario", *shown, "source"]
    by_name = {r["scenario"]: r for _, r in scenarios.iterrows()}
    rows = []
    for c in wb.claims:
        row = {"claim": c.claim, "verdict": c.verdict, "evidence": c.evidence, "scenario": c.scenario}
        found = by_name.get(c.scenario) if c.scenario else None
        if found is not None:
            row |= {"status": found["status"]} | (
                {k: found.get(k) for k in shown[1:]} if found["status"] == Status.OPTIMAL.value else {}
            )
        rows.append(row | {"source": c.source})
    return pd.DataFrame(rows, columns=columns)


def budget_grid(wb: Workbook, clean: Solution) -> list[tuple[float, tuple[str, ...], str]]:
    """(budget, the blocs whose capex it caps, where it comes from): multiples of the budget capex of the
    cheapest fully clean plan at the settings' budget_blocs, and every budget_usd a scenario sets at that
    scenario's budget_blocs (the case the scenario defines: docs/model.md, "Readings decided")."""
    sources = defaultdict(list)
    top = clean.summary["budget_capex_usd"] if clean.optimal else 0.0
    settings = budget_blocs(wb, None)
    for m in BUDGET_MULTIPLES if top > 0 else (0.0,):
        sources[(settings, m * top)].append(f"{m:g} × budget capex of the fully clean plan")
    for value, name in scenario_values(wb, "budget_usd"):
        sources[(budget_blocs(wb, name), value)].append(f"budget_usd of scenario {name}")
    ordered = sorted(sources.items(), key=lambda item: (item[0][0] != settings, item[0][0], item[0][1]))
    return [(b, blocs, "; ".join(names)) for (blocs, b), names in ordered]


def budget_table(run: Runner, subject: Subject, grid: list[tuple[float, tuple[str, ...], str]]) -> pd.DataFrame:
    if run.budgets is not None:
        table = run.budgets
        run.budgets = None
        for _ in grid:
            run.tick()
        return table
    return _budget_table(run.wb, run.options, subject.year, grid, lambda _: run.tick())


def _budget_table(
    wb: Workbook,
    options: SolveOptions,
    year: int,
    grid: list[tuple[float, tuple[str, ...], str]],
    tick: Callable[[Row], object],
) -> pd.DataFrame:
    """The budget frontier at each bloc set of the grid (the settings' first), one row per budget with the
    blocs it caps (`budget_blocs`) and where it comes from (`defined_by`)."""
    settings = budget_blocs(wb, None)
    tables = []
    for blocs in dict.fromkeys(b for _, b, _ in grid):
        budgets = [v for v, b, _ in grid if b == blocs]
        covered = () if blocs == settings else (("budget_blocs", ", ".join(blocs)),)
        tables.append(_frontier(wb, options, (("independence_year", str(year)), *covered), budgets, tick))
    table = pd.concat(tables, ignore_index=True).drop(columns=["restricted_cost_factor"], errors="ignore")
    if "reason" not in table:
        table.insert(table.columns.get_loc("status") + 1, "reason", None)
    table.insert(1, "budget_blocs", [blocs_text(b) for _, b, _ in grid])
    table.insert(2, "defined_by", [source for _, _, source in grid])
    return table


def _frontier(
    wb: Workbook, options: SolveOptions, overrides: Overrides, budgets: list[float], tick: Callable[[Row], object]
) -> pd.DataFrame:
    try:
        return budget_frontier(wb, None, overrides, budgets, None, options, tick)
    except Exception as exc:  # a failed frontier is reported, never fatal
        return pd.DataFrame(
            {"budget_usd": budgets, "status": Status.ERROR.value, "reason": f"{type(exc).__name__}: {exc}"}
        )


def premium_table(result: Solution) -> pd.DataFrame:
    """Clean premium and shortfall per element (one row with status and reason if it failed)."""
    columns = ["element", "status", "reason", "clean_premium_usd_per_t", "shortfall_t"]
    if not result.optimal:
        return pd.DataFrame([figures(result, ())], columns=columns)
    shortfall = result.tables["independence"].groupby("element")["shortfall_t"].sum()
    rows = [
        {
            "element": e,
            "status": result.status.value,
            "reason": None,
            "clean_premium_usd_per_t": p,
            "shortfall_t": float(shortfall.get(e, 0.0)),
        }
        for e, p in sorted(clean_premiums(result).items())
    ]
    return pd.DataFrame(rows, columns=columns)


def binding_stages(result: Solution, stages: Sequence[Stage]) -> pd.DataFrame:
    """Binding capacity by stage (in chain order) and bloc: how many facility-years bind and
    the value of one more t/yr there (discounted USD)."""
    columns = [
        "order",
        "stage",
        "bloc",
        "status",
        "reason",
        "binding_facility_years",
        "mean_usd_per_tpa",
        "max_usd_per_tpa",
    ]
    if not result.optimal:
        return pd.DataFrame([figures(result, ())], columns=columns)
    order = {s.id: s.order for s in stages}
    cap = result.tables["binding_capacity"]
    table = (
        cap.groupby(["stage", "bloc"])["usd_per_tpa"]
        .agg(["count", "mean", "max"])
        .reset_index()
        .rename(columns={"count": "binding_facility_years", "mean": "mean_usd_per_tpa", "max": "max_usd_per_tpa"})
    )
    table["order"] = table["stage"].map(order)
    table["status"], table["reason"] = result.status.value, None
    return table.sort_values(["order", "bloc"])[columns].reset_index(drop=True)


def subject_of(wb: Workbook) -> Subject:
    """What the workbook's base case says the report is about."""
    return Subject.of(make_dataset(wb))


@dataclass(frozen=True)
class Findings:
    """The report's tables and what its text needs beside them (rechain.report.findings writes them)."""

    subject: Subject
    sheets: dict[str, pd.DataFrame]
    facts: dict[str, Any]  # draws, seed, mode, how costs are discounted and a shortfall priced
    rows: int  # uncertainty rows the outlook drew
    groups: dict[str, str]  # the scenario tables: sheet -> its group in words
    same_draws: dict[int, float]  # outlook rows that took the draws of the budget given (Outlook.same_draws)
    failed: int  # points that did not solve


def _points(wb: Workbook, path: Path, subject: Subject, draws: int) -> int:
    """The solves and draws the report asks for, as progress counts them (the budget grid may add some)."""
    return (
        2
        + len(subject.deadlines)
        + len(PREMIUM_ALPHAS)
        + 2 * len(cost_factors(wb, subject.cost_factor))
        + 2 * (len(definitions(wb, subject)) - 1)
        + len(BUDGET_MULTIPLES)
        + 1
        + 2 * len(wb.scenario_names)
        + draws * (len(budgets_of(wb)) + 1)  # + 1: the chart budget's draws in commit mode
        + evidence_points(wb, path, draws)
    )


def report_tables(
    wb: Workbook,
    path: Path,
    options: SolveOptions = DEFAULT_OPTIONS,
    progress: Callable[[int, int], object] | None = None,
    workers: int = 1,
    draws: int = 0,
    seed: int = 0,
) -> Findings:
    """The tables of findings.md; `progress(done, total)` is told of each solve. The cases are solved
    ahead (Runner.ahead) in `workers` processes: the same solves, in the same order per structure, for
    any number; then `draws` risk draws (seed `seed`, replan) per budget of the outlook, and the chart
    budget's draws again in commit mode (run.commitment)."""
    make_cases(wb)
    subject = subject_of(wb)
    total, done = [_points(wb, path, subject, draws)], [0]

    def tick(*_: object) -> None:

        done[0] += 1
        if progress:
            progress(done[0], max(total[0], done[0]))

    run = Runner(wb, options, tick)
    run.ahead(subject, workers, tick)
    run.tick = lambda *_: None
    sheets = {"deadlines": deadline_table(run, subject), "payment": payment_table(run, subject)}
    sheets["definitions"] = definition_table(run, subject)
    clean = run.solve(max_restricted_share=0.0, independence_year=subject.year)
    sheets["cost_factor"] = cost_factor_table(run, subject)
    grid = budget_grid(wb, clean)
    total[0] += len(grid) - len(BUDGET_MULTIPLES)
    sheets["budgets"] = budget_table(run, subject, grid)
    for alpha in PREMIUM_ALPHAS:
        sheets[f"clean_premium_{round((1 - alpha) * 100)}pct"] = premium_table(
            run.solve(max_restricted_share=alpha, independence_year=subject.year)
        )
    sheets["binding_stages"] = binding_stages(clean, make_dataset(wb).stages)
    scenarios = compare_scenarios(wb, (), options, on_row=run.tick, models=run.models, require_from=subject.year)
    sheets |= group_sheets(scenarios, SCENARIO_PREFIX)
    sheets["comparators"] = comparator_table(wb, sheets["deadlines"], sheets["cost_factor"], subject.year)
    sheets["claims"] = claim_table(wb, scenarios)
    sheets["validation"] = validation_table(wb.observed, run.solve(max_restricted_share=1.0))
    seen = outlook(wb, path, subject.year, draws, seed, options, workers, tick, subject.deadlines)
    if not seen.complete:
        raise KeyboardInterrupt
    sheets |= {"outlook": seen.budgets, "outlook_probability": seen.probability}
    sheets |= {"outlook_fan": seen.fan, "outlook_thresholds": seen.thresholds}
    sheets |= evidence_tables(wb, path, subject, seen, Evidence(options, workers, draws, seed), tick)
    committed = commitment(seen.chart, draws, subject.year, workers, tick)
    if not committed.complete:
        raise KeyboardInterrupt
    sheets |= {"commitment": committed.table, "commitment_by_year": committed.by_year}
    facts = {"draws": draws, "seed": seed, "mode": "replan", "costs": subject.discounting, "shortfall": subject.price}
    failed = run.failed + failures(scenarios) + committed.unsolved + _unsolved(sheets, seen)
    groups = titles(sheets, SCENARIO_PREFIX)
    return Findings(subject, sheets, facts, seen.rows, groups, seen.same_draws, failed)


def _unsolved(sheets: dict[str, pd.DataFrame], seen: Outlook) -> int:
    """Budgets, outlook draws and tornado points that did not solve."""
    return (
        int((sheets["budgets"]["status"] != "optimal").sum())
        + int((seen.budgets["draws"] - seen.budgets["solved"]).sum())
        + int((sheets["tornado"]["status"] != "optimal").sum())
    )
