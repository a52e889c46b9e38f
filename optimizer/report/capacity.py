"""Capacity in service as small multiples (results.xlsx): one native chart per stage in chain order, two
charts a row, each with its own y scale over the same years, one line per bloc in the same colour in every
chart (the blocs in the table's order)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .tables import Chart, _excel_chart, chart_lines

SHEET = "capacity_by_bloc"
COLUMNS_APART, ROWS_APART = 10, 21  # a 16 x 10 cm chart spans 9.5 columns of 64 px and 19 rows of 20 px
COLUMN_WIDTH = 8.43  # Excel's default, written out so that other programs space the charts alike


def by_stage(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The table (year, bloc, stage, capacity_tpa) split by stage in its order; each stage's part holds every
    bloc of the table in every year, 0 t/yr where the bloc has no capacity at that stage."""
    blocs, years = list(dict.fromkeys(frame["bloc"])), sorted(frame["year"].unique())
    grid = pd.MultiIndex.from_product([years, blocs], names=["year", "bloc"])
    return {
        stage: part.groupby(["year", "bloc"])["capacity_tpa"].sum().reindex(grid, fill_value=0.0).reset_index()
        for stage, part in frame.groupby("stage", sort=False)
    }


def stage_chart(stage: str) -> Chart:
    return Chart(SHEET, "year", "capacity_tpa", f"Capacity in service: {stage}", "bloc", "year",
                 "capacity in service (t/yr)")  # fmt: skip


def capacity_charts(book: Any, frame: pd.DataFrame) -> int:
    """Adds one chart per stage to the capacity_by_bloc sheet, their data on sheets `chart<k> capacity stage <k>`
    (k = 1, 2, ... in stage order); returns how many."""
    from openpyxl.utils import get_column_letter

    parts = by_stage(frame) if len(frame) else {}
    ws = book[SHEET]
    left = ws.max_column + 2
    for column in range(left, left + 2 * COLUMNS_APART):
        ws.column_dimensions[get_column_letter(column)].width = COLUMN_WIDTH
    for k, (stage, part) in enumerate(parts.items()):
        spec = stage_chart(stage)
        where = f"{get_column_letter(left + COLUMNS_APART * (k % 2))}{2 + ROWS_APART * (k // 2)}"
        _excel_chart(book, spec, chart_lines(spec, part), f"chart{k + 1} capacity stage {k + 1}", where)
    return len(parts)
