"""The commands that write one workbook: `template`, `reference` and `generate`."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..base.errors import OutputError
from ..base.files import atomic_path
from ..exits import say
from ..inputs import reference_workbook
from ..workbook.generate import world, write_world
from ..workbook.template import write_template
from .common import guard_outputs, refuse_existing


def template(path: Path, force: bool) -> None:
    refuse_existing(path, force)
    write_template(path)
    say(f"template written to {path}")


def reference(path: Path, force: bool) -> None:
    source = reference_workbook()
    if Path(path).suffix.lower() != ".xlsx":
        raise OutputError(f"{path}: give a file name ending in .xlsx (the copy is an Excel workbook)")
    refuse_existing(path, force)
    guard_outputs([source], [path])
    with atomic_path(Path(path)) as tmp:
        shutil.copyfile(source, tmp)
    say(f"reference workbook copied to {path} (from {source}); edit it, then run: rechain solve {path}")


def generate(path: Path, nodes: int, years: int, elements: int, seed: int, force: bool) -> None:
    refuse_existing(path, force)
    write_world(path, world(nodes, years, elements, seed))
    say(f"generated world written to {path}")
