"""Read a workbook (.xlsx) or a folder of <sheet>.csv files into raw tables.

Raw tables keep every cell's address so validation can name `sheet!CELL`.
No types are interpreted here beyond what the file format gives.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from .errors import Issue, InputError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000


@dataclass
class RawRow:
    number: int  # row number in the sheet (1-based, as a spreadsheet shows it)
    cells: dict[str, tuple[object, str]]  # normalised column name -> (value, "sheet!CELL")


@dataclass
class RawSheet:
    name: str  # as written in the file
    header: dict[str, str] = field(default_factory=dict)  # normalised column -> "sheet!CELL"
    rows: list[RawRow] = field(default_factory=list)
    header_row: int = 1


def normalise(name: object) -> str:
    return str(name).strip().lower() if name is not None else ""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def to_sheet(name: str, grid) -> RawSheet:
    """Turn an iterable of (row number, [values]) into a RawSheet: the first
    non-empty row is the header, fully empty rows are skipped."""
    sheet = RawSheet(name)
    columns: list[str | None] = []
    for number, values in grid:
        if all(_blank(v) for v in values):
            continue
        if not sheet.header:
            sheet.header_row = number
            for i, v in enumerate(values):
                col = normalise(v)
                columns.append(col or None)
                if col and col not in sheet.header:
                    sheet.header[col] = f"{name}!{get_column_letter(i + 1)}{number}"
            continue
        cells = {}
        for i, v in enumerate(values):
            if i < len(columns) and columns[i] and columns[i] not in cells:
                cells[columns[i]] = (v.strip() if isinstance(v, str) else v,
                                     f"{name}!{get_column_letter(i + 1)}{number}")
        sheet.rows.append(RawRow(number, cells))
    return sheet


def read_tables(path: Path) -> dict[str, RawSheet]:
    """All sheets of a workbook or CSV folder, keyed by normalised sheet name."""
    path = Path(path)
    if not path.exists():
        raise InputError([Issue(str(path), "an .xlsx workbook or a folder of CSV files", "no such file")])
    if path.is_dir():
        return _read_csv_folder(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError([Issue(path.name, f"a file of at most {MAX_FILE_BYTES // 2**20} MiB",
                                f"{size / 2**20:.0f} MiB")])
    if not zipfile.is_zipfile(path):
        raise InputError([Issue(path.name, "an .xlsx workbook (a zip file written by Excel, LibreOffice "
                                "or openpyxl)", _sniff(path))])
    return _read_xlsx(path)


def _sniff(path: Path) -> str:
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old binary .xls or an encrypted workbook (save it as .xlsx without a password)"
    if not head:
        return "an empty file"
    return "a file that is not a zip archive (perhaps CSV or a truncated download)"


def _read_xlsx(path: Path) -> dict[str, RawSheet]:
    import openpyxl

    from .xlsx_guard import check_archive

    check_archive(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError([Issue(path.name, "a readable .xlsx workbook", f"a damaged file ({exc})")]) from None
    try:
        grids, formulas = {}, {}
        for ws in book.worksheets:
            grid = []
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if r > MAX_ROWS:
                    raise InputError([Issue(f"{ws.title}!A{r}", f"at most {MAX_ROWS} rows", "more")])
                values = list(row)
                for c, v in enumerate(values):
                    if isinstance(v, str) and v.startswith("=") or type(v).__name__ in ("ArrayFormula",
                                                                                         "DataTableFormula"):
                        formulas[(ws.title, r, c)] = True
                grid.append((r, values))
            grids[ws.title] = grid
    except InputError:
        raise
    except Exception as exc:
        raise InputError([Issue(path.name, "a readable .xlsx workbook", f"a damaged file ({exc})")]) from None
    finally:
        book.close()
    if formulas:
        _fill_cached_values(path, grids, formulas)
    return _by_name(path.name, {title: to_sheet(title, grid) for title, grid in grids.items()})


def _fill_cached_values(path: Path, grids: dict, formulas: dict) -> None:
    """Replace formulas by the values the spreadsheet program cached with them."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    issues = []
    try:
        for ws in book.worksheets:
            wanted = {(r, c) for (t, r, c) in formulas if t == ws.title}
            if not wanted:
                continue
            rows = dict(grids[ws.title])
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                for c, v in enumerate(row):
                    if (r, c) in wanted:
                        if v is None:
                            issues.append(Issue(f"{ws.title}!{get_column_letter(c + 1)}{r}",
                                                "a value, or a formula saved with its computed value "
                                                "(open and save the file in Excel or LibreOffice)",
                                                "a formula with no cached value"))
                        rows[r][c] = v
    finally:
        book.close()
    if issues:
        raise InputError(issues)


def _read_csv_folder(folder: Path) -> dict[str, RawSheet]:
    sheets = {}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if not files:
        raise InputError([Issue(str(folder.name), "a folder holding one <sheet>.csv per sheet", "no .csv files")])
    for p in files:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputError([Issue(p.name, f"a file of at most {MAX_FILE_BYTES // 2**20} MiB", "a larger one")])
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError([Issue(p.name, "a UTF-8 text file", "bytes that are not UTF-8")]) from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = csv.reader(text.splitlines(), dialect)
        sheets[p.stem] = to_sheet(p.stem, ((r, row) for r, row in enumerate(rows, start=1)))
    return _by_name(folder.name, sheets)


def _by_name(source: str, sheets: dict[str, RawSheet]) -> dict[str, RawSheet]:
    result, issues = {}, []
    for title, sheet in sheets.items():
        key = normalise(title)
        if key in result:
            issues.append(Issue(f"{source}: sheet '{title}'", f"one sheet named '{key}'",
                                f"a second one ('{result[key].name}')"))
        result[key] = sheet
    if issues:
        raise InputError(issues)
    return result
