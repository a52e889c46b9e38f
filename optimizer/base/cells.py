"""Spreadsheet cells every room writes (results, and the input workbooks of `template` and `generate`):
text is never a formula, and a sheet prints as it is."""

from __future__ import annotations

from typing import Any, TypeGuard

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what a spreadsheet may run as a formula


def formula_like(value: object) -> TypeGuard[str]:
    """Text a spreadsheet could run as a formula: it begins with `=`, `+`, `-`, `@`, a tab or a CR."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def keep_text(cell: Any) -> Any:
    """The one xlsx rule for a cell (also the input workbooks' of `template` and `generate`): text is never a
    formula, and text a spreadsheet could run as one is quote-prefixed. Read back, the value is the text."""
    if cell.data_type == "f":
        cell.data_type = "s"
    if formula_like(cell.value):
        cell.quotePrefix = True
    return cell


def page_setup(ws: Any) -> None:
    """Printable as it is: landscape, one page wide (as many pages tall as needed), the header row on each page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if ws.max_row > 1:
        ws.print_title_rows = "1:1"
