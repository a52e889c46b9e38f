"""Write results as JSON, CSV, Markdown and formatted xlsx, each set of files atomically (rechain.base.files)."""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..base.cells import formula_like, keep_text, page_setup
from ..base.files import atomic_files
from ..models.figures import split_column
from .text import plain


def safe_text(value: object) -> object:
    """CSV text that a spreadsheet would read as a formula gets a leading apostrophe; numbers stay numbers."""
    return "'" + value if formula_like(value) else value


def _clean(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def jsonable(value: Any) -> Any:  # JSON data: dicts, lists, numbers, text, None
    """Plain JSON data: non-finite numbers become None, numpy scalars Python numbers, the rest text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return None
    return str(value)


def to_json(data: object, indent: int | None = None) -> str:
    """JSON text with null for every NaN or infinity (never `NaN`/`Infinity`)."""
    return json.dumps(jsonable(data), indent=indent, allow_nan=False)


def save_json(path: Path, data: dict[str, Any]) -> None:
    Path(path).write_text(to_json(data, indent=2) + "\n", encoding="utf-8")


def save_csv(path: Path, frame: pd.DataFrame) -> None:
    frame.map(safe_text).rename(columns=safe_text).to_csv(path, index=False)


def save_text(path: Path, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def write_files(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Write several files as one set: each writer fills a temporary file; all are renamed only at the end."""
    with atomic_files(list(writers)) as temps:
        for write, tmp in zip(writers.values(), temps, strict=True):
            write(tmp)


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_files({Path(path): lambda tmp: save_json(tmp, data)})


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    write_files({Path(path): lambda tmp: save_csv(tmp, frame)})


def write_markdown(path: Path, text: str) -> None:
    write_files({Path(path): lambda tmp: save_text(tmp, text)})


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], charts: Callable[[Any], None] | None = None) -> None:
    """One formatted table per sheet: bold frozen header, widths, number formats.
    `charts(workbook)` may add native charts before saving."""
    write_files({Path(path): lambda tmp: save_xlsx(tmp, sheets, charts)})


def save_xlsx(path: Path, sheets: dict[str, pd.DataFrame], charts: Callable[[Any], None] | None = None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        _sheet(book.create_sheet(name[:31]), frame)
    if charts is not None:
        charts(book)
    tables = {name[:31] for name in sheets}
    for ws in book.worksheets:
        page_setup(ws)
        if ws.title not in tables:
            _format_by_header(ws)
    _text_stays_text(book)
    book.save(path)
    _reproducible(path)


def _text_stays_text(book: Any) -> None:
    """Every cell of every sheet (tables, headers, chart data): text is never a formula, and text a
    spreadsheet could run as one is quote-prefixed (Excel's `'`: shown as written, kept as text on edit)."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                keep_text(cell)


FIXED_TIME = "2000-01-01T00:00:00Z"
_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _reproducible(path: Path) -> None:
    """The same workbook gives the same bytes: zip entries and document properties carry a fixed time
    (openpyxl stamps both with the time of writing)."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _STAMPS.sub(rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def _sheet(ws: Any, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([str(c) for c in frame.columns])
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, _cell(value))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="305496")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    key_value = [str(c) for c in frame.columns] in KEY_VALUE
    for i, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        fmt = None if key_value else _number_format(str(col), frame[col])
        for cell in ws[letter][1:]:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                row_fmt = _name_format(str(ws.cell(cell.row, 1).value)) if key_value and i == 2 else fmt
                if row_fmt:
                    cell.number_format = row_fmt
        width = max(
            [len(str(col))] + [len(f"{v:,.0f}" if isinstance(v, float) else str(v)) for v in frame[col].head(200)]
        )
        ws.column_dimensions[letter].width = min(max(10, width + 2), 60)
    if len(frame.columns):
        ws.auto_filter.ref = ws.dimensions


def _format_by_header(ws: Any) -> None:
    """A sheet written by other code (chart data): numbers take the format their column's header asks for."""
    for column in ws.iter_cols(min_row=1):
        fmt = _name_format(str(column[0].value or ""))
        for cell in column[1:] if fmt else ():
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = fmt


def _cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = _clean(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return plain(value)  # XML cannot hold control characters: shown as escapes
    return value.item() if hasattr(value, "item") else value


KEY_VALUE = (["item", "value"], ["figure", "value"])  # one figure per row: each value formatted by its name
MONEY = '"$"#,##0'
MONEY_CENTS = '"$"#,##0.00'
PER_CENT = "0.0%"


UNIT_FORMATS = {"share": PER_CENT, "USD/kg": MONEY_CENTS, "USD/t": MONEY_CENTS, "USD": MONEY, "t": "#,##0.0"}


def _name_format(name: str) -> str | None:
    """The number format a column asks for (None: Excel's general format): a figure's (`clean_share.Dy.2035`)
    by its unit in the output schema; any other by its name: shares as per cent, USD as money (`usd_per_*`,
    `USD/kg` with cents)."""
    figure = split_column(name)
    unit = figure[0].unit.split(" ")[0] if figure is not None else ""
    if unit in UNIT_FORMATS:
        return UNIT_FORMATS[unit]
    name = name.lower()
    if "share" in name or "utilisation" in name or name.endswith("_pct"):
        return PER_CENT
    if "usd_per" in name or "usd/" in name:
        return MONEY_CENTS
    if name.endswith("_usd") or "usd" in name.split(".")[0] or "(usd" in name:
        return MONEY
    if name.endswith(("_t", "_tpa")):
        return "#,##0.0"
    return None


def _number_format(name: str, series: pd.Series) -> str | None:
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) or looks_like_years(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return _name_format(name) or "#,##0"
    return _name_format(name) or "#,##0.0"


def looks_like_years(series: pd.Series) -> bool:
    """Whole numbers from 1900 to 2200 (a year column such as `year` or `china_free_from`)."""
    v = pd.to_numeric(series, errors="coerce").dropna()
    return bool(len(v)) and bool(((v % 1 == 0) & (v >= 1900) & (v <= 2200)).all())
