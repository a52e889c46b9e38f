"""Parameter sweeps: build once, update parameters in place, re-solve warm.

Each point's dataset goes to one pool of built models (models.pool, keeping one): a point
whose dataset differs from the last only in keys of PARAMETERS that keep the LP's rows is an
update and a warm re-solve; any other point rebuilds, and so does the point after it. A blank
budget or `max_t.<node>.<element>`, a budget or max_t the case does not have, and
`max_share.<product>.<recipe>` at 0 or 1 (no share rows) change rows; `ramp_up`,
`embargo.<bloc>`, `must_run_until_year` and `cost_advantage_blocs` always do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..base.errors import InputError, Issue
from ..models.dataset import Dataset
from ..models.figures import Figures, point_columns
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.model import Model
from ..models.pool import Pool
from ..models.solution import Solution
from ..workbook.cases import Overrides, make_dataset
from ..workbook.validate import Workbook


def grid(params: dict[str, list[str]]) -> list[dict[str, str]]:
    """The cartesian product in snake order: each point differs from the one
    before it in as few parameters, by as small a step, as possible."""
    keys = list(params)
    points: list[list[str]] = [[]]
    for key in keys:
        extended = []
        for i, prefix in enumerate(points):
            values = params[key] if i % 2 == 0 else list(reversed(params[key]))
            extended += [prefix + [v] for v in values]
        points = extended
    return [dict(zip(keys, p, strict=True)) for p in points]


@dataclass
class PointResult:
    """A solved point: its values, its flat row (row_of) and its typed figures (None: not optimal)."""

    point: Mapping[str, str | float]  # text from --param, numbers from the frontiers
    row: dict[str, Any]
    figures: Figures | None = None


def row_of(result: Solution, point: Mapping[str, str | float], ds: Dataset) -> dict[str, Any]:
    """One table row: the point, `status`, and either the figures (optimal; figures.point_columns, the clean
    share in the independence year and the last year) or a `reason` (HiGHS's words) and no figures."""
    row: dict[str, Any] = dict(point) | {"status": result.run.status}
    if not result.optimal or result.figures is None:
        return row | {"reason": result.message}
    years = sorted({ds.settings.first_independence_year, ds.settings.last_year})
    return row | point_columns(result.run, result.figures, years)


def validate_points(wb: Workbook, scenario: str | None, overrides: Overrides, points: list[dict[str, str]]) -> None:
    """Every point must make a valid case; report all bad ones at once, naming
    the swept values by their --param."""
    issues: list[Issue] = []
    for point in points:
        try:
            make_dataset(wb, scenario, tuple(overrides) + tuple(point.items()))
        except InputError as exc:
            for issue in exc.issues:
                key = issue.place.removeprefix("--set ")
                if issue.place.startswith("--set ") and key in point:
                    issue = replace(issue, place=f"--param {key}")
                if issue not in issues:
                    issues.append(issue)
    if issues:
        raise InputError(issues)


def solve_point(
    wb: Workbook,
    scenario: str | None,
    overrides: Overrides,
    point: Mapping[str, str | float],
    options: SolveOptions,
    cache: dict[Any, Any] | None = None,
) -> PointResult:
    """Solve one point; `cache` keeps a pool of one built model between calls, so a point
    with the same structure as the last one is a warm re-solve."""
    ds = make_dataset(wb, scenario, tuple(overrides) + tuple(point.items()))
    if cache is None:
        solution = Model(ds, options=options).solve()
    else:
        solution = cache.setdefault("pool", Pool(options=options, keep=1)).model(ds).solve()
    return PointResult(point, row_of(solution, point, ds), solution.figures)


def solve_points(
    wb: Workbook,
    scenario: str | None,
    overrides: Overrides,
    points: Sequence[Mapping[str, str | float]],
    options: SolveOptions = DEFAULT_OPTIONS,
    on_result: Callable[[PointResult], object] | None = None,
    warm: bool = True,
    cache: dict[Any, Any] | None = None,
) -> list[PointResult]:
    """Solve points in order, reusing one built model while the structure stays the same (`cache`:
    where it is kept, for the next call)."""
    results = []
    cache = (cache if cache is not None else {}) if warm else None
    for point in points:
        pr = solve_point(wb, scenario, overrides, point, options, cache)
        results.append(pr)
        if on_result:
            on_result(pr)
    return results
