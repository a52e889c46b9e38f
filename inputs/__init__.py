"""The shipped inputs: the reference workbook (built in the repository from inputs/reference/) and small examples."""

from __future__ import annotations

from pathlib import Path


def reference_workbook() -> Path:
    """The reference workbook shipped with rechain."""
    return Path(__file__).with_name("reference.xlsx")
