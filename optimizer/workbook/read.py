"""Read a workbook (.xlsx) or a folder of <sheet>.csv files into raw tables.

Raw tables keep every cell's address so validation can name `sheet!CELL`.
No types are interpreted here beyond what the file format gives.
"""

from __future__ import annotations

import csv
import io
import sys
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import InputError, Issue
from .limits import max_file_bytes, max_rows
from .schema import SHEET_BY_NAME

MAX_COLUMNS = 16_384  # column XFD, the last of a sheet


@dataclass(slots=True)
class RawRow:
    number: int  # row number in the sheet (1-based, as a spreadsheet shows it)
    values: tuple[object, ...]  # the cells of the sheet's columns, in the order of RawSheet.columns


@dataclass
class RawSheet:
    name: str  # as written in the file
    header: dict[str, str] = field(default_factory=dict)  # normalised column -> "sheet!CELL"
    rows: list[RawRow] = field(default_factory=list)
    header_row: int = 1
    repeated: list[tuple[str, str]] = field(default_factory=list)  # (column, "sheet!CELL") of repeated headers
    letters: dict[str, str] = field(default_factory=dict)  # normalised column -> its letter
    index: dict[str, int] = field(default_factory=dict)  # normalised column -> position in RawRow.values

    def cell(self, row: RawRow, column: str) -> tuple[object, str | None]:
        """(value, "sheet!CELL") of a row's cell in a column; (None, None) if there is no such column."""
        i = self.index.get(column)
        if i is None:
            return None, None
        value = row.values[i] if i < len(row.values) else None
        return value, f"{self.name}!{self.letters[column]}{row.number}"


def get_column_letter(number: int) -> str:
    """Column letters of a 1-based column number: 1 -> A, 27 -> AA (openpyxl's, without importing it)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def normalise(name: object) -> str:
    return str(name).strip().lower() if name is not None else ""


def is_read(title: str) -> bool:
    """Whether a sheet's cells are read: sheets rechain does not know, and sources, are not."""
    return normalise(title) in SHEET_BY_NAME and normalise(title) != "sources"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def to_sheet(name: str, grid: Iterable[tuple[int, Sequence[object]]]) -> RawSheet:
    """Turn an iterable of (row number, [values]) into a RawSheet: the first
    non-empty row is the header, fully empty rows are skipped."""
    sheet = RawSheet(name)
    positions: list[int] = []
    for number, values in grid:
        if all(_blank(v) for v in values):
            continue
        if not sheet.header:
            sheet.header_row = number
            for i, v in enumerate(values):
                col = normalise(v)
                place = f"{name}!{get_column_letter(i + 1)}{number}"
                if col and col in sheet.header:
                    sheet.repeated.append((col, place))
                elif col:
                    sheet.header[col] = place
                    sheet.letters[col] = get_column_letter(i + 1)
                    sheet.index[col] = len(positions)
                    positions.append(i)
            continue
        sheet.rows.append(RawRow(number, tuple(_cell(values, i) for i in positions)))
    return sheet


def _cell(values: Sequence[object], i: int) -> object:
    v = values[i] if i < len(values) else None
    return sys.intern(v.strip()) if isinstance(v, str) else v  # labels repeat: keep one copy of each


def read_tables(path: Path) -> dict[str, RawSheet]:
    """All sheets of a workbook or CSV folder, keyed by normalised sheet name."""
    path = Path(path)
    if not path.exists():
        raise InputError([Issue(str(path), "an .xlsx workbook or a folder of CSV files", "no such file")])
    if path.is_dir():
        return _read_csv_folder(path)
    if not path.is_file():
        raise InputError([Issue(path.name, "an .xlsx workbook or a folder of CSV files", "a device, pipe or socket")])
    size = path.stat().st_size
    if size > max_file_bytes():
        raise InputError(
            [
                Issue(
                    path.name,
                    f"a file of at most {max_file_bytes() / 2**20:g} MiB (RECHAIN_MAX_FILE_MB)",
                    f"{size / 2**20:.0f} MiB",
                )
            ]
        )
    if not zipfile.is_zipfile(path):
        raise InputError(
            [Issue(path.name, "an .xlsx workbook (a zip file written by Excel, LibreOffice or openpyxl)", _sniff(path))]
        )
    return _read_xlsx(path)


def _sniff(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        return f"an unreadable file ({exc.strerror or exc})"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old binary .xls or an encrypted workbook (save it as .xlsx without a password)"
    if not head:
        return "an empty file"
    return "a file that is not a zip archive (perhaps CSV or a truncated download)"


def _read_xlsx(path: Path) -> dict[str, RawSheet]:
    from .guard import check_archive

    check_archive(path)
    grids: dict[str, list[tuple[int, list[object]]]] = {}
    formulas: dict[tuple[str, int, int], bool] = {}
    with _open_book(path, data_only=False) as book:
        for ws in book.worksheets:
            grids[ws.title] = grid = []
            if not is_read(ws.title):
                continue
            for r, values in _sheet_rows(path, ws):
                for c, v in enumerate(values):
                    if (
                        isinstance(v, str)
                        and v.startswith("=")
                        or type(v).__name__ in ("ArrayFormula", "DataTableFormula")
                    ):
                        formulas[(ws.title, r, c)] = True
                grid.append((r, values))
    if formulas:
        _fill_cached_values(path, grids, formulas)
    return _by_name(path.name, {title: to_sheet(title, grid) for title, grid in grids.items()})


@contextmanager
def _open_book(path: Path, data_only: bool) -> Iterator[Any]:
    """An openpyxl read-only workbook; damage found while it is open is an input error."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features it drops; they do not matter here
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise InputError([Issue(path.name, "a readable .xlsx workbook", _damage(exc))]) from None
        try:
            yield book
        finally:
            book.close()


def _sheet_rows(path: Path, ws: Any) -> Iterator[tuple[int, list[object]]]:
    """(row number, values) of the rows of a sheet that hold something, whatever its
    stated dimension (which may be missing, too small or absurdly large)."""
    ws.reset_dimensions()
    r, most = 0, max_rows()
    try:
        for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if r > most:
                raise InputError([Issue(f"{ws.title}!A{r}", f"at most {most} rows (RECHAIN_MAX_ROWS)", "more")])
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            if values:
                yield r, values
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            [Issue(f"{path.name}: sheet '{ws.title}'", "a readable sheet", f"{_damage(exc)} in or after row {r + 1}")]
        ) from None


def _damage(exc: BaseException) -> str:
    """What was found, from the innermost cause of an openpyxl error."""
    from defusedxml import DefusedXmlException

    cause = exc.__cause__ or exc.__context__
    while cause is not None and not isinstance(exc, DefusedXmlException):
        exc, cause = cause, cause.__cause__ or cause.__context__
    if isinstance(exc, DefusedXmlException):
        return "XML that declares entities (refused: it could be an XML bomb or read other files)"
    return f"damaged data ({(str(exc).splitlines() or [type(exc).__name__])[0]})"


def _fill_cached_values(
    path: Path, grids: dict[str, list[tuple[int, list[object]]]], formulas: dict[tuple[str, int, int], bool]
) -> None:
    """Replace formulas by the values the spreadsheet program cached with them."""
    issues = []
    with _open_book(path, data_only=True) as book:
        for ws in book.worksheets:
            wanted = {(r, c) for (t, r, c) in formulas if t == ws.title}
            if not wanted:
                continue
            rows, cached = dict(grids[ws.title]), dict(_sheet_rows(path, ws))
            for r, c in sorted(wanted):
                row = cached.get(r, [])
                rows[r][c] = row[c] if c < len(row) else None
                if rows[r][c] is None:
                    issues.append(
                        Issue(
                            f"{ws.title}!{get_column_letter(c + 1)}{r}",
                            "a value, or a formula saved with its computed value "
                            "(open and save the file in Excel or LibreOffice)",
                            "a formula with no cached value",
                        )
                    )
    if issues:
        raise InputError(issues)


def _read_csv_folder(folder: Path) -> dict[str, RawSheet]:
    sheets = {}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if not files:
        raise InputError([Issue(str(folder.name), "a folder holding one <sheet>.csv per sheet", "no .csv files")])
    for p in files:
        if not is_read(p.stem):
            sheets[p.stem] = RawSheet(p.stem)
            continue
        if p.stat().st_size > max_file_bytes():
            raise InputError(
                [
                    Issue(
                        p.name,
                        f"a file of at most {max_file_bytes() / 2**20:g} MiB (RECHAIN_MAX_FILE_MB)",
                        "a larger one",
                    )
                ]
            )
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError([Issue(p.name, "a UTF-8 text file", "bytes that are not UTF-8")]) from None
        sample = text[:4096]
        whole_lines = sample[: max(sample.rfind("\n"), sample.rfind("\r")) + 1] or sample  # a long cell may be cut
        try:
            dialect = csv.Sniffer().sniff(whole_lines, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        try:
            sheets[p.stem] = to_sheet(p.stem, _csv_rows(p.stem, reader))
        except csv.Error as exc:
            raise InputError([Issue(p.name, "CSV text", f"unreadable CSV at line {reader.line_num} ({exc})")]) from None
    return _by_name(folder.name, sheets)


def _csv_rows(name: str, reader: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) of a CSV file, within the size limits."""
    most = max_rows()
    for number, values in enumerate(reader, start=1):
        if number > most:
            raise InputError([Issue(f"{name}!A{number}", f"at most {most} rows (RECHAIN_MAX_ROWS)", "more")])
        if len(values) > MAX_COLUMNS:
            raise InputError(
                [
                    Issue(
                        f"{name}!{number}:{number}",
                        f"at most {MAX_COLUMNS:,} columns (the most a sheet can hold)",
                        f"{len(values):,} columns",
                    )
                ]
            )
        yield number, values


def _by_name(source: str, sheets: dict[str, RawSheet]) -> dict[str, RawSheet]:
    result: dict[str, RawSheet] = {}
    issues: list[Issue] = []
    for title, sheet in sheets.items():
        key = normalise(title)
        if key in result:
            issues.append(
                Issue(f"{source}: sheet '{title}'", f"one sheet named '{key}'", f"a second one ('{result[key].name}')")
            )
        result[key] = sheet
    if issues:
        raise InputError(issues)
    return result
