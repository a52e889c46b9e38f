"""`rechain compare A B` on the folders of `sweep`, `frontier`, `scenarios` and `risk`: each table of the
kind, read back from its CSV (`<stem>_<table>.csv`), point by point (the table's key columns: a sweep's
parameters, a frontier's cost factor and α or budget, a scenario, a risk summary's condition, class,
element, year, threshold …) and figure by figure.

A figure whose values are numbers on both sides (or blank on one) goes to the table of its name, one row
per point and figure (`column`): A, B and change = B − A, kept when |B − A| > TOLERANCE · max(1, |A|, |B|) or blank on
one side only; `what` says whether the point is in both folders ("changed") or in one ("only in A",
"only in B"). Any other figure (a status, a reason, a flag) goes to `labels` when its text differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..base.errors import InputError, Issue

TOLERANCE = 1e-6  # relative: noise of the solver's own tolerances is not a change
SWEEP_STATUS = "status"  # a sweep's parameters are the columns before it
KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "sweep": {"sweep": ()},
    "frontier": {
        "cost_of_independence": ("restricted_cost_factor", "alpha"),
        "budget_frontier": ("restricted_cost_factor", "budget_usd"),
    },
    "scenarios": {"scenarios": ("scenario",)},
    "risk": {
        "probability_by_year": ("year",),
        "thresholds": ("condition", "class", "element", "year", "threshold"),
        "clean_share_fan": ("condition", "class", "element", "year"),
        "summary": ("condition", "class", "subset", "figure"),
        "earliest_year": ("condition", "class", "earliest_year"),
        "value": ("figure",),
        "hedged_plan": ("node", "facility", "year"),
        "draws": ("draw",),
    },
}  # the tables compared for each kind, in order, with the columns that name a point
LONG = ["column", "A", "B", "change", "what"]  # `column`: the column of the table compared (its figure)
LABELS = ["table", "point", "column", "A", "B"]
UNCOMPARED = ("written_utc",)


def table_names(kind: str) -> tuple[str, ...]:
    """The tables of `compare` for a folder kind: settings, each table of the kind, labels."""
    return ("settings", *KEYS[kind], "labels")


def stem_of(folder: Path, kind: str) -> str:
    """The files' stem: `<kind>`, or `<kind>_incomplete` when only an interrupted run's files are there."""
    partial = f"{kind}_incomplete"
    names = [p.name for p in folder.iterdir() if p.name.startswith((f"{kind}.", f"{kind}_"))]
    return partial if names and all(n.startswith((f"{partial}.", f"{partial}_")) for n in names) else kind


def _csv(folder: Path, stem: str, name: str, label: str) -> pd.DataFrame | None:
    """A table as text (blank for empty cells); None when the run did not write it."""
    path = folder / f"{stem}_{name}.csv"
    if not path.exists():
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        expected = f"a readable {path.name} (rechain {stem.removesuffix('_incomplete')} --out)"
        raise InputError([Issue(label, expected, str(exc).strip())]) from exc


def _keys(kind: str, name: str, frame: pd.DataFrame, label: str, file: str) -> list[str]:
    """The key columns of a table (a sweep's: the columns before `status`), each one present."""
    keys = list(KEYS[kind][name])
    if kind == "sweep":
        columns = list(frame.columns)
        keys = columns[: columns.index(SWEEP_STATUS)] if SWEEP_STATUS in columns else []
    missing = [k for k in keys if k not in frame.columns] or ([] if keys else [SWEEP_STATUS])
    if missing:
        raise InputError([Issue(label, f"{file} with the column(s) {', '.join(missing)}", ", ".join(frame.columns))])
    return keys


def _long(frame: pd.DataFrame, keys: list[str], side: str) -> pd.DataFrame:
    """One row per point and column: the keys, `column`, the text of the cell (column `side`) and its order
    (point by point, each point's columns in the table's order)."""
    long = frame.melt(id_vars=keys, var_name="column", value_name=side)
    position, rows = np.arange(len(long)), max(1, len(frame))
    return long.assign(**{f"order_{side}": (position % rows) * max(1, len(frame.columns)) + position // rows})


def _numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The numbers of CSV cells (blank: NaN), and which cells hold text or a flag instead."""
    numbers = pd.to_numeric(text, errors="coerce")
    return numbers, (text != "") & numbers.isna()


def changed(x: pd.Series, y: pd.Series) -> pd.Series:
    """|y − x| > TOLERANCE · max(1, |x|, |y|), or blank on one side only."""
    scale = pd.concat([x.abs(), y.abs()], axis=1).max(axis=1).clip(lower=1.0)
    return ((y - x).abs() > TOLERANCE * scale) | (x.isna() != y.isna())


def _points(frame: pd.DataFrame, keys: list[str]) -> set[tuple[Any, ...]]:
    return set(map(tuple, frame[keys].values.tolist()))


def _numbered(frame: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    """The table with `repeat`: 0 for the first row of a point, 1 for its second (a sweep may list a point twice)."""
    frame = pd.DataFrame(columns=keys) if frame is None else frame
    return frame.assign(repeat=frame.groupby(keys, sort=False).cumcount() if keys and len(frame) else 0)


def compare_table(
    a: pd.DataFrame | None, b: pd.DataFrame | None, keys: list[str]
) -> tuple[pd.DataFrame, list[tuple[Any, ...]]]:
    """(numbers, labels) of one table: numbers as `keys + LONG` rows that changed, in A's order of points then
    B's; labels as (point, column, A, B) for figures that are not numbers on both sides and differ. A point
    listed twice is matched occurrence by occurrence, its rows then numbered in a column `repeat`."""
    a, b = _numbered(a, keys), _numbered(b, keys)
    repeated = bool((a["repeat"] > 0).any() or (b["repeat"] > 0).any())
    keys = [*keys, "repeat"]
    both = _long(a, keys, "A").merge(_long(b, keys, "B"), on=[*keys, "column"], how="outer")
    both = both.sort_values(["order_A", "order_B"], na_position="last").fillna({"A": "", "B": ""})
    (x, text_a), (y, text_b) = _numbers(both["A"]), _numbers(both["B"])
    text = text_a | text_b
    shown = keys if repeated else keys[:-1]
    labels = [
        ("; ".join(f"{k}={row[k]}" for k in shown), row["column"], row["A"], row["B"])
        for _, row in both[text & (both["A"] != both["B"])].iterrows()
    ]
    kept = ~text & changed(x, y)
    numbers = both.loc[kept, [*keys, "column"]].assign(A=x[kept], B=y[kept], change=(y - x)[kept])
    in_a, in_b = _points(a, keys), _points(b, keys)
    where = [tuple(point) for point in numbers[keys].values.tolist()]
    what = ["changed" if p in in_a and p in in_b else "only in A" if p in in_a else "only in B" for p in where]
    return numbers.assign(what=what)[[*shown, *LONG]].reset_index(drop=True), labels


def _run(folder: Path, stem: str, label: str) -> dict[str, str]:
    run = _csv(folder, stem, "run", label)
    if run is None or not {"item", "value"} <= set(run.columns):
        return {}
    return {k: v for k, v in zip(run["item"], run["value"], strict=True) if k not in UNCOMPARED}


def settings(ra: dict[str, str], rb: dict[str, str]) -> pd.DataFrame:
    """The run entries that differ (input and its hash, grid, seed, draws, mode, versions …), and `complete`
    whenever either run is incomplete (so that two partial runs are never shown as whole ones)."""
    partial = "False" in (ra.get("complete"), rb.get("complete"))
    rows = [
        (k, ra.get(k, ""), rb.get(k, ""))
        for k in sorted(set(ra) | set(rb))
        if ra.get(k, "") != rb.get(k, "") or (k == "complete" and partial)
    ]
    return pd.DataFrame(rows, columns=["item", "A", "B"])


def compare_kind(kind: str, a: Path, b: Path) -> dict[str, pd.DataFrame]:
    """Every table of what changed from A to B, two folders of `kind` (`table_names(kind)`, in order)."""
    stems = {"A": stem_of(a, kind), "B": stem_of(b, kind)}
    _check_tables(kind, {"A": a, "B": b}, stems)
    tables = {"settings": settings(_run(a, stems["A"], "A"), _run(b, stems["B"], "B"))}
    labels: list[tuple[Any, ...]] = []
    for name in KEYS[kind]:
        fa, fb = _csv(a, stems["A"], name, "A"), _csv(b, stems["B"], name, "B")
        keys = _point_keys(kind, name, fa, fb, stems)
        tables[name], found = compare_table(fa, fb, keys)
        labels += [(name, *row) for row in found]
    tables["labels"] = pd.DataFrame(labels, columns=LABELS)
    return tables


def _check_tables(kind: str, folders: dict[str, Path], stems: dict[str, str]) -> None:
    """Each folder holds at least one table of its kind as CSV (else nothing could be compared: an InputError)."""
    issues = [
        Issue(label, f"the tables of rechain {kind} --out as CSV ({stems[label]}_<table>.csv)", listing(folder))
        for label, folder in folders.items()
        if not any((folder / f"{stems[label]}_{name}.csv").exists() for name in KEYS[kind])
    ]
    if issues:
        raise InputError(issues)


def listing(folder: Path) -> str:
    """The first five names in the folder, and how many more."""
    names = sorted(p.name for p in folder.iterdir())
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _point_keys(
    kind: str, name: str, fa: pd.DataFrame | None, fb: pd.DataFrame | None, stems: dict[str, str]
) -> list[str]:
    """The key columns of table `name`, the same in A and B (a sweep over other parameters is refused)."""
    found = {
        label: _keys(kind, name, frame, label, f"{stems[label]}_{name}.csv")
        for label, frame in (("A", fa), ("B", fb))
        if frame is not None
    }
    if len(set(map(tuple, found.values()))) > 1:
        expected = f"a {kind} over the same parameters as A ({', '.join(found['A'])})"
        raise InputError([Issue("B", expected, ", ".join(found["B"]))])
    return next(iter(found.values()), list(KEYS[kind][name]))


def partial_notes(kind: str, a: Path, b: Path) -> list[str]:
    """A line for each folder whose run is incomplete (its files `<kind>_incomplete.*`)."""
    return [
        f"{label} is a partial run ({stem_of(folder, kind)}.*): its points are those done before it stopped"
        for label, folder in (("A", a), ("B", b))
        if stem_of(folder, kind).endswith("_incomplete")
    ]
