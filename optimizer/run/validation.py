"""The model against observed shares (issue 21, item 7): each row of the workbook's validation sheet
beside the same bloc's share of the same stage's world output in the report's unconstrained plan."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..models.solution import Solution
from ..workbook.observed import Observed

COLUMNS = [
    "stage",
    "bloc",
    "year",
    "observed_share",
    "model_share",
    "difference_points",
    "status",
    "source",
    "note",
]
POINT_DIGITS = 1  # the difference in percentage points, as the sentences quote it


def model_shares(result: Solution) -> dict[tuple[str, str, int], float]:
    """share(stage, bloc, y) = Σ_{n in bloc} q[n, stage, y] / Σ_n q[n, stage, y] over the plan's
    throughput (every node of the stage); a stage with no throughput in a year has no share."""
    t = result.tables["throughput"]
    total = t.groupby(["stage", "year"])["throughput_t"].sum()
    by_bloc = t.groupby(["stage", "bloc", "year"])["throughput_t"].sum()
    return {
        (str(stage), str(bloc), int(year)): float(q / total[(stage, year)])
        for (stage, bloc, year), q in by_bloc.items()
        if total[(stage, year)] > 0
    }


def _row(o: Observed, shares: dict[tuple[str, str, int], float] | None, status: str) -> dict[str, Any]:
    row = {"stage": o.stage, "bloc": o.bloc, "year": o.year, "observed_share": o.share, "status": status}
    if shares is not None:
        model = shares.get((o.stage, o.bloc, o.year), 0.0 if _in_plan(shares, o) else None)
        if model is not None:
            row |= {"model_share": model, "difference_points": round((model - o.share) * 100, POINT_DIGITS)}
    return row | {"source": o.source, "note": o.note}


def _in_plan(shares: dict[tuple[str, str, int], float], o: Observed) -> bool:
    """Does the plan have throughput at the row's stage in its year (a bloc without any then has 0 %)?"""
    return any(stage == o.stage and year == o.year for stage, _, year in shares)


def validation_table(observed: tuple[Observed, ...], free: Solution) -> pd.DataFrame:
    """One row per observed share: the model's share in the unconstrained plan `free` and the
    difference model − observed in percentage points; blank where the plan did not solve or the
    year is outside its horizon."""
    shares = model_shares(free) if free.optimal else None
    return pd.DataFrame([_row(o, shares, free.status.value) for o in observed], columns=COLUMNS)
