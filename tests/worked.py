"""Helpers to state tiny worked cases in a few lines and solve them."""

from __future__ import annotations

from rechain.models.dataset import Dataset, Facility, Route, Settings, Stage, TradeRule  # noqa: F401
from rechain.models.highs import CaseSolver
from rechain.models.solution import Solution, extract
from rechain.workbook.cases import make_dataset, settings_of
from rechain.workbook.validate import load_workbook

STAGES = {1: (Stage("mining", 1),),
          2: (Stage("mining", 1), Stage("separation", 2)),
          3: (Stage("mining", 1), Stage("separation", 2), Stage("metal", 3))}


def fac(node: str, stage: int, **kw) -> tuple[tuple[str, int], Facility]:
    kw.setdefault("lifetime_years", 1.0)  # no salvage unless a test asks for it
    return (node, stage), Facility(node, stage, **kw)


def case(years=(2025, 2025), nodes=None, stages=2, facilities=(), composition=None, demand=None, **kw) -> Dataset:
    settings = settings_of({"first_year": years[0], "last_year": years[1], **kw.pop("settings", {})})
    return Dataset(settings=settings, nodes=nodes, stages=STAGES[stages] if isinstance(stages, int) else stages,
                   facilities=dict(facilities), composition=composition, demand=demand, **kw)


def flat(node: str, element: str, t: float, years) -> dict:
    return {(node, element, y): t for y in range(years[0], years[1] + 1)}


def solve(ds: Dataset) -> Solution:
    solver = CaseSolver(ds)
    return extract(solver.built, solver.solve(), solver.build_seconds)


def issues_of(path, scenario=None, overrides=()) -> list:
    """The input errors of making the case of a workbook (it must have some)."""
    import pytest
    from rechain.errors import InputError

    with pytest.raises(InputError) as exc:
        make_dataset(load_workbook(path), scenario, overrides)
    return exc.value.issues


def warnings_of(path, scenario=None, overrides=()) -> list[str]:
    """The warnings of reading a workbook and making its case."""
    wb = load_workbook(path)
    warnings = list(wb.warnings)
    make_dataset(wb, scenario, overrides, warnings)
    return warnings
