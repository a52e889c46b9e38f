"""The validation sheet (a rechain extension): observed and projected shares of a bloc in a stage's
world output, each row checked against the stages and blocs of the workbook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .validate import Checker, Pool, Table


@dataclass(frozen=True)
class Observed:
    """One row of the validation sheet: `bloc`'s share of the world output of `stage` in `year`."""

    stage: str
    bloc: str
    year: int
    share: float
    source: str
    note: str
    place: str = "validation!A2"  # the row's stage cell


def observed_rows(table: Table, stage_pool: Pool, bloc_pool: Pool, check: Checker) -> list[Observed]:
    """The rows in sheet order; stage and bloc must be the workbook's (every unknown one reported)."""
    found = []
    for _, v, p in table.rows:
        stage_ok = check.known(v["stage"], stage_pool, p["stage"], "stage")
        if check.known(v["bloc"], bloc_pool, p["bloc"], "bloc") and stage_ok:
            found.append(
                Observed(v["stage"], v["bloc"], v["year"], v["share"], v["source"] or "", v["note"] or "", p["stage"])
            )
    return found
