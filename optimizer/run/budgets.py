"""What a workbook says of budgets and other settings its scenarios set, shared by the report's tables
(run.findings) and its outlook (run.outlook)."""

from __future__ import annotations

from ..workbook.cases import make_dataset
from ..workbook.validate import Workbook


def scenario_values(wb: Workbook, setting: str) -> list[tuple[float, str]]:
    """(value, scenario) for every scenario row that sets `setting` to a number."""
    found = []
    for name, entries in sorted(wb.scenarios.items()):
        for key, value, _ in entries:
            if key.strip().lower() == setting and value not in (None, ""):
                found.append((float(value), name))
    return found


def budget_blocs(wb: Workbook, scenario: str | None) -> tuple[str, ...]:
    """The blocs whose capex a case's budget caps."""
    return tuple(sorted(make_dataset(wb, scenario).budget_blocs))


def blocs_text(blocs: tuple[str, ...]) -> str:
    """Blocs as the report names them: `allied and non_allied`."""
    return " and ".join(blocs) or "none"
