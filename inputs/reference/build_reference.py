"""Build the reference workbook `inputs/reference.xlsx` from the tables beside this file.

Each `<sheet>.csv` here is one sheet of the workbook: UTF-8, a header row, then one row
per line, in the workbook's order of rows and columns. The figures come from the sourced
data brief (shared/data/rare_earth_data.md, which cites the original publications) or are
stated assumptions: facility and circuit rows carry their source in the `source` column;
everything else, derivations included, is explained row by row in `sources.csv`.

A cell is read as: empty -> blank, TRUE/FALSE -> a boolean, a whole number -> an integer,
a number with a point or an exponent (`18900.0`, `4.4e-05`) -> a float, anything else ->
text. The headers must be the schema's (`rechain.workbook.schema`), except the free-text
sources sheet.

Run `python inputs/reference/build_reference.py` where rechain is installed; it writes
`inputs/reference.xlsx`, byte for byte the same for the same tables (`--check` only says
whether the shipped workbook is what the tables build).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from rechain.workbook import schema

TABLES = Path(__file__).resolve().parent
OUT = TABLES.parent / "reference.xlsx"
SHEETS = (
    "settings",
    "nodes",
    "stages",
    "facilities",
    "composition",
    "demand",
    "routes",
    "trade_rules",
    "budgets",
    "circuits",
    "availability",
    "uncertainty",
    "stockpiles",
    "recipes",
    "scenarios",
    "comparators",
    "claims",
    "validation",
    "sources",
)
SOURCES_HEADER = ("item", "value", "source", "year", "note")  # free text, not read: wider than the schema's
Cell = str | int | float | bool | None
INTEGER = re.compile(r"-?[0-9]+")
FLOAT = re.compile(r"-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?")


def header(name: str) -> tuple[str, ...]:
    """A sheet's header as the schema gives it."""
    if name == "sources":
        return SOURCES_HEADER
    return tuple(schema.SETTINGS_HEADER if name == "settings" else schema.SHEET_BY_NAME[name].header)


def cell(text: str) -> Cell:
    """The value of one CSV field (the grammar is in the module docstring)."""
    if text == "":
        return None
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    if INTEGER.fullmatch(text):
        return int(text)
    if FLOAT.fullmatch(text):
        return float(text)
    return text


def read_table(path: Path) -> tuple[tuple[str, ...], list[list[Cell]]]:
    """The header and the rows of one table."""
    with path.open(encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    columns = tuple(lines[0])
    for number, fields in enumerate(lines[1:], start=2):
        if len(fields) != len(columns):
            raise ValueError(f"{path.name}:{number}: {len(fields)} fields under {len(columns)} columns")
    return columns, [[cell(text) for text in fields] for fields in lines[1:]]


def build(tables: Path = TABLES) -> Workbook:
    """The workbook of the tables in `tables`, one sheet per table in the order of SHEETS."""
    wb = Workbook()
    wb.remove(wb.active)
    for name in SHEETS:
        columns, rows = read_table(tables / f"{name}.csv")
        if columns != header(name):
            raise ValueError(f"{name}.csv: header {columns}, the schema's is {header(name)}")
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for row in rows:
            ws.append(row)
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for col in range(1, len(columns) + 1):
            longest = max(len(str(c.value)) for c in ws[get_column_letter(col)] if c.value is not None)
            ws.column_dimensions[get_column_letter(col)].width = min(max(longest + 2, 10), 80)
    wb.properties.creator = "rechain build_reference.py"
    return wb


def deterministic_bytes(wb: Workbook) -> bytes:
    """The saved workbook with fixed document dates and zip timestamps: the same data gives the same bytes."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2025-01-01T00:00:00Z\g<2>", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build inputs/reference.xlsx from the tables beside this script.")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the shipped workbook differs")
    args = parser.parse_args(argv)
    built = deterministic_bytes(build())
    if args.check:
        same = OUT.exists() and OUT.read_bytes() == built
        print(f"{OUT.name} {'is' if same else 'is NOT'} what the tables build")
        return 0 if same else 1
    OUT.write_bytes(built)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
