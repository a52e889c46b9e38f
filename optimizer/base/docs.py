"""Generated sections of the docs: a reference between two HTML comments, brought up to date in place."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def spliced(doc: str, mark: str, end: str, body: str) -> str:
    """`doc` with what stands between `mark` and `end` (or after `mark`, when `end` is missing) replaced by `body`."""
    head, _, rest = doc.partition(mark)
    tail = rest.partition(end)[2] if end in rest else ""
    return f"{head}{mark}\n{body}\n{end}{tail}"


def rewrite_from_argv(update: Callable[[str], str]) -> None:
    """`python -m <module> DOC`: DOC rewritten by `update(text)`."""
    target = Path(sys.argv[1])
    target.write_text(update(target.read_text(encoding="utf-8")), encoding="utf-8")
