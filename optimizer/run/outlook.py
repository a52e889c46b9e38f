"""The report's ranges under uncertainty: `rechain risk` (replan) on the fully clean case at the
report's deadline, once per budget, with the workbook's uncertainty sheet.

Budgets are 0 and every `budget_usd` a scenario sets, ascending; where the budget bound in no solve
of any draw, every larger budget gives the same draws (relaxing a row that does not bind keeps each
LP's optimum) and takes them without solving.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..models.highs import SolveOptions
from ..report.findings import budget_label
from ..report.terminal import usd
from ..workbook.validate import Workbook
from .risk import ALL_ELEMENTS, FULLY_MET, RiskJob, load_risk, run_risk

QUANTILES = (0.1, 0.5, 0.9)
OUTLOOK_COLUMNS = [
    "budget_usd",
    "defined_by",
    "draws",
    "solved",
    "budget_bound",
    "premium_p10_usd",
    "premium_p50_usd",
    "premium_p90_usd",
    "protected_capex_p10_usd",
    "protected_capex_p50_usd",
    "protected_capex_p90_usd",
]


@dataclass(frozen=True)
class Outlook:
    """The tables, and what the reader must know to cite them."""

    budgets: pd.DataFrame  # one row per budget
    probability: pd.DataFrame  # budget, year, probability that protected demand is fully clean
    draws: int
    seed: int
    rows: int  # uncertainty rows used (0: the workbook has none; nothing was drawn)
    complete: bool = True


def budgets_of(wb: Workbook) -> list[tuple[float, str]]:
    from .findings import _scenario_values

    sources: dict[float, list[str]] = {0.0: ["no capex at budget blocs"]}
    for value, name in _scenario_values(wb, "budget_usd"):
        sources.setdefault(value, []).append(f"scenario {name}")
    return [(b, "; ".join(names)) for b, names in sorted(sources.items())]


def outlook(
    wb: Workbook,
    path: Path,
    year: int,
    draws: int,
    seed: int,
    options: SolveOptions,
    workers: int,
    tick=None,
) -> Outlook:
    overrides = (("max_restricted_share", "0"), ("independence_year", str(year)))
    _, rows, _ = load_risk(path, None, overrides)
    budgets = budgets_of(wb)
    if not rows or draws == 0:
        return Outlook(pd.DataFrame(columns=OUTLOOK_COLUMNS), pd.DataFrame(), draws, seed, len(rows))
    table, probability, complete = [], [], True
    same: tuple[float, pd.DataFrame, pd.DataFrame] | None = None
    for budget, source in budgets:
        if same is None:
            job = RiskJob(wb, None, (*overrides, ("budget_usd", repr(budget))), rows, seed, options=options)
            result, complete = run_risk(job, draws, workers, on_row=lambda done: [tick() for _ in done] if tick else 0)
            drawn, thresholds = result["draws"], result["thresholds"]
            if not complete:
                break
            solved = drawn[drawn["status"] == "optimal"] if len(drawn) else drawn
            bound = bool(solved.get("budget_binds", pd.Series(dtype=bool)).astype(bool).any())
            if not bound and len(solved) == draws:  # a draw that did not solve says nothing of the budget
                same = (budget, drawn, thresholds)
        else:
            drawn, thresholds = same[1], same[2]
            bound = False
            source += f"; the budget bound in no draw at {usd(same[0])}"
            if tick:
                for _ in range(draws):
                    tick()
        table.append(_row(budget, source, drawn, bound))
        probability += _by_year(budget_label(budget), thresholds)
    return Outlook(
        pd.DataFrame(table, columns=OUTLOOK_COLUMNS),
        pd.DataFrame(probability, columns=_probability_columns(probability)),
        draws,
        seed,
        len(rows),
        complete,
    )


def _by_year(label: str, thresholds: pd.DataFrame) -> list[dict]:
    """Per year: the share of draws fully clean in every element, and in each element alone (from
    the risk run's `thresholds` over all draws; a draw that did not solve counts as not clean)."""
    full = thresholds[(thresholds["condition"] == "") & (thresholds["threshold"] == FULLY_MET)]
    rows = []
    for y, at in full.groupby("year", sort=True):
        p = dict(zip(at["element"], at["probability"], strict=True))
        row = {"budget": label, "year": int(y), "probability": p.pop(ALL_ELEMENTS)}
        rows.append(row | {f"probability.{e}": v for e, v in sorted(p.items())})
    return rows


def _probability_columns(rows: list[dict]) -> list[str]:
    return ["budget", "year", "probability", *sorted({k for r in rows for k in r if k.startswith("probability.")})]


def _quantiles(values: pd.Series, name: str) -> dict[str, float | None]:
    """P10, P50, P90 in whole USD: a draw's LP is the same in any worker, but HiGHS's matrix after a
    worker's earlier updates may be ordered otherwise, which moves the last digits (about 1e-16 of a
    system cost) and would make the files differ with the number of workers."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    return {f"{name}_p{round(q * 100)}_usd": (float(round(v.quantile(q))) if len(v) else None) for q in QUANTILES}


def _row(budget: float, source: str, drawn: pd.DataFrame, bound: bool) -> dict:
    ok = drawn[drawn["status"] == "optimal"] if len(drawn) else drawn
    row: dict = {"budget_usd": budget, "defined_by": source, "draws": len(drawn), "solved": len(ok)}
    row["budget_bound"] = bound
    row |= _quantiles(ok.get("premium_usd", pd.Series(dtype=float)), "premium")
    row |= _quantiles(ok.get("protected_capex_usd", pd.Series(dtype=float)), "protected_capex")
    return row
