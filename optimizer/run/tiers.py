"""Sensitivity to the attrition tiers (issue 21, item 1): each tier's failure probabilities scaled down
and up, and the probability that protected demand is fully clean in the deadline years.

A row of the uncertainty sheet belongs to a tier when its note begins `tier=<name>;` (operating,
funded, studied, generic). For each tier, every failure row of it has its probability p replaced by
p × 0.5 (low) and by min(1, p × 1.5) (high), all other rows unchanged; the draws are those of the
outlook (same seed, draw i from the streams of (seed, i, row)), so a draw differs from the base draw
only where a failure of that tier flips. Each draw is solved once per distinct case (a case already
solved in the task is not solved again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..base.errors import Problems
from ..models.highs import SolveOptions
from ..workbook.cases import make_dataset
from ..workbook.schema import UNCERTAINTY
from ..workbook.uncertainty import Distribution, Uncertainty, read_uncertainty
from ..workbook.validate import Workbook, _rows
from .outlook import Drawn
from .risk import ALL_ELEMENTS, FULLY_MET, RiskJob, summarise

TIER = re.compile(r"\s*tier\s*=\s*([A-Za-z_]+)\s*;")
TIERS = ("operating", "funded", "studied", "generic")  # the documented order; others follow by name
SCALES = (("low", 0.5), ("high", 1.5))  # p × scale, capped at 1
TIER_DRAWS = 20  # at most this many of the outlook's draws: each costs 1 + about 1.2 solves per tier (reference)
COLUMNS = [
    "tier",
    "end",
    "rows",
    "p_values",
    "draws",
    "solved",
    "budget_usd",
    "year",
    "probability_full",
    "probability_full_low",
    "probability_full_high",
    "change_points",
]
BASE = "base"


def sheet_rows(path: Path, wb: Workbook) -> tuple[list[Uncertainty], dict[str, str]]:
    """Every row of the uncertainty sheet (each scenario's too), and the tier of each row's target cell."""
    from ..workbook.read import read_tables

    raw = read_tables(path).get("uncertainty")
    if raw is None:
        return [], {}
    problems = Problems()
    tiers = {}
    for _, v, p in _rows(UNCERTAINTY, raw, problems).rows:
        found = TIER.match(str(v["note"] or ""))
        if found:
            tiers[p["target"]] = found.group(1).lower()
    return read_uncertainty(raw, make_dataset(wb), wb.scenario_names).rows, tiers


def tier_order(tiers: set[str]) -> list[str]:
    return [t for t in TIERS if t in tiers] + sorted(tiers - set(TIERS))


def scaled(rows: tuple[Uncertainty, ...], chosen: set[str], scale: float) -> tuple[Uncertainty, ...]:
    """The rows with p × scale (at most 1) on the failure rows whose target cell is in `chosen`."""
    out = []
    for u in rows:
        if u.place in chosen and u.target.kind == "failure":
            p = min(1.0, u.distribution.params[0] * scale)
            u = replace(u, distribution=Distribution("bernoulli", (p,)))
        out.append(u)
    return tuple(out)


@dataclass(frozen=True)
class TierCase:
    tier: str
    end: str
    rows: tuple[Uncertainty, ...]
    count: int  # failure rows of the tier
    p_values: str  # the tier's failure probabilities at this end


def variants(rows: tuple[Uncertainty, ...], tiers: dict[str, str]) -> list[TierCase]:
    """The base rows, then per tier of a failure row (in TIERS order) its low and high ends."""
    found = [TierCase(BASE, BASE, rows, 0, "")]
    for tier in tier_order({tiers[u.place] for u in rows if u.place in tiers and u.target.kind == "failure"}):
        chosen = {place for place, t in tiers.items() if t == tier}
        count = sum(u.place in chosen and u.target.kind == "failure" for u in rows)
        for end, scale in SCALES:
            changed = scaled(rows, chosen, scale)
            ps = {u.distribution.params[0] for u in changed if u.place in chosen and u.target.kind == "failure"}
            found.append(TierCase(tier, end, changed, count, ", ".join(f"{p:.6g}" for p in sorted(ps))))
    return found


@dataclass(frozen=True)
class TierJob:
    """Draw i of every variant (run.parallel task = i), sharing one cache: a case solved for one
    variant is not solved again for another."""

    job: RiskJob
    variants: tuple[tuple[Uncertainty, ...], ...]

    def run(self, i: int, cache: dict[Any, Any]) -> dict[str, Any]:
        return {"rows": [replace(self.job, rows=rows).run(i, cache) for rows in self.variants]}


@dataclass(frozen=True)
class Evidence:
    """How the report's evidence tables solve: the solver options, worker processes, and the outlook's
    draws per budget and seed."""

    options: SolveOptions
    workers: int
    draws: int
    seed: int


def tier_table(
    path: Path, chart: Drawn | None, years: tuple[int, ...], how: Evidence, tick: Callable[[], object] | None = None
) -> pd.DataFrame:
    """Per tier and end (and the base rows first): P(every element fully clean) in each of `years`
    over `how.draws` draws of the outlook's chart case (`chart`: its budget, blocs, requirement and
    options, as run.commitment re-uses them). No tiered failure row, no chart or no draws: an empty table."""
    from .parallel import run_tasks

    if chart is None or how.draws == 0:
        return pd.DataFrame(columns=COLUMNS)
    rows, tiers = sheet_rows(path, chart.job.wb)
    found = variants(tuple(u for u in rows if u.scenario is None), tiers)
    if len(found) == 1:
        return pd.DataFrame(columns=COLUMNS)
    job = replace(chart.job, rows=(), premium=False)
    tier_job = TierJob(job, tuple(v.rows for v in found))
    on_row = (lambda rows: [tick() for _ in rows]) if tick else None
    done, complete = run_tasks(tier_job, list(range(how.draws)), how.workers, on_row=on_row)
    if not complete:
        raise KeyboardInterrupt
    return _table(found, [d["rows"] for d in done], job, chart.budget, years)


def _fully_clean(rows: list[dict[str, Any]], job: RiskJob) -> pd.DataFrame:
    """P(every element fully clean) by year over the draws' rows, with its 90 % Wilson interval."""
    t = summarise(rows, job.base())["thresholds"]
    t = t[(t["condition"] == "") & (t["element"] == ALL_ELEMENTS) & (t["threshold"] == FULLY_MET)]
    return t.set_index("year")


def _table(
    found: list[TierCase], done: list[list[dict[str, Any]]], job: RiskJob, budget: float, years: tuple[int, ...]
) -> pd.DataFrame:
    chances = [_fully_clean([rows[k] for rows in done], job) for k in range(len(found))]
    table = []
    for v, at in zip(found, chances, strict=True):
        for y in years:
            p, first = at.loc[y], chances[0].loc[y]
            row = {"tier": v.tier, "end": v.end, "rows": v.count, "p_values": v.p_values}
            row |= {"draws": int(p["draws"]), "solved": int(p["solved"]), "budget_usd": budget, "year": y}
            row |= {"probability_full": p["probability"], "probability_full_low": p["low"]}
            row |= {"probability_full_high": p["high"]}
            row["change_points"] = round((p["probability"] - first["probability"]) * 100, 1)
            table.append(row)
    return pd.DataFrame(table, columns=COLUMNS)
