"""The empty, documented workbook of `rechain template`, derived from the schema."""

from __future__ import annotations

from pathlib import Path

from .outputs import atomic_path
from .schema import SETTINGS, SHEETS

EXAMPLE_STAGES = ("mining", "separation", "metal", "magnet")
EXAMPLE_BLOCS = ("china", "allied", "non_allied")
LIST_ROWS = 500


def _comment(col) -> str:
    text = col.description
    if col.unit:
        text += f" [{col.unit}]"
    text += " — required" if col.required else (f" — default {col.default}" if col.default not in (None, ()) else "")
    return text


def write_template(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    lists = book.create_sheet("lists")
    for i, (stage, bloc) in enumerate(zip(EXAMPLE_STAGES, EXAMPLE_BLOCS + ("",)), start=1):
        lists.cell(i, 1, stage)
        if bloc:
            lists.cell(i, 2, bloc)
    lists.sheet_state = "hidden"
    choices = {"stage": "=lists!$A$1:$A$4", "bloc": "=lists!$B$1:$B$3", "from_bloc": "=lists!$B$1:$B$3",
               "to_bloc": "=lists!$B$1:$B$3", "bool": '"TRUE,FALSE"'}

    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        if sheet is SETTINGS:
            ws.append(["key", "value"])
            ws.cell(1, 1).comment = Comment("settings key (one per row)", "rechain")
            ws.cell(1, 2).comment = Comment("its value; blank = the default", "rechain")
            for row, col in enumerate(sheet.columns, start=2):
                ws.append([col.name, col.example if col.example is not None else None])
                ws.cell(row, 1).comment = Comment(_comment(col), "rechain")
        else:
            ws.append([c.name for c in sheet.columns])
            ws.append([c.example for c in sheet.columns])
            for i, col in enumerate(sheet.columns, start=1):
                ws.cell(1, i).comment = Comment(_comment(col), "rechain")
                key = "bool" if col.kind == "bool" else col.name
                if key in choices:
                    dv = DataValidation(type="list", formula1=choices[key], allow_blank=True)
                    ws.add_data_validation(dv)
                    letter = ws.cell(1, i).column_letter
                    dv.add(f"{letter}2:{letter}{LIST_ROWS}")
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for letter in "ABCDEFGHIJKL":
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 16)
    book.move_sheet("lists", offset=len(book.sheetnames))
    with atomic_path(Path(path)) as tmp:
        book.save(tmp)
