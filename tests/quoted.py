"""The numbers a findings.md quotes in its headline, and the numbers its tables hold."""

from __future__ import annotations

import re
from pathlib import Path

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> set[str]:
    """Every number in a text as written (`2,368`, `4.05`, `2035`), without a trailing comma."""
    return {m.group().rstrip(",") for m in NUMBER.finditer(text)}


def headline(findings: str) -> str:
    return findings.split("## Headline", 1)[1].split("\n## ", 1)[0]


def unquoted(folder: Path) -> list[str]:
    """Numbers of findings.md's headline bullets found in none of its tables (findings_tables.md)."""
    text = (folder / "findings.md").read_text(encoding="utf-8")
    tables = (folder / "findings_tables.md").read_text(encoding="utf-8")
    return sorted(numbers(headline(text)) - numbers(tables))
