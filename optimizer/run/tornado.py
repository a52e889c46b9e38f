"""Which inputs move the headline most (issue 21, acceptance): a tornado over named drivers, each
at a low and a high value, one at a time, every other input as in the workbook, each point a fresh
solve of the premium of fully clean supply from the report's deadline and of the shortfall when clean
supply is required from the first deadline.

The drivers and their values (the rule findings.md states):
- the rows of the uncertainty sheet, grouped: every `capex_overrun` row at once, every
  `lead_time_delay` row at once, the `failure` rows (per tier when their notes name one, else all at
  once), and each case key (`restricted_cost_factor`, `demand_factor`, ...) on its own; each row at
  the lowest and the highest value its distribution can draw (a failure 0 and 1). Rows for every case
  come first; a key drawn only in a scenario's rows takes that row's range. A condition row (an
  external event such as an embargo: risk.md v3) is no driver: under an embargo the unconstrained plan
  is clean too, so the premium over it says nothing of what clean supply costs;
- for each element, the mine (stage 1) outside the restricted blocs with the largest existing output
  of it, unless a row draws its capacity already: `capacity_factor.<node>` at × 0.5 and × 1.5;
- at most MAX_DRIVERS, in that order.
A point is a replan "draw" of `rechain risk` with every drawn value fixed (run.risk: the same cases,
cold solves on the draws model); the base point (no driver moved) is solved the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..models.highs import SolveOptions
from ..models.model import PARAMETERS, split, value_of
from ..workbook.cases import make_dataset
from ..workbook.uncertainty import Distribution, Target, Uncertainty, number_text
from ..workbook.validate import Workbook
from .risk import RiskJob
from .tiers import sheet_rows

MAX_DRIVERS = 10
CAPACITY_SPAN = (0.5, 1.5)  # capacity of the largest clean mine of an element, × these
KINDS = {"capex_overrun": "capex overrun, every row", "lead_time_delay": "lead-time delay, every row"}
ENDS = ("low", "high")
COLUMNS = [
    "driver",
    "end",
    "value",
    "defined_by",
    "status",
    "reason",
    "premium_usd",
    "premium_change_usd",
    "shortfall_t",
    "shortfall_change_t",
    "base_premium_usd",
    "base_shortfall_t",
]


@dataclass(frozen=True)
class Driver:
    name: str
    low: tuple[Uncertainty, ...]  # rows that each draw one value: the driver at its low end
    high: tuple[Uncertainty, ...]
    defined_by: str


def fixed(u: Uncertainty, value: float) -> Uncertainty:
    """The row with its distribution replaced by `value` with probability 1."""
    return Uncertainty(u.target, Distribution("discrete", (), (value,), (1.0,)), u.shared, None, u.place, u.name)


def _ends(rows: list[Uncertainty]) -> tuple[tuple[Uncertainty, ...], tuple[Uncertainty, ...]]:
    return tuple(fixed(u, u.distribution.support()[0]) for u in rows), tuple(
        fixed(u, u.distribution.support()[1]) for u in rows
    )


def _group(u: Uncertainty, tiers: dict[str, str]) -> str:
    if u.target.kind == "key":
        return u.target.key
    if u.target.kind == "failure":
        tier = tiers.get(u.place)
        return f"failure, tier={tier}" if tier else "failure, every row"
    return KINDS[u.target.kind]


def sheet_drivers(rows: list[Uncertainty], tiers: dict[str, str]) -> list[Driver]:
    """One driver per group of rows (see the module), rows for every case first."""
    groups: dict[str, list[Uncertainty]] = defaultdict(list)
    for u in sorted((u for u in rows if not u.condition), key=lambda u: u.scenario is not None):
        name = _group(u, tiers)
        if u.scenario is None or u.target.kind == "key" and all(r.scenario is not None for r in groups[name]):
            groups[name].append(u)
    drivers = []
    for name, members in groups.items():
        scoped = sorted({u.scenario for u in members if u.scenario})
        where = f"scenario {', '.join(scoped)}" if scoped else "every case"
        if scoped:
            members = members[:1]
        low, high = _ends(members)
        drivers.append(Driver(name, low, high, f"uncertainty sheet, {len(members)} row(s) ({where}): support"))
    return drivers


def capacity_drivers(wb: Workbook, drawn: set[str]) -> list[Driver]:
    """Per element, the stage-1 node outside the restricted blocs with the largest existing output of
    it (existing_tpa × share), unless its capacity_factor is drawn already."""
    ds = make_dataset(wb)
    best: dict[str, tuple[float, str]] = {}
    for (n, k), f in sorted(ds.facilities.items()):
        if k != 1 or n in ds.restricted or not f.existing_tpa:
            continue
        for e, share in ds.composition.get(n, {}).items():
            if f.existing_tpa * share > best.get(e, (0.0, ""))[0]:
                best[e] = (f.existing_tpa * share, n)
    drivers, nodes = [], defaultdict(list)
    for e, (_, n) in sorted(best.items()):
        nodes[n].append(e)
    for n, elements in nodes.items():
        key = f"capacity_factor.{n}"
        if key in drawn:
            continue
        u = Uncertainty(Target("key", key=key), Distribution("uniform", CAPACITY_SPAN), False, None, key, key)
        low, high = _ends([u])
        why = f"largest clean mine of {', '.join(elements)}: existing and max capacity × 0.5 and × 1.5"
        drivers.append(Driver(f"capacity of {n}", low, high, why))
    return drivers


def drivers_of(wb: Workbook, path: Path) -> list[Driver]:
    rows, tiers = sheet_rows(path, wb)
    drawn = {u.target.key for u in rows if u.target.kind == "key"}
    return (sheet_drivers(rows, tiers) + capacity_drivers(wb, drawn))[:MAX_DRIVERS]


def base_values(wb: Workbook, drivers: list[Driver]) -> tuple[Uncertainty, ...]:
    """A row at the workbook's value for each key of a driver that the draws model updates in place: a
    worker's model keeps the last value it was given, so every point names every such key."""
    ds = make_dataset(wb)
    rows = []
    for u in (u for d in drivers for u in d.low):
        if u.target.kind == "key" and split(u.target.key)[0] in PARAMETERS:
            value = value_of(ds, u.target.key)
            if value is not None:
                rows.append(fixed(u, value))
    return tuple(rows)


def anchored(rows: tuple[Uncertainty, ...], anchors: tuple[Uncertainty, ...]) -> tuple[Uncertainty, ...]:
    """The point's rows, and the base value of every anchored key the point does not move."""
    moved = {u.target.key for u in rows if u.target.kind == "key"}
    return tuple(u for u in anchors if u.target.key not in moved) + rows


def value_text(rows: tuple[Uncertainty, ...]) -> str:
    """The distinct values a driver's rows take at one end, e.g. `1.8` or `4, 7`."""
    return ", ".join(number_text(v) for v in sorted({u.distribution.values[0] for u in rows}))


@dataclass(frozen=True)
class TornadoJob:
    """One point (the rows fixing the driver's values) in two cases: clean from the report's deadline
    (and its unconstrained plan, for the premium) and clean from the first deadline (its shortfall)."""

    wb: Workbook
    years: tuple[int, int]  # (the report's deadline, the first deadline)
    options: SolveOptions

    def run(self, rows: tuple[Uncertainty, ...], cache: dict[Any, Any]) -> dict[str, Any]:
        found = []
        for year, premium in zip(self.years, (True, False), strict=True):
            overrides = (("max_restricted_share", "0"), ("independence_year", str(year)))
            job = RiskJob(self.wb, None, overrides, rows, 0, options=self.options, premium=premium)
            found.append(job.run(0, cache.setdefault(year, {})))
        return {"cases": found}


def tornado_table(
    wb: Workbook,
    path: Path,
    years: tuple[int, int],
    options: SolveOptions,
    workers: int,
    tick: Callable[[], object] | None = None,
) -> pd.DataFrame:
    """The base point and each driver's low and high ends; rows sorted by the premium's swing (the
    larger change of the two ends), largest first."""
    from .parallel import run_tasks

    drivers = drivers_of(wb, path)
    anchors = base_values(wb, drivers)
    tasks = [anchored((), anchors)] + [anchored(rows, anchors) for d in drivers for rows in (d.low, d.high)]
    done, complete = run_tasks(
        TornadoJob(wb, years, options), tasks, workers, on_row=lambda r: [tick() for _ in r] if tick else None
    )
    if not complete:
        raise KeyboardInterrupt
    return table_of(drivers, [d["cases"] for d in done])


def _figures(cases: list[dict[str, Any]]) -> dict[str, Any]:
    clean, first = cases
    if clean.get("status") != "optimal" or first.get("status") != "optimal":
        failed = clean if clean.get("status") != "optimal" else first
        return {"status": failed.get("status"), "reason": failed.get("reason")}
    return {
        "status": "optimal",
        "reason": None,
        "premium_usd": clean["premium_usd"],
        "shortfall_t": first["shortfall_t"],
    }


def table_of(drivers: list[Driver], points: list[list[dict[str, Any]]]) -> pd.DataFrame:
    base = _figures(points[0])
    rows = []
    for i, d in enumerate(drivers):
        for j, (end, fixed_rows) in enumerate(zip(ENDS, (d.low, d.high), strict=True)):
            row = {"driver": d.name, "end": end, "value": value_text(fixed_rows), "defined_by": d.defined_by}
            row |= _figures(points[1 + 2 * i + j])
            for figure, change in (("premium_usd", "premium_change_usd"), ("shortfall_t", "shortfall_change_t")):
                if figure in row and figure in base:
                    row[change] = row[figure] - base[figure]
            rows.append(
                row | {"base_premium_usd": base.get("premium_usd"), "base_shortfall_t": base.get("shortfall_t")}
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.iloc[_order(table)].reset_index(drop=True)


def swing(table: pd.DataFrame, column: str) -> pd.Series:
    """Per driver, the larger absolute change of its two ends (blank where neither solved)."""
    return table[column].abs().groupby(table["driver"], sort=False).max()


def _order(table: pd.DataFrame) -> list[int]:
    ranked = swing(table, "premium_change_usd").sort_values(ascending=False, kind="stable", na_position="last")
    rank = {name: i for i, name in enumerate(ranked.index)}
    return sorted(range(len(table)), key=lambda i: (rank[table["driver"].iloc[i]], i))
