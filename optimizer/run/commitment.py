"""What committing costs (`rechain report`): the outlook's draws at its chart budget solved again in
`commit` mode (risk.md: the deterministic plan's builds fixed, operations re-optimised per draw), beside
the same draws re-planned.

Per mode, over the same draws i = 0 … n − 1 (seed s): how many draws meet the requirement in every year
from the deadline, median and P90 unmet demand (t), median capex (commit: the committed plan's, with
each draw's overruns), the share of draws whose committed spending exceeds a budget row, and the
expected system cost E[C] = (1/n) Σ_i C_i over the solved draws (no penalty in it); a row
`commit − replan` holds each difference. Per year from the deadline: P(every element fully clean)
with its 90 % Wilson interval in each mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from .outlook import Drawn
from .risk import ALL_DRAWS, ALL_ELEMENTS, FULLY_MET, REQUIREMENT_MET, run_risk

MODES = ("replan", "commit")
DIFFERENCE = "commit − replan"
FIGURES = (  # (figure of the risk summary, statistic, column)
    ("unmet_t", "p50", "unmet_p50_t"),
    ("unmet_t", "p90", "unmet_p90_t"),
    ("capex_usd", "p50", "capex_p50_usd"),
    ("system_cost_usd", "mean", "system_cost_mean_usd"),
)
OVERRUNS = ("p_committed_overruns_budget", "mean", "probability_committed_overruns_budget")
COMMITMENT_COLUMNS = [
    "mode",
    "budget_usd",
    "draws",
    "solved",
    "requirement_met",
    "probability_requirement_met",
    *[column for *_, column in FIGURES],
    OVERRUNS[2],
]
BY_YEAR_COLUMNS = [
    "year",
    "draws",
    *[f"probability_{mode}{end}" for mode in MODES for end in ("", "_low", "_high")],
]
TONNE_DIGITS = 3  # unmet demand rounded to 1 kg, money to whole USD: no figure depends on the worker


@dataclass(frozen=True)
class Commitment:
    """The section's tables, and the case they are of."""

    table: pd.DataFrame  # COMMITMENT_COLUMNS: replan, commit, commit − replan
    by_year: pd.DataFrame  # BY_YEAR_COLUMNS
    budget: float | None = None
    complete: bool = True

    @property
    def unsolved(self) -> int:
        """Commit draws that did not solve."""
        at = self.table[self.table["mode"] == "commit"]
        return int((at["draws"] - at["solved"]).sum()) if len(at) else 0


def nothing() -> Commitment:
    return Commitment(pd.DataFrame(columns=COMMITMENT_COLUMNS), pd.DataFrame(columns=BY_YEAR_COLUMNS))


def commitment(
    chart: Drawn | None, draws: int, year: int, workers: int, tick: Callable[[], object] | None = None
) -> Commitment:
    """The chart budget's `draws` draws (the outlook's job: its case, rows and seed) in commit mode,
    in `workers` processes, beside their replan tables; `year`: clean supply required from it."""
    if chart is None:
        return nothing()
    job = replace(chart.job, mode="commit")
    committed, complete = run_risk(job, draws, workers, on_row=lambda done: [tick() for _ in done] if tick else 0)
    if not complete:
        return replace(nothing(), complete=False)
    rows = [
        _mode_row(mode, chart.budget, result) for mode, result in zip(MODES, (chart.result, committed), strict=True)
    ]
    rows.append(_difference(rows[0], rows[1], chart.budget))
    return Commitment(
        pd.DataFrame(rows, columns=COMMITMENT_COLUMNS),
        _by_year(chart.result, committed, year),
        chart.budget,
    )


def _mode_row(mode: str, budget: float, result: dict[str, Any]) -> dict[str, Any]:
    drawn, summary = result["draws"], result["summary"]
    whole = summary[summary["condition"] == ""]
    met = whole[whole["subset"] == REQUIREMENT_MET]
    n, solved = len(drawn), int(drawn["status"].eq("optimal").sum()) if len(drawn) else 0
    k = int(met["n"].max()) if len(met) else 0
    row: dict[str, Any] = {"mode": mode, "budget_usd": budget, "draws": n, "solved": solved, "requirement_met": k}
    row["probability_requirement_met"] = k / n if n else None
    every = whole[whole["subset"] == ALL_DRAWS].set_index("figure")
    for figure, statistic, column in (*FIGURES, OVERRUNS):
        value = every.at[figure, statistic] if figure in every.index else None
        row[column] = _rounded(column, value)
    return row


def _rounded(column: str, value: float | None) -> float | None:
    if value is None or pd.isna(value):
        return None
    if column.endswith("_usd"):
        return float(round(value))
    return round(float(value), TONNE_DIGITS) if column.endswith("_t") else float(value)


def _difference(replanned: dict[str, Any], committed: dict[str, Any], budget: float) -> dict[str, Any]:
    """commit − replan of every figure both modes have (P(overrun) is commit's alone)."""
    row: dict[str, Any] = {"mode": DIFFERENCE, "budget_usd": budget}
    for column in COMMITMENT_COLUMNS[4:-1]:
        a, b = committed[column], replanned[column]
        row[column] = None if a is None or b is None else _rounded(column, a - b)
    return row


def _by_year(replanned: dict[str, Any], committed: dict[str, Any], year: int) -> pd.DataFrame:
    """P(every element fully clean) per year from `year` over all draws, with its interval, per mode."""
    frames = []
    for mode, result in zip(MODES, (replanned, committed), strict=True):
        t = result["thresholds"]
        t = t[(t["condition"] == "") & (t["element"] == ALL_ELEMENTS) & (t["threshold"] == FULLY_MET)]
        t = t[t["year"] >= year].set_index("year")
        names = {
            "probability": f"probability_{mode}",
            "low": f"probability_{mode}_low",
            "high": f"probability_{mode}_high",
        }
        frames.append(t[["draws", *names]].rename(columns=names))
    table = frames[0].join(frames[1].drop(columns="draws"), how="outer").reset_index()
    return table[BY_YEAR_COLUMNS]
