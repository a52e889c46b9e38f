"""Write results: atomically, never over the input, text never turned into formulas."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@")


class OutputError(Exception):
    """An output cannot be written where asked; exit code 2."""


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


def manifest(input_path: Path, **fields) -> dict:
    return {"input": Path(input_path).name, "input_sha256": sha256(input_path), **fields,
            "versions": versions(), "written_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def check_target(path: Path, inputs: list[Path]) -> None:
    path = Path(path).resolve()
    for source in inputs:
        source = Path(source).resolve()
        if path == source or (source.is_dir() and source in path.parents):
            raise OutputError(f"{path}: refusing to write over the input {source}")


@contextlib.contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def safe_text(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _finite(value):
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return _clean(value)


def to_json(data: dict, indent: int | None = None) -> str:
    """JSON with null where a number is not finite (never Infinity or NaN)."""
    return json.dumps(_finite(data), indent=indent, default=str, allow_nan=False)


def write_json(path: Path, data: dict) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(to_json(data, indent=2) + "\n", encoding="utf-8")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        frame.map(safe_text).to_csv(tmp, index=False)


def write_markdown(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], charts=None) -> None:
    """One formatted table per sheet: bold frozen header, widths, number formats.
    `charts(workbook)` may add native charts before saving."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="305496")
    for name, frame in sheets.items():
        ws = book.create_sheet(name[:31])
        ws.append([str(c) for c in frame.columns])
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c, _cell(value))
                if cell.data_type == "f":  # input text that looks like a formula stays text
                    cell.data_type = "s"
        for cell in ws[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for i, col in enumerate(frame.columns, start=1):
            letter = get_column_letter(i)
            fmt = _number_format(str(col), frame[col])
            if fmt:
                for cell in ws[letter][1:]:
                    if isinstance(cell.value, (int, float)):
                        cell.number_format = fmt
            width = max([len(str(col))] + [len(f"{v:,.0f}" if isinstance(v, float) else str(v))
                                          for v in frame[col].head(200)])
            ws.column_dimensions[letter].width = min(max(10, width + 2), 60)
        if len(frame.columns):
            ws.auto_filter.ref = ws.dimensions
    if charts is not None:
        charts(book)
    with atomic_path(path) as tmp:
        book.save(tmp)


def _cell(value):
    value = _clean(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _number_format(name: str, series: pd.Series) -> str | None:
    if not pd.api.types.is_numeric_dtype(series) or name in ("year", "start_year", "online_year"):
        return None
    if "share" in name or "utilisation" in name or name.endswith("_pct"):
        return "0.0%"
    if name.endswith("_usd") or "usd" in name:
        return "#,##0"
    return "#,##0.0"
