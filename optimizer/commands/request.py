"""What a command was asked, in one frozen object (light to import: the command line makes it before any
command module is loaded)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..inputs import reference_workbook
from ..workbook.keys import parse_sets

if TYPE_CHECKING:
    from ..models.highs import SolveOptions

ANY_PRICE = ("shortfall_at_any_price", "TRUE")


@dataclass(frozen=True)
class Request:
    """What a command was asked: the case, where its results go, how to solve."""

    workbook: Path | None = None
    scenario: str | None = None
    sets: list[str] | None = None
    any_price: bool = False
    out: Path | None = None
    force: bool = False
    as_json: bool = False
    time_limit: float | None = None
    threads: int | None = None
    method: str = "auto"

    @property
    def path(self) -> Path:
        return self.workbook or reference_workbook()

    @property
    def overrides(self) -> tuple[tuple[str, str], ...]:
        """The --set overrides, then `shortfall_at_any_price=TRUE` with --any-price."""
        return (*parse_sets(self.sets), *((ANY_PRICE,) if self.any_price else ()))

    @property
    def options(self) -> SolveOptions:
        from ..models.highs import SolveOptions

        return SolveOptions(self.time_limit, self.threads, self.method)
