"""The report's outlook under uncertainty: `rechain risk` (replan) on the fully clean case at the
report's deadline, once per budget, with the workbook's uncertainty sheet (risk.md v3).

Budgets are 0 and every `budget_usd` a scenario sets, ascending; where the budget bound in no solve
of any draw, every larger budget gives the same draws (relaxing a row that does not bind keeps each
LP's optimum) and takes them without solving. Per budget: how many draws meet the requirement,
premium and protected capex over all solved draws and over those that meet it; per solved budget,
condition class, element and deadline year the probabilities at the three thresholds with their 90 %
Wilson intervals and the clean share's P10/P50/P90; for the chart budget (the largest solved one)
the clean-share fan and the thresholds by year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..models.highs import SolveOptions
from ..workbook.validate import Workbook
from .budgets import blocs_text, budget_blocs, scenario_values
from .risk import ALL_DRAWS, ALL_ELEMENTS, FULLY_MET, REQUIREMENT_MET, RiskJob, load_risk, run_risk

QUANTILES = (0.1, 0.5, 0.9)
LEVELS = {"≥95%": "95", "≥99%": "99", FULLY_MET: "full"}  # threshold -> column infix
FIGURES = (("premium_usd", "premium"), ("protected_capex_usd", "protected_capex"))
OUTLOOK_COLUMNS = [
    "budget_usd",
    "budget_blocs",
    "defined_by",
    "draws",
    "solved",
    "budget_bound",
    "requirement_met",
    *[f"{name}{subset}_p{q}_usd" for _, name in FIGURES for subset in ("", "_if_met") for q in (10, 50, 90)],
]
PROBABILITY_COLUMNS = [
    "budget_usd",
    "budget_blocs",
    "condition",
    "class",
    "element",
    "year",
    "draws",
    *[f"probability_{infix}{end}" for infix in LEVELS.values() for end in ("", "_low", "_high")],
    "clean_share_p10",
    "clean_share_p50",
    "clean_share_p90",
]


@dataclass(frozen=True)
class Drawn:
    """The chart budget's draws: the job that drew them (its case, rows, seed, options) and its tables."""

    budget: float
    job: RiskJob
    result: dict[str, Any]


@dataclass(frozen=True)
class Outlook:
    """The tables, and what the reader must know to cite them."""

    budgets: pd.DataFrame  # one row per budget (OUTLOOK_COLUMNS)
    probability: pd.DataFrame  # per solved budget, condition class, element and deadline year (PROBABILITY_COLUMNS)
    fan: pd.DataFrame  # the chart budget, all draws: element, year, n, clean share P10/P50/P90
    thresholds: pd.DataFrame  # the chart budget, all draws, every element at once: year, threshold, probability
    draws: int
    seed: int
    rows: int  # uncertainty rows used (0: the workbook has none; nothing was drawn)
    complete: bool = True
    chart: Drawn | None = None  # the chart budget's draws (run.commitment solves them again in commit mode)
    same_draws: dict[int, float] = field(default_factory=dict)  # row -> the budget whose draws it took


def budgets_of(wb: Workbook) -> list[tuple[float, tuple[str, ...], str]]:
    """(budget, the blocs whose capex it caps, where it comes from): 0 at the settings' budget_blocs, and
    every budget_usd a scenario sets at that scenario's budget_blocs (docs/model.md, "Readings decided");
    the settings' blocs first, each bloc set's budgets ascending."""
    settings = budget_blocs(wb, None)
    sources: dict[tuple[tuple[str, ...], float], list[str]] = {(settings, 0.0): ["no capex at budget blocs"]}
    for value, name in scenario_values(wb, "budget_usd"):
        sources.setdefault((budget_blocs(wb, name), value), []).append(f"scenario {name}")
    ordered = sorted(sources.items(), key=lambda item: (item[0][0] != settings, item[0][0], item[0][1]))
    return [(b, blocs, "; ".join(names)) for (blocs, b), names in ordered]


def empty(draws: int, seed: int, rows: int) -> Outlook:
    return Outlook(
        pd.DataFrame(columns=OUTLOOK_COLUMNS),
        pd.DataFrame(columns=PROBABILITY_COLUMNS),
        pd.DataFrame(),
        pd.DataFrame(),
        draws,
        seed,
        rows,
    )


def outlook(
    wb: Workbook,
    path: Path,
    year: int,
    draws: int,
    seed: int,
    options: SolveOptions,
    workers: int,
    tick: Callable[[], object] | None = None,
    deadlines: tuple[int, ...] = (),
) -> Outlook:
    """`year`: clean supply required from it; `deadlines`: the years the probability table shows."""
    overrides = (("max_restricted_share", "0"), ("independence_year", str(year)))
    _, rows, _ = load_risk(path, None, overrides, required=False)
    if not rows or draws == 0:
        return empty(draws, seed, len(rows))
    table: list[dict[str, Any]] = []
    probability: list[dict[str, Any]] = []
    complete = True
    same: dict[tuple[str, ...], tuple[float, dict[str, Any]]] = {}  # per bloc set: a budget that bound in no draw
    chart: Drawn | None = None
    taken: dict[int, float] = {}
    settings = budgets_of(wb)[0][1]
    for budget, blocs, source in budgets_of(wb):
        if blocs not in same:
            covered = () if blocs == settings else (("budget_blocs", ", ".join(blocs)),)
            case = (*overrides, *covered, ("budget_usd", repr(budget)))
            job = RiskJob(wb, None, case, rows, seed, options=options)
            result, complete = run_risk(job, draws, workers, on_row=lambda done: [tick() for _ in done] if tick else 0)
            if not complete:
                break
            solved = _solved(result["draws"])
            bound = bool(solved.get("budget_binds", pd.Series(dtype=bool)).astype(bool).any())
            if not bound and len(solved) == draws:  # a draw that did not solve says nothing of the budget
                same[blocs] = (budget, result)
            probability += _probabilities(budget, blocs_text(blocs), result, deadlines)
            chart = Drawn(budget, job, result)
        else:
            result, bound = same[blocs][1], False
            taken[len(table)] = same[blocs][0]
            if tick:
                for _ in range(draws):
                    tick()
        table.append(_row(budget, blocs_text(blocs), source, result, bound))
    return Outlook(
        pd.DataFrame(table, columns=OUTLOOK_COLUMNS),
        pd.DataFrame(probability, columns=PROBABILITY_COLUMNS),
        _fan(None if chart is None else chart.result),
        _thresholds(None if chart is None else chart.result),
        draws,
        seed,
        len(rows),
        complete,
        chart,
        taken,
    )


def _solved(drawn: pd.DataFrame) -> pd.DataFrame:
    return drawn[drawn["status"] == "optimal"] if len(drawn) else drawn


def _probabilities(
    budget: float, blocs: str, result: dict[str, Any], deadlines: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Per condition class, element and deadline year: the three thresholds' probabilities with their
    intervals (over all draws of the class) and the clean share's P10/P50/P90 (over its solved draws)."""
    thresholds, fan = result["thresholds"], result["clean_share_fan"]
    keys = ["condition", "class", "element", "year"]
    at = thresholds[thresholds["year"].isin(deadlines)]
    shares = fan.set_index(keys)[["p10", "p50", "p90"]] if len(fan) else None
    rows = []
    for key, group in at.groupby(keys, sort=False):
        row = {"budget_usd": budget, "budget_blocs": blocs, **dict(zip(keys, key, strict=True))}
        row["draws"] = int(group["draws"].iloc[0])
        for r in group.itertuples(index=False):
            infix = LEVELS[r.threshold]
            row |= {f"probability_{infix}": r.probability, f"probability_{infix}_low": r.low}
            row[f"probability_{infix}_high"] = r.high
        if shares is not None and key in shares.index and key[2] != ALL_ELEMENTS:
            p10, p50, p90 = shares.loc[key]
            row |= {"clean_share_p10": p10, "clean_share_p50": p50, "clean_share_p90": p90}
        rows.append(row)
    return rows


def _fan(result: dict[str, Any] | None) -> pd.DataFrame:
    if result is None:
        return pd.DataFrame()
    fan = result["clean_share_fan"]
    fan = fan[fan["condition"] == ""].drop(columns=["condition", "class"])
    return fan.rename(columns={q: f"clean_share_{q}" for q in ("p10", "p50", "p90")}).reset_index(drop=True)


def _thresholds(result: dict[str, Any] | None) -> pd.DataFrame:
    if result is None:
        return pd.DataFrame()
    t = result["thresholds"]
    t = t[(t["condition"] == "") & (t["element"] == ALL_ELEMENTS)]
    columns = {"probability": "probability", "low": "probability_low", "high": "probability_high"}
    return t[["year", "threshold", "draws", *columns]].rename(columns=columns).reset_index(drop=True)


def _quantiles(summary: pd.DataFrame, figure: str, subset: str, name: str) -> dict[str, float | None]:
    """P10, P50, P90 in whole USD: a draw's LP is the same in any worker, but HiGHS's matrix after a
    worker's earlier updates may be ordered otherwise, which moves the last digits (about 1e-16 of a
    system cost) and would make the files differ with the number of workers."""
    at = summary[(summary["condition"] == "") & (summary["subset"] == subset) & (summary["figure"] == figure)]
    out = {}
    for q in (10, 50, 90):
        v = at[f"p{q}"].iloc[0] if len(at) else None
        out[f"{name}_p{q}_usd"] = None if v is None or pd.isna(v) else float(round(v))
    return out


def _row(budget: float, blocs: str, source: str, result: dict[str, Any], bound: bool) -> dict[str, Any]:
    drawn, summary = result["draws"], result["summary"]
    row: dict[str, Any] = {"budget_usd": budget, "budget_blocs": blocs, "defined_by": source}
    row |= {"draws": len(drawn), "solved": len(_solved(drawn))}
    met = summary[(summary["condition"] == "") & (summary["subset"] == REQUIREMENT_MET)]
    row |= {"budget_bound": bound, "requirement_met": int(met["n"].max()) if len(met) else 0}
    for figure, name in FIGURES:
        row |= _quantiles(summary, figure, ALL_DRAWS, name)
        row |= _quantiles(summary, figure, REQUIREMENT_MET, f"{name}_if_met")
    return row
