"""Input problems, collected and reported together."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    place: str  # "sheet!CELL", a sheet, the file, or a command-line option
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.place}: expected {self.expected}, found {self.found}"


class InputError(Exception):
    """One or more problems with the input; exit code 2."""

    def __init__(self, issues: list[Issue], warnings: list[str] = ()):
        self.issues = list(issues)
        self.warnings = list(warnings)
        super().__init__("\n".join(str(i) for i in self.issues))


class Problems:
    """Collects errors and warnings so that all of them are reported at once."""

    def __init__(self):
        self.errors: list[Issue] = []
        self.warnings: list[str] = []

    def error(self, place: str, expected: str, found: object) -> None:
        self.errors.append(Issue(place, expected, describe(found)))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(self.errors, self.warnings)


def describe(value: object) -> str:
    """How a found value is shown in a message."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if value is None or value == "":
        return "a blank cell"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return f"the date or time {value}"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
