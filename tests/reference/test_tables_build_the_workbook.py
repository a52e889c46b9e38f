"""The reference workbook is data: the tables under inputs/reference/ build the shipped inputs/reference.xlsx."""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from rechain.inputs import reference_workbook
from rechain.workbook.validate import load_workbook

INPUTS = Path(__file__).resolve().parents[2] / "inputs"
TABLES = INPUTS / "reference"


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    """The builder as a repository tool: loaded from its file, not from the installed package."""
    spec = importlib.util.spec_from_file_location("build_reference", TABLES / "build_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(builder: ModuleType) -> bytes:
    return builder.deterministic_bytes(builder.build(TABLES))


def cells(data: bytes) -> dict[str, list[list[tuple[str, object]]]]:
    """Every sheet's cells as (type, value), in order."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {
        ws.title: [[(type(v).__name__, v) for v in row] for row in ws.iter_rows(values_only=True)]
        for ws in wb.worksheets
    }


def test_every_cell_of_every_sheet_is_what_the_tables_build(built):
    shipped, rebuilt = cells((INPUTS / "reference.xlsx").read_bytes()), cells(built)
    assert list(rebuilt) == list(shipped)
    for name in shipped:
        assert len(rebuilt[name]) == len(shipped[name]), name
        for number, (old, new) in enumerate(zip(shipped[name], rebuilt[name], strict=True), start=1):
            assert new == old, f"{name} row {number}"


def test_the_shipped_workbook_is_byte_for_byte_what_the_tables_build(built):
    assert built == (INPUTS / "reference.xlsx").read_bytes()
    assert reference_workbook().read_bytes() == built  # the installed copy too


def field(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return repr(value) if isinstance(value, int | float) else str(value)


@pytest.mark.parametrize("path", sorted(TABLES.glob("*.csv")), ids=lambda p: p.name)
def test_each_table_is_written_one_row_a_line_in_one_form(builder, path):
    """Read and written back, a table is the same text: LF line ends, minimal quoting, numbers as Python writes
    them, so a change of data is a change of the lines it touches."""
    columns, rows = builder.read_table(path)
    again = io.StringIO()
    csv.writer(again, lineterminator="\n").writerows([list(columns), *[[field(v) for v in row] for row in rows]])
    text = path.read_text(encoding="utf-8")
    assert text == again.getvalue()
    assert text.count("\n") == len(rows) + 1


def test_the_tables_are_the_sheets_and_nothing_else(builder):
    assert sorted(p.stem for p in TABLES.glob("*.csv")) == sorted(builder.SHEETS)


@pytest.mark.parametrize(
    "text, value",
    [
        ("", None),
        ("TRUE", True),
        ("FALSE", False),
        ("2030", 2030),
        ("-3", -3),
        ("0.07", 0.07),
        ("18900.0", 18900.0),
        ("4.4e-05", 4.4e-05),
        ("1e+16", 1e16),
        ("nan", "nan"),
        ("china, china_offtake", "china, china_offtake"),
        ("0:0.34, 1:0.33", "0:0.34, 1:0.33"),
        ("true", "true"),
    ],
)
def test_a_field_is_read_by_the_documented_grammar(builder, text, value):
    got = builder.cell(text)
    assert got == value and type(got) is type(value)


def test_a_header_that_is_not_the_schemas_is_refused(builder, tmp_path):
    tables = tmp_path / "reference"
    shutil.copytree(TABLES, tables)
    stages = tables / "stages.csv"
    stages.write_text(stages.read_text(encoding="utf-8").replace("yield", "yeild", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="stages.csv: header"):
        builder.build(tables)


def test_a_row_of_the_wrong_width_is_refused(builder, tmp_path):
    tables = tmp_path / "reference"
    shutil.copytree(TABLES, tables)
    with (tables / "routes.csv").open("a", encoding="utf-8") as f:
        f.write("a,b\n")
    with pytest.raises(ValueError, match="routes.csv:6: 2 fields under 5 columns"):
        builder.build(tables)


def test_the_tables_folder_reads_as_the_same_workbook():
    """rechain reads a folder of <sheet>.csv files too: the tables are a valid input as they stand."""
    from_tables, from_xlsx = load_workbook(TABLES), load_workbook(INPUTS / "reference.xlsx")
    assert from_tables.warnings == [] == from_xlsx.warnings
    assert from_tables.scenario_names == from_xlsx.scenario_names
