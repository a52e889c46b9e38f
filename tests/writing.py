"""Inputs written for a test and the files rechain wrote, read back: a world of CSV tables, a run sheet,
the figures matplotlib saved, cells a spreadsheet would run."""

import csv
from pathlib import Path

import openpyxl
import pandas as pd
from rechain.base.cells import FORMULA_START


def write_csv(tables: dict, folder: Path, delimiter=",", bom=False, newline="\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
            w = csv.writer(f, delimiter=delimiter, lineterminator=newline)
            w.writerows([["" if v is None else str(v) for v in row] for row in rows])
    return folder


def run_sheet():
    return pd.DataFrame(
        {
            "item": ["input", "input_sha256", "versions.rechain", "written_utc"],
            "value": ["case.xlsx", "ab" * 32, "0.2", "2026-01-01T00:00:00Z"],
        }
    )


def captured_figures(monkeypatch) -> list:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figures, save = [], Figure.savefig

    def keep(fig, *args, **kwargs):
        figures.append(fig)
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    return figures


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def unsafe_cells(path: Path) -> list[str]:
    """Cells that are formulas, or formula-like text without Excel's quote prefix."""
    book = openpyxl.load_workbook(path)
    return [
        f"{path.name}!{ws.title}!{cell.coordinate}: {cell.value!r}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f" or formula_like(cell.value) and not cell.quotePrefix
    ]
