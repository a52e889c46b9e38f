"""The empty, documented workbook of `rechain template`, derived from the schema.

Its drop-down lists are formulas over the workbook's own sheets, so they offer
only the nodes, stages, elements and scenarios the workbook defines; blocs come
from the `lists` sheet, where each bloc is written once. A `start here` sheet
comes first; every example row carries a comment saying it is an example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..base.cells import keep_text, page_setup
from ..base.files import atomic_path
from .schema import (
    COMPOSITION,
    KEYED_SETTINGS,
    NODES,
    SCENARIOS,
    SETTINGS,
    SETTINGS_HEADER,
    SETTINGS_NOTE,
    SHEETS,
    STAGES,
    Column,
    Sheet,
)

LIST_ROWS = 500
START = "start here"
BLOCS = Sheet("lists", (Column("bloc", "text", "each bloc once; the bloc drop-downs offer these"),), "Lists.")
EXAMPLE_BLOCS = ("allied", "china", "non_allied")
EXAMPLE_NOTE = "example: replace or delete"
FILL_ORDER = ("settings", "nodes", "stages", "facilities", "composition", "demand")
EXTRA_EXAMPLES: dict[str, list[list[object]]] = {
    "nodes": [["China", "china", "China", "East Asia", "restricted bloc"]],
    "stages": [["separation", 2, 0.95, "solvent extraction"]],
    "facilities": [["USA", "separation", 800, None, 40000, 1000, 5000, 3, 25, 2025, None, "company report"]],
}
KEYED_EXAMPLES = {"embargo": "embargo.allied"}  # the settings row written for each keyed setting
GROUPED = "#,##0"
SOURCES = {  # column -> (sheet, column) whose values the drop-down offers
    "node": (NODES, "node"),
    "from_node": (NODES, "node"),
    "to_node": (NODES, "node"),
    "stage": (STAGES, "stage"),
    "element": (COMPOSITION, "element"),
    "bloc": (BLOCS, "bloc"),
    "from_bloc": (BLOCS, "bloc"),
    "to_bloc": (BLOCS, "bloc"),
    "scenario": (SCENARIOS, "scenario"),
    "owner": (BLOCS, "bloc"),
}
DEFINES = {
    (NODES.name, "node"),
    (STAGES.name, "stage"),
    (COMPOSITION.name, "element"),
    (SCENARIOS.name, "scenario"),
}  # columns where labels are made up, not chosen
MAY_DIFFER = {  # drop-downs that only suggest: (sheet, column) -> why another value may be right
    ("nodes", "bloc"): "Not a bloc of the lists sheet: add it there so the other bloc drop-downs offer it.",
    ("demand", "element"): "Not an element of the composition sheet: fine if it is a product of the recipes sheet.",
    ("comparators", "element"): "Not an element of the composition sheet: fine if the demand sheet names it.",
}


def plain(value: object) -> str:
    """A value as a person would write it in a cell: china, TRUE, 10,000,000, 0.07."""
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def comment_text(col: Column) -> str:
    text = col.description[0].upper() + col.description[1:]
    if col.unit:
        text += f". Unit: {col.unit}"
    if col.required:
        text += ". Required"
    elif col.default not in (None, ()):
        text += f". Blank means {plain(col.default)}"
    return text + "."


def number_format(col: Column) -> str | None:
    return GROUPED if "USD" in col.unit or col.unit == "t/yr" or col.unit == "t" else None


def _choices(sheet: Sheet, col: Column) -> str | None:
    if col.kind == "bool":
        return '"TRUE,FALSE"'
    source = SOURCES.get(col.name)
    if source is None or (sheet.name, col.name) in DEFINES:
        return None
    target, name = source
    letter = _letter(target.columns.index(target.column(name)) + 1)
    return f"{target.name}!${letter}$2:${letter}${LIST_ROWS}"


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    letter: str = get_column_letter(i)
    return letter


def _drop_down(ws: Any, col_index: int, formula: str, lenient: str = "") -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = _letter(col_index)
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning" if lenient else "stop",
        errorTitle="Not in the list",
        error=lenient or "Choose a value the workbook defines, or leave blank.",
    )
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{LIST_ROWS}")


def _width(*texts: str) -> float:
    """Room for the header, the example and a third of the comment (in characters)."""
    return min(40, max(10, *(len(t) + 3 for t in texts)))


def _settings_sheet(ws: Any) -> None:
    from openpyxl.comments import Comment

    ws.append([*SETTINGS_HEADER, SETTINGS_NOTE])
    ws["A1"].comment = Comment("Settings key, one per row.", "rechain")
    ws["B1"].comment = Comment("Its value; blank means the default given under meaning.", "rechain")
    ws["C1"].comment = Comment("What the setting does (not read by rechain).", "rechain")
    keyed = [(KEYED_EXAMPLES[name], col) for name, col in KEYED_SETTINGS.items()]
    for row, (key, col) in enumerate([(c.name, c) for c in SETTINGS.columns] + keyed, start=2):
        ws.append([key, col.example, comment_text(col)])
        fmt = number_format(col)
        if fmt:
            ws.cell(row, 2).number_format = fmt
    ws.column_dimensions["A"].width = _width(*(c.name for c in SETTINGS.columns))
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 100


def _start_sheet(ws: Any) -> None:
    """What to fill, in which order, and where the docs are."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    optional = [s.name for s in SHEETS if s.name not in FILL_ORDER]
    lines = [
        "Start here: a rechain workbook",
        "Fill the sheets in this order (the others are optional):",
        *(
            f"{i}. {name}: {next(s.description for s in SHEETS if s.name == name)}"
            for i, name in enumerate(FILL_ORDER, start=1)
        ),
        f"Optional sheets: {', '.join(optional)}.",
        f"Rows 2 and below of each sheet but settings are examples (a comment says '{EXAMPLE_NOTE}'): "
        "replace or delete them.",
        "Each column header has a comment: its meaning, unit and default. Drop-downs offer what the workbook "
        "defines; list each bloc once in the sheet 'lists'.",
        "Check the workbook with: rechain validate <this file>; solve it with: rechain solve <this file>.",
        "Docs: docs/workbook.md (every sheet and column) and docs/model.md (the model), in the rechain repository; "
        "rechain --help lists the commands.",
    ]
    for line in lines:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].comment = Comment("Read this sheet first; rechain does not read it.", "rechain")
    ws.column_dimensions["A"].width = 120


def _lists_sheet(ws: Any) -> None:
    from openpyxl.comments import Comment

    ws.append(list(BLOCS.header))
    ws["A1"].comment = Comment(comment_text(BLOCS.columns[0]), "rechain")
    for bloc in EXAMPLE_BLOCS:
        ws.append([bloc])
    ws.column_dimensions["A"].width = 20


def _mark_examples(ws: Any, rows: range) -> None:
    """Each example row: a comment on its first cell and grey italics."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    for r in rows:
        ws.cell(r, 1).comment = Comment(EXAMPLE_NOTE, "rechain")
        for cell in ws[r]:
            cell.font = Font(italic=True, color="808080")


def _table_sheet(ws: Any, sheet: Sheet) -> None:
    from openpyxl.comments import Comment

    ws.append(list(sheet.header))
    examples = [[c.example for c in sheet.columns]] + EXTRA_EXAMPLES.get(sheet.name, [])
    for row in examples:
        ws.append(row)
    _mark_examples(ws, range(2, 2 + len(examples)))
    for i, col in enumerate(sheet.columns, start=1):
        text = comment_text(col)
        ws.cell(1, i).comment = Comment(text, "rechain", width=300, height=max(80, 20 * (len(text) // 40 + 2)))
        choices = _choices(sheet, col)
        if choices:
            _drop_down(ws, i, choices, MAY_DIFFER.get((sheet.name, col.name), ""))
        fmt = number_format(col)
        if fmt:
            for r in range(2, 2 + len(examples)):
                ws.cell(r, i).number_format = fmt
        example = plain(col.example) if col.example is not None else ""
        ws.column_dimensions[_letter(i)].width = _width(col.name, example, text[: len(text) // 3])


def write_template(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    _start_sheet(book.create_sheet(START))
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        if sheet is SETTINGS:
            _settings_sheet(ws)
        else:
            _table_sheet(ws, sheet)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    lists = book.create_sheet(BLOCS.name)
    _lists_sheet(lists)
    lists["A1"].font = Font(bold=True)
    for ws in book.worksheets:
        page_setup(ws)
        for row in ws.iter_rows():
            for cell in row:
                keep_text(cell)
    with atomic_path(Path(path)) as tmp:
        book.save(tmp)
