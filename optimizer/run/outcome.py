"""What a multi-point run came to: how many points did not solve, whether one falls short, why a risk run's
deterministic plan failed, and the table of a run interrupted part-way."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..workbook.keys import is_number
from ..workbook.validate import Workbook
from .scenario_groups import group_of
from .scenarios import COLUMNS

SHORTFALL_TOLERANCE = 1e-6


def failed_points(table: pd.DataFrame) -> int:
    return 0 if "status" not in table or table.empty else int((table["status"] != "optimal").sum())


def has_shortfall(table: pd.DataFrame) -> bool:
    return any(
        col in table and (table[col].fillna(0) > SHORTFALL_TOLERANCE).any() for col in ("unmet_t", "shortfall_t")
    )


def plan_failure(tables: dict[str, pd.DataFrame]) -> str | None:
    """Why the deterministic plan failed: hedge's value table, or commit's draws' reason; None if it solved."""
    value = tables.get("value")
    if value is not None:
        status = dict(zip(value["figure"], value["value"], strict=True)).get("deterministic_plan_status")
        return None if status in (None, "optimal") else str(status)
    reasons = tables["draws"].get("reason")
    prefix = "deterministic plan: "
    found = [] if reasons is None else [r for r in reasons.dropna() if str(r).startswith(prefix)]
    return str(found[0]).removeprefix(prefix) if found else None


def required_status(table: pd.DataFrame) -> pd.DataFrame:
    """The requirement's solves as a table of statuses (exit 3 when one did not solve)."""
    if "required_status" not in table:
        return table.iloc[0:0]
    return table[["required_status"]].dropna().rename(columns={"required_status": "status"})


def partial_scenarios(wb: Workbook, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows solved before an interrupt, each in its scenario's group."""
    table = pd.DataFrame(rows, columns=COLUMNS)
    names = {name: group_of(wb, name) for name in wb.scenario_names}
    table.insert(1, "group", [names.get(str(s).split(" (")[0], "") for s in table["scenario"]])
    return table


def sweep_table(rows: list[dict[str, Any]], params: list[str]) -> pd.DataFrame:
    """The sweep's rows as a table, a swept key's column as numbers when every value is one."""
    table = pd.DataFrame(rows)
    for key in params:
        if key in table and all(is_number(v) for v in table[key]):
            table[key] = table[key].astype(float)
    return table
