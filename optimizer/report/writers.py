"""Write results: atomically, never over the input, text never turned into formulas."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..errors import OutputError
from ..models.figures import split_column
from .text import plain

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what a spreadsheet may run as a formula


def sha256(path: Path) -> str:
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for f in files:
        digest.update(f.name.encode() if path.is_dir() else b"")
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("rechain", "pyomo", "highspy"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def manifest(input_path: Path, stamp: bool = True, **fields) -> dict:
    """What a run read and ran with; `stamp`: also when it was written (outputs then differ run to run)."""
    man = {"input": Path(input_path).name, "input_sha256": sha256(input_path), **fields, "versions": versions()}
    if stamp:
        man["written_utc"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return man


MIN_FREE_BYTES = 5 << 20


RESULT_NAMES = ("results.xlsx", "summary.json")  # rechain solve
RESULT_STEMS = ("sweep", "frontier", "scenarios", "risk", "findings", "compare")  # <stem>.<ext> and <stem>_<name>.<ext>
RESULT_SUFFIXES = (".xlsx", ".csv", ".md", ".png", ".json")
SHOWN_RESULTS = 3


def check_outputs(targets: list[Path], inputs: list[Path], out: Path | None = None, force: bool = False) -> None:
    """Before any work: every file to be written is not an input, not inside an input folder, and lies in a
    folder that is (or can be made) a writable folder with some free space; without `force`, the folder
    `out` holds no other run's results (`earlier_results`). Raises OutputError."""
    sources = [Path(s).resolve() for s in inputs]
    files = [Path(t).resolve() for t in targets]
    for path in files:
        for source in sources:
            if path == source or source in path.parents or path in source.parents:
                raise OutputError(f"{path}: refusing to write over the input {source}")
        if path.is_dir():
            raise OutputError(f"{path}: is a folder, expected a file to write")
        if path.exists() and not path.is_file():
            raise OutputError(f"{path}: is a device, pipe or socket, expected a file to write (never replaced)")
    for folder in sorted({p.parent for p in files}):
        _check_folder(folder)
    if out is not None and not force:
        _refuse_earlier_results(Path(out), sources)


def earlier_results(folder: Path, inputs: list[Path] = ()) -> list[str]:
    """Names of the files in `folder` that some rechain command writes (an earlier run's results, of this
    command or another): `results.xlsx`, `summary.json`, and `<stem>.<ext>` or `<stem>_<anything>.<ext>` for
    the stems sweep, frontier, scenarios, risk, findings and compare, <ext> one of xlsx, csv, md, png, json. The
    `inputs` do not count."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    skip = {Path(s).resolve() for s in inputs}
    return sorted(p.name for p in folder.iterdir() if _is_result(p.name) and p.is_file() and p.resolve() not in skip)


def _is_result(name: str) -> bool:
    stem, suffix = os.path.splitext(name)
    if name in RESULT_NAMES:
        return True
    return suffix in RESULT_SUFFIXES and any(stem == s or stem.startswith(f"{s}_") for s in RESULT_STEMS)


def _existing(folder: Path) -> Path:
    """The folder itself or its nearest existing ancestor; OutputError if that is a file."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{folder}: cannot be a folder, {existing} is a file")
    return existing


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _existing(folder)
        raise OutputError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None


def _refuse_earlier_results(out: Path, inputs: list[Path]) -> None:
    """One line naming the folder and what of an earlier run is in it."""
    found = earlier_results(out, inputs)
    if found:
        more = f" and {len(found) - SHOWN_RESULTS} more" if len(found) > SHOWN_RESULTS else ""
        raise OutputError(
            f"{out}: holds another run's results ({', '.join(found[:SHOWN_RESULTS])}{more}); "
            "pass --force to write there anyway (files of the same name are replaced), or choose another --out"
        )


def _check_folder(folder: Path) -> None:
    existing = _existing(folder)
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write there ({exc.strerror or exc})") from None
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        raise OutputError(f"{folder}: disk almost full ({free >> 10} KiB free)")


def _failed(path: Path, exc: OSError, replaced: int) -> OutputError:
    kept = "earlier results are unchanged" if not replaced else f"{replaced} file(s) of the set were already replaced"
    return OutputError(f"{path}: cannot write ({exc.strerror or exc}); {kept}")


@contextlib.contextmanager
def atomic_files(paths: list[Path]):
    """Yield one temporary path beside each of `paths`; rename them all into place only once every one is
    written. Any OSError becomes an OutputError; temporary files never stay behind."""
    paths, temps, replaced = [Path(p) for p in paths], [], 0
    current = paths[0] if paths else Path()
    try:
        for path in paths:
            current = path
            _make_folder(path.parent)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
            os.close(fd)
            temps.append(Path(tmp))
        current = None
        yield list(temps)
        for tmp, path in zip(temps, paths, strict=True):
            current = path
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            replaced += 1
    except OSError as exc:
        _remove(temps)
        if current is None:  # while writing: name the target whose temporary file failed, else the folder
            current = dict(zip(map(str, temps), paths, strict=True)).get(str(exc.filename), paths[0].parent)
        raise _failed(current, exc, replaced) from None
    except BaseException:
        _remove(temps)
        raise


def _remove(temps: list[Path]) -> None:
    for tmp in temps:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; rename it into place only on success."""
    with atomic_files([path]) as (tmp,):
        yield tmp


def formula_like(value) -> bool:
    """Text a spreadsheet could run as a formula: it begins with `=`, `+`, `-`, `@`, a tab or a CR."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def safe_text(value):
    """CSV text that a spreadsheet would read as a formula gets a leading apostrophe; numbers stay numbers."""
    return "'" + value if formula_like(value) else value


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def jsonable(value):
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


def to_json(data, indent: int | None = None) -> str:
    """JSON text with null for every NaN or infinity (never `NaN`/`Infinity`)."""
    return json.dumps(jsonable(data), indent=indent, allow_nan=False)


def save_json(path: Path, data: dict) -> None:
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


def write_json(path: Path, data: dict) -> None:
    write_files({Path(path): lambda tmp: save_json(tmp, data)})


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    write_files({Path(path): lambda tmp: save_csv(tmp, frame)})


def write_markdown(path: Path, text: str) -> None:
    write_files({Path(path): lambda tmp: save_text(tmp, text)})


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], charts=None) -> None:
    """One formatted table per sheet: bold frozen header, widths, number formats.
    `charts(workbook)` may add native charts before saving."""
    write_files({Path(path): lambda tmp: save_xlsx(tmp, sheets, charts)})


def save_xlsx(path: Path, sheets: dict[str, pd.DataFrame], charts=None) -> None:
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


def _text_stays_text(book) -> None:
    """Every cell of every sheet (tables, headers, chart data): text is never a formula, and text a
    spreadsheet could run as one is quote-prefixed (Excel's `'`: shown as written, kept as text on edit)."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                keep_text(cell)


def keep_text(cell):
    """The one xlsx rule for a cell (also the input workbooks' of `template` and `generate`): text is never a
    formula, and text a spreadsheet could run as one is quote-prefixed. Read back, the value is the text."""
    if cell.data_type == "f":
        cell.data_type = "s"
    if formula_like(cell.value):
        cell.quotePrefix = True
    return cell


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


def _sheet(ws, frame: pd.DataFrame) -> None:
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


def _format_by_header(ws) -> None:
    """A sheet written by other code (chart data): numbers take the format their column's header asks for."""
    for column in ws.iter_cols(min_row=1):
        fmt = _name_format(str(column[0].value or ""))
        for cell in column[1:] if fmt else ():
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = fmt


def _cell(value):
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


def page_setup(ws) -> None:
    """Printable as it is: landscape, one page wide (as many pages tall as needed), the header row on each page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if ws.max_row > 1:
        ws.print_title_rows = "1:1"


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
