"""`rechain compare`: what changed from one result folder to another."""

from __future__ import annotations

from pathlib import Path

from ..base.manifest import versions
from ..exits import say
from ..report import shown
from ..report.results import run_table
from ..report.tables import write_tables
from ..run.compare import compare_folders, partial_notes, table_names
from .common import emit_tables, guard_outputs, print_tables, table_targets


def compare(a: Path, b: Path, out: Path | None, force: bool, as_json: bool) -> None:
    names = table_names(a, b)
    guard_outputs([a, b], table_targets(out, "compare", names), out, stems=("compare",), force=force)
    tables = compare_folders(a, b)
    for note in partial_notes(a, b):
        say(f"warning: {note}")
    man = {"command": "compare", "A": str(a), "B": str(b), "versions": versions()}
    if out:
        write_tables(out, "compare", tables, run_table(man), title="rechain compare")
        say(f"comparison written to {out}")
    if as_json:
        emit_tables(tables, man)
        return
    changed = {name: frame for name, frame in tables.items() if not frame.empty}
    rows = shown.COMPARE_SHOWN
    print_tables({name: frame.head(rows) for name, frame in changed.items()})
    longer = [f"{name} ({len(frame):,})" for name, frame in changed.items() if len(frame) > rows]
    if longer:
        say(f"the first {rows} rows shown of {', '.join(longer)}: --out or --json holds every row")
    say(f"{len(changed)} of {len(tables)} tables changed (B − A)")
