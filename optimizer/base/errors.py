"""Input problems, collected and reported together."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

PER_COLUMN = 20  # problems of one kind reported per sheet column; the rest are counted
CELL = re.compile(r"^(.+)!([A-Z]{1,3})([0-9]+)$")


@dataclass(frozen=True)
class Issue:
    place: str  # "sheet!CELL", a sheet, the file, or a command-line option
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.place}: expected {self.expected}, found {self.found}"


class InputError(Exception):
    """One or more problems with the input; exit code 2."""

    def __init__(self, issues: list[Issue], warnings: Iterable[str] = ()) -> None:
        self.issues = list(issues)
        self.warnings = list(warnings)
        super().__init__("\n".join(str(i) for i in self.issues))


class OutputError(Exception):
    """An output cannot be written where asked; exit code 2."""


class Problems:
    """Collects errors and warnings so that all of them are reported at once.

    After PER_COLUMN problems of one kind in one sheet column, further ones are
    summed up in a single line, so that a million bad rows give 21 lines."""

    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.warnings: list[str] = []
        self._seen: dict[
            tuple[str, ...], list[Any]
        ] = {}  # kind -> [count, first extra row, last row, index of summary]

    def error(self, place: str, expected: str, found: object) -> None:
        if not self._over((place, expected, "error"), place, expected):
            self.errors.append(Issue(place, expected, describe(found)))

    def warn(self, message: str, place: str = "", kind: str = "") -> None:
        """A warning; give the cell and a kind of slip to have repeats of it summed up."""
        if not (place and self._over((place, kind, "warning"), place, kind)):
            self.warnings.append(message)

    def _over(self, key: tuple[str, str, str], place: str, kind: str) -> bool:
        """Whether this problem is beyond the cap (and was counted in a summary line)."""
        cell = CELL.match(place)
        if not cell:
            return False
        sheet, column, row = cell.groups()
        seen = self._seen.setdefault((sheet, column) + key[1:], [0, None, None, None])
        seen[0] += 1
        if seen[0] <= PER_COLUMN:
            return False
        seen[1] = seen[1] or row
        seen[2] = row
        more = seen[0] - PER_COLUMN
        span = f"{sheet}!{column}{seen[1]}:{column}{seen[2]}"
        if key[2] == "error":
            _summed_up(
                self.errors, seen, Issue(span, kind, f"{more} more cell{'s' if more > 1 else ''} like the ones above")
            )
        else:
            _summed_up(
                self.warnings,
                seen,
                f"{span}: {more} more warning{'s' if more > 1 else ''} like the ones above ({kind})",
            )
        return True

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(self.errors, self.warnings)


def _summed_up(target: list[T], seen: list[Any], summary: T) -> None:
    """Put the summary line of a capped kind in place: appended the first time, replaced after."""
    if seen[3] is None:
        seen[3] = len(target)
        target.append(summary)
    else:
        target[seen[3]] = summary


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
