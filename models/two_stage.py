"""The hedge variant of risk.md: one LP over a set of draws (the two-stage extensive form).

Builds that start before the recourse year are one decision shared by every draw; later builds
and all operations are per draw; the objective is the mean of the draws' objectives:

    min (1/S) Σ_s obj_s(build_s, ops_s)
    s.t. each draw's LP (model.md) in its own block s,
         build_s[n,k,y] = first[n,k,y]     and  buildc_s[n,e,y] = firstc[n,e,y]     for y < recourse year
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from .dataset import Dataset
from .formulation import Built, build_model
from .highs import DEFAULT_OPTIONS, CaseSolver, SolveOptions, objective_scale, unreliable
from .solution import Solution, extract

HEDGE_LIMIT = 50  # draws one extensive form may hold


class _ExtensiveSolver(CaseSolver):
    """A CaseSolver for the extensive form: the draws' models are blocks of one model."""

    def __init__(self, builts: list[Built], recourse_year: int, options: SolveOptions):
        start = time.perf_counter()
        self.builts = builts
        model = _extensive_form(builts, recourse_year)
        self._ready(builts[0], model, time.perf_counter() - start, options)

    def unreliable(self) -> str | None:
        return next((why for b in self.builts if (why := unreliable(b.model, in_objective=True))), None)

    def objective_scale(self) -> int:
        return max(objective_scale(b.model, in_objective=True) for b in self.builts)


def _extensive_form(builts: list[Built], recourse_year: int) -> pyo.ConcreteModel:
    ef = pyo.ConcreteModel(name="hedge")
    for s, b in enumerate(builts):
        ef.add_component(f"draw{s}", b.model)
        b.model.objective.deactivate()
    first = sorted({key for b in builts for key in b.model.build if key[2] < recourse_year})
    firstc = sorted({key for b in builts for key in b.model.buildc if key[2] < recourse_year})
    nn = pyo.NonNegativeReals
    ef.first = pyo.Var(pyo.Set(initialize=first, dimen=3), within=nn, doc="shared build started before recourse")
    ef.firstc = pyo.Var(pyo.Set(initialize=firstc, dimen=3), within=nn, doc="shared circuit build before recourse")
    links = [(s, key) for s, b in enumerate(builts) for key in first if key in b.model.build]
    linksc = [(s, key) for s, b in enumerate(builts) for key in firstc if key in b.model.buildc]
    ef.link = pyo.Constraint(
        range(len(links)), rule=lambda _, i: builts[links[i][0]].model.build[links[i][1]] == ef.first[links[i][1]]
    )
    ef.linkc = pyo.Constraint(
        range(len(linksc)),
        rule=lambda _, i: builts[linksc[i][0]].model.buildc[linksc[i][1]] == ef.firstc[linksc[i][1]],
    )
    ef.objective = pyo.Objective(expr=quicksum(b.model.objective.expr for b in builts) / len(builts))
    return ef


class TwoStage:
    """The hedged plan over `datasets` (one per draw, same network up to lead times and bounds)."""

    def __init__(self, datasets: Sequence[Dataset], recourse_year: int, options: SolveOptions = DEFAULT_OPTIONS):
        if not 0 < len(datasets) <= HEDGE_LIMIT:
            raise ValueError(f"a two-stage model holds 1 to {HEDGE_LIMIT} draws, not {len(datasets)}")
        self._solver = _ExtensiveSolver([build_model(ds) for ds in datasets], recourse_year, options)

    def solve(self) -> list[Solution]:
        """Each draw's solution (summary figures only) under the hedged plan."""
        outcome = self._solver.solve()
        return [extract(b, outcome, self._solver.build_seconds, with_tables=False) for b in self._solver.builts]

    def plan(self) -> dict[tuple[str, object, int], float]:
        """The shared builds (t/yr) per (node, stage order, year) and (node, element, year)."""
        m = self._solver.model
        shared: dict[tuple[str, object, int], float] = {k: float(v.value or 0.0) for k, v in m.first.items()}
        shared.update({k: float(v.value or 0.0) for k, v in m.firstc.items()})
        return shared
