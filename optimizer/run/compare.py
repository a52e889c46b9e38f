"""`rechain compare A B`: what changed between two `rechain solve --out` folders (B minus A).

Each table has the value in A, the value in B and `change` = B − A; rows that did not change
(|B − A| ≤ TOLERANCE) are left out, so an empty table means "no change"."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd

from ..errors import InputError, Issue

TOLERANCE = 1e-6
SOLVE_FILES = ("results.xlsx", "summary.json")
OTHER_KINDS = ("sweep", "frontier", "scenarios", "risk", "findings")
COST_FIGURES = ("system_cost_usd", "objective_usd", "penalty_usd", "capex_usd", "budget_capex_usd")
TONNE_FIGURES = ("unmet_t", "shortfall_t")
UNCOMPARED = ("solve_seconds", "build_seconds", "read_seconds", "translate_seconds", "highs_seconds", "written_utc")
COLUMNS = {
    "builds": ["node", "stage", "start_year", "build_tpa"],
    "unmet": ["node", "element", "year", "unmet_t"],
    "binding_capacity": ["node", "stage", "year", "usd_per_tpa"],
    "clean_share": ["element", "year", "clean_share"],
    "independence": ["element", "year", "shortfall_t"],
}


def _kind(folder: Path) -> str:
    """`solve` when the folder holds results.xlsx and summary.json, else the stem of another command's files."""
    names = {p.name for p in folder.iterdir()}
    if all(n in names for n in SOLVE_FILES):
        return "solve"
    kinds = [k for k in OTHER_KINDS if any(n.startswith(k) for n in names)]
    return kinds[0] if kinds else ""


def _found(folder: Path) -> str:
    if not folder.exists():
        return "nothing (no such folder)"
    if not folder.is_dir():
        return "a file"
    names = sorted(p.name for p in folder.iterdir())
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return shown or "an empty folder"


def check_folders(a: Path, b: Path) -> None:
    """Both folders are `solve` results; raises one InputError naming every folder that is not."""
    issues = [
        Issue(label, "a folder with results.xlsx and summary.json (rechain solve --out)", _found(folder))
        for label, folder in (("A", a), ("B", b))
        if not folder.is_dir() or _kind(folder) != "solve"
    ]
    if issues:
        raise InputError(issues)


def _read(folder: Path, label: str) -> tuple[dict, dict[str, pd.DataFrame]]:
    """summary.json and the sheets of results.xlsx compared; a sheet a run did not write counts as empty."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        with pd.ExcelFile(folder / "results.xlsx", engine="openpyxl") as book:
            sheets = {name: pd.read_excel(book, sheet_name=name) for name in COLUMNS if name in book.sheet_names}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise InputError([Issue(label, "readable results.xlsx and summary.json of rechain solve", str(exc))]) from exc
    if not isinstance(summary, dict):
        raise InputError([Issue(label, "summary.json holding one JSON object", type(summary).__name__)])
    return summary, {name: _columns(sheets.get(name), columns) for name, columns in COLUMNS.items()}


def _columns(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """The key columns and the value (last) as a number; a missing sheet or column is empty or blank."""
    frame = pd.DataFrame(columns=columns) if frame is None else frame.reindex(columns=columns)
    return frame.assign(**{columns[-1]: pd.to_numeric(frame[columns[-1]], errors="coerce").astype(float)})


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")


def _with_change(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Columns A_<unit>, B_<unit>, change_<unit> = B − A; only rows that changed (a value missing on one side
    counts as a change)."""
    frame = frame.assign(change=frame["B"] - frame["A"])
    kept = (frame["change"].abs() > TOLERANCE) | (frame["A"].isna() != frame["B"].isna())
    return frame[kept].rename(columns={c: f"{c}_{unit}" for c in ("A", "B", "change")}).reset_index(drop=True)


def costs(sa: dict, sb: dict) -> pd.DataFrame:
    """System cost, objective, penalty, capex and the objective's parts (discounted, `<part>_discounted`)."""
    rows = [(k.removesuffix("_usd"), _number(sa.get(k)), _number(sb.get(k))) for k in COST_FIGURES]
    parts = sorted(set(sa.get("costs_usd", {})) | set(sb.get("costs_usd", {})))
    rows += [
        (f"{p}_discounted", *(_number(s.get("costs_usd", {}).get(p, {}).get("discounted")) for s in (sa, sb)))
        for p in parts
    ]
    return _with_change(pd.DataFrame(rows, columns=["item", "A", "B"]), "usd")


def totals(sa: dict, sb: dict) -> pd.DataFrame:
    """Unmet demand and independence shortfall (t) over all years."""
    rows = [(k.removesuffix("_t"), _number(sa.get(k)), _number(sb.get(k))) for k in TONNE_FIGURES]
    return _with_change(pd.DataFrame(rows, columns=["item", "A", "B"]), "t")


def budget(sa: dict, sb: dict) -> pd.DataFrame:
    """The budget row: its dual (USD of system cost per USD of budget; blank when it does not bind)."""
    key = "budget_dual_usd_per_usd"
    frame = pd.DataFrame([("budget", _number(sa.get(key)), _number(sb.get(key)))], columns=["row", "A", "B"])
    return _with_change(frame, "usd_per_usd")


def _side_by_side(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], value: str, unit: str) -> pd.DataFrame:
    """Outer join on `keys` (a row missing on one side is 0 there): A_<unit>, B_<unit>, change_<unit>."""
    left = a.groupby(keys, as_index=False)[value].sum().rename(columns={value: "A"})
    right = b.groupby(keys, as_index=False)[value].sum().rename(columns={value: "B"})
    both = left.merge(right, on=keys, how="outer").fillna({"A": 0.0, "B": 0.0}).sort_values(keys)
    return _with_change(both, unit)


def builds(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Builds by node, stage and start year (t/yr): added (only in B), removed (only in A) or changed."""
    both = _side_by_side(a, b, ["node", "stage", "start_year"], "build_tpa", "tpa")
    what = [
        "added" if x == 0 else "removed" if y == 0 else "changed"
        for x, y in zip(both["A_tpa"], both["B_tpa"], strict=True)
    ]
    return both.assign(what=what)


def clean_shares(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Clean share of protected demand by element and year, where it changed."""
    return _side_by_side(a, b, ["element", "year"], "clean_share", "share")


def unmet(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Unmet demand (t) by node, element and year, where it changed."""
    return _side_by_side(a, b, ["node", "element", "year"], "unmet_t", "t")


def shortfall(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Independence shortfall (t) by element and year, where it changed."""
    return _side_by_side(a, b, ["element", "year"], "shortfall_t", "t")


def binding(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Binding capacity rows (shadow price, USD per t/yr): binds only in A, only in B, or at another price."""
    both = _side_by_side(a, b, ["node", "stage", "year"], "usd_per_tpa", "usd_per_tpa")
    return both.assign(binds=[_binds(x, y) for x, y in zip(both["A_usd_per_tpa"], both["B_usd_per_tpa"], strict=True)])


def _binds(x: float, y: float) -> str:
    return "only in B" if x == 0 else "only in A" if y == 0 else "in both"


def _flat(run: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for k, v in run.items():
        if isinstance(v, dict):
            flat |= _flat(v, f"{prefix}{k}.")
        elif k not in UNCOMPARED:
            flat[prefix + k] = "; ".join(map(str, v)) if isinstance(v, list) else str(v)
    return flat


def settings(ra: dict, rb: dict) -> pd.DataFrame:
    """The run entries (input, its hash, scenario, --set overrides, status, versions) that differ; timings and
    the time written are left out."""
    fa, fb = _flat(ra), _flat(rb)
    rows = [(k, fa.get(k, ""), fb.get(k, "")) for k in sorted(set(fa) | set(fb)) if fa.get(k, "") != fb.get(k, "")]
    return pd.DataFrame(rows, columns=["item", "A", "B"])


SHEETS = (
    "settings",
    "costs",
    "totals",
    "builds",
    "clean_share",
    "unmet",
    "shortfall",
    "binding_capacity",
    "budget",
)  # the tables of `compare_folders`, in order


def compare_folders(a: Path, b: Path) -> dict[str, pd.DataFrame]:
    """Every table of what changed from A to B (SHEETS, in order)."""
    check_folders(Path(a), Path(b))
    (sa, ta), (sb, tb) = _read(Path(a), "A"), _read(Path(b), "B")
    tables = (
        settings(sa.get("run", {}), sb.get("run", {})),
        costs(sa, sb),
        totals(sa, sb),
        builds(ta["builds"], tb["builds"]),
        clean_shares(ta["clean_share"], tb["clean_share"]),
        unmet(ta["unmet"], tb["unmet"]),
        shortfall(ta["independence"], tb["independence"]),
        binding(ta["binding_capacity"], tb["binding_capacity"]),
        budget(sa, sb),
    )
    return dict(zip(SHEETS, tables, strict=True))
