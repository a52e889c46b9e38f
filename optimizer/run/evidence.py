"""The report's evidence tables after the outlook (issue 21): the tornado of the drivers and the
sensitivity to the attrition tiers (the validation table needs no solve of its own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..models.subject import Subject
from ..workbook.validate import Workbook
from .outlook import Outlook
from .tiers import TIER_DRAWS, Evidence, sheet_rows, tier_table, variants
from .tornado import drivers_of, tornado_table


def evidence_points(wb: Workbook, path: Path, draws: int) -> int:
    """The tasks `evidence_tables` reports as progress: the tornado's points, and the tier draws when
    a failure row names a tier."""
    rows, tiers = sheet_rows(path, wb)
    tiered = len(variants(tuple(u for u in rows if u.scenario is None), tiers)) > 1
    return 1 + 2 * len(drivers_of(wb, path)) + (min(draws, TIER_DRAWS) if tiered else 0)


def evidence_tables(
    wb: Workbook, path: Path, subject: Subject, seen: Outlook, how: Evidence, tick: Callable[[], object] | None
) -> dict[str, pd.DataFrame]:
    """`tornado` (fresh solves at each driver's ends) and `tiers` (min(draws, TIER_DRAWS) of the
    outlook's draws per tier and end, at its chart budget, in the deadline years from the report's)."""
    first = subject.deadlines[0]
    tornado = tornado_table(wb, path, (subject.year, first), how.options, how.workers, tick)
    years = tuple(y for y in subject.deadlines if y >= subject.year)
    tiers = tier_table(path, seen.chart, years, replace(how, draws=min(how.draws, TIER_DRAWS)), tick)
    return {"tornado": tornado, "tiers": tiers}
