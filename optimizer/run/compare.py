"""`rechain compare A B`: what changed between two result folders of one kind (B minus A): `rechain solve
--out` folders here; those of `sweep`, `frontier`, `scenarios` and `risk` in `compare_tables`.

Each table has the value in A, the value in B and `change` = B − A; rows that did not change
(|B − A| ≤ 10⁻⁶ · max(1, |A|, |B|), `compare_tables.changed`) are left out, so an empty table means "no change"."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..base.errors import InputError, Issue
from . import compare_tables

SOLVE_FILES = ("results.xlsx", "summary.json")
OTHER_KINDS = ("sweep", "frontier", "scenarios", "risk", "findings", "compare")
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


KINDS = ("solve", *compare_tables.KEYS)  # the folders compared
EXPECTED = "a result folder of rechain solve, sweep, frontier, scenarios or risk (--out)"


def kinds_of(folder: Path) -> list[str]:
    """The commands whose results the folder holds: `solve` (results.xlsx and summary.json), and every stem of
    OTHER_KINDS with a file `<stem>.<ext>` or `<stem>_<name>.<ext>`."""
    names = {p.name for p in folder.iterdir()}
    kinds = ["solve"] if all(n in names for n in SOLVE_FILES) else []
    return kinds + [k for k in OTHER_KINDS if any(n.startswith((f"{k}.", f"{k}_")) for n in names)]


def _found(folder: Path) -> str:
    if not folder.exists():
        return "nothing (no such folder)"
    if not folder.is_dir():
        return "a file"
    return compare_tables.listing(folder) or "an empty folder"


def _folder_issue(label: str, folder: Path) -> Issue | None:
    """Why the folder is no result folder `compare` reads (None when it is one)."""
    if not folder.is_dir() or not any(k in KINDS for k in kinds_of(folder)):
        kinds = kinds_of(folder) if folder.is_dir() else []
        refused = f"results of rechain {' and '.join(kinds)}, not compared: " if kinds else ""
        return Issue(label, EXPECTED, refused + _found(folder))
    return None


def folder_kind(a: Path, b: Path) -> str:
    """The kind both folders hold (solve, sweep, frontier, scenarios or risk); one InputError naming every
    folder that is no result folder, or the mixed kinds."""
    a, b = Path(a), Path(b)
    issues = [i for i in (_folder_issue("A", a), _folder_issue("B", b)) if i is not None]
    if issues:
        raise InputError(issues)
    ka, kb = ([k for k in kinds_of(f) if k in KINDS] for f in (a, b))
    common = [k for k in ka if k in kb]
    if not common:
        expected = f"a folder of the same kind as A ({' or '.join(ka)} results)"
        raise InputError([Issue("B", expected, f"{' and '.join(kb)} results: {_found(b)}")])
    if len(common) > 1:
        expected = "folders that hold the results of one command in common"
        raise InputError([Issue("A and B", expected, f"both hold results of {', '.join(common)}: compare one kind")])
    return common[0]


def table_names(a: Path, b: Path) -> tuple[str, ...]:
    """The tables of `compare_folders(a, b)`, in order (after checking the folders, as `folder_kind`)."""
    kind = folder_kind(a, b)
    return SHEETS if kind == "solve" else compare_tables.table_names(kind)


def partial_notes(a: Path, b: Path) -> list[str]:
    """A line for each folder that holds an incomplete run (interrupted or stopped: `<stem>_incomplete.*`)."""
    kind = folder_kind(a, b)
    return [] if kind == "solve" else compare_tables.partial_notes(kind, Path(a), Path(b))


def _read(folder: Path, label: str) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
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


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")


def _with_change(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Columns A_<unit>, B_<unit>, change_<unit> = B − A; only rows that changed by more than 10⁻⁶ of the larger
    value (a value missing on one side counts as a change)."""
    frame = frame.assign(change=frame["B"] - frame["A"])
    kept = compare_tables.changed(frame["A"], frame["B"])
    return frame[kept].rename(columns={c: f"{c}_{unit}" for c in ("A", "B", "change")}).reset_index(drop=True)


def costs(sa: dict[str, Any], sb: dict[str, Any]) -> pd.DataFrame:
    """System cost, objective, penalty, capex and the objective's parts (discounted, `<part>_discounted`)."""
    rows: list[tuple[object, ...]] = [
        (k.removesuffix("_usd"), _number(sa.get(k)), _number(sb.get(k))) for k in COST_FIGURES
    ]
    parts = sorted(set(sa.get("costs_usd", {})) | set(sb.get("costs_usd", {})))
    rows += [
        (f"{p}_discounted", *(_number(s.get("costs_usd", {}).get(p, {}).get("discounted")) for s in (sa, sb)))
        for p in parts
    ]
    return _with_change(pd.DataFrame(rows, columns=["item", "A", "B"]), "usd")


def totals(sa: dict[str, Any], sb: dict[str, Any]) -> pd.DataFrame:
    """Unmet demand and independence shortfall (t) over all years."""
    rows = [(k.removesuffix("_t"), _number(sa.get(k)), _number(sb.get(k))) for k in TONNE_FIGURES]
    return _with_change(pd.DataFrame(rows, columns=["item", "A", "B"]), "t")


def budget(sa: dict[str, Any], sb: dict[str, Any]) -> pd.DataFrame:
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


def _flat(run: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for k, v in run.items():
        if isinstance(v, dict):
            flat |= _flat(v, f"{prefix}{k}.")
        elif k not in UNCOMPARED:
            flat[prefix + k] = "; ".join(map(str, v)) if isinstance(v, list) else str(v)
    return flat


def settings(ra: dict[str, Any], rb: dict[str, Any]) -> pd.DataFrame:
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
    """Every table of what changed from A to B (`table_names(a, b)`, in order)."""
    kind = folder_kind(a, b)
    if kind != "solve":
        return compare_tables.compare_kind(kind, Path(a), Path(b))
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
