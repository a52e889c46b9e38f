"""The hedge variant of risk.md: one LP over a set of draws (the two-stage extensive form).

Builds that start before the recourse year are one decision shared by every draw; later builds
and all operations are per draw; the objective is the mean of the draws' objectives:

    min (1/S) Σ_s obj_s(build_s, ops_s)
    s.t. each draw's LP (model.md) in its own block s,
         build_s[n,k,y] = first[n,k,y]     and  buildc_s[n,e,y] = firstc[n,e,y]     for y < recourse year

Each block is the DRAWS LP of its draw's case without delays, the draw's delays and overruns set as
its parameters, so a shared build exists in every block: one that a draw's delay pushes past
last_year is paid in its start year there, delivers nothing and has its salvage share capped at 1
(risk.md v3, "Readings decided"). With `shortfall_at_any_price` (model.md v3) the extensive form is
solved in two phases: the least mean shortfall S* = min (1/S) Σ_s Σ_{e,y} s_s[e,y], then the least
mean cost with (1/S) Σ_s Σ_{e,y} s_s[e,y] ≤ S* + 1e-6 · max(1, S*).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from .dataset import Dataset
from .formulation import Built, build_model, set_draw_parameters
from .highs import DEFAULT_OPTIONS, CaseSolver, SolveOptions, SolveOutcome, Status, objective_scale, unreliable
from .solution import Solution, extract
from .variants import Variant

HEDGE_LIMIT = 50  # draws one extensive form may hold
SHORTFALL_SLACK = 1e-6  # phase 2 of any price: mean shortfall ≤ S* + SHORTFALL_SLACK · max(1, S*)

DrawParameters = Mapping[tuple[str, int], tuple[int, float]]  # (node, stage order) -> (delay, overrun)


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


def _shared_keys(builts: list[Built], name: str, recourse_year: int) -> list[tuple[str, object, int]]:
    """The first-stage keys of one build component; every block must hold each of them (a shared build
    missing from a draw would go unpaid there)."""
    keys = sorted({key for b in builts for key in getattr(b.model, name) if key[2] < recourse_year})
    for s, b in enumerate(builts):
        missing = [key for key in keys if key not in getattr(b.model, name)]
        if missing:
            raise ValueError(f"draw {s} has no variable for the shared builds {missing}: its case differs")
    return keys


def _extensive_form(builts: list[Built], recourse_year: int) -> pyo.ConcreteModel:
    ef = pyo.ConcreteModel(name="hedge")
    for s, b in enumerate(builts):
        ef.add_component(f"draw{s}", b.model)
        b.model.objective.deactivate()
    first = _shared_keys(builts, "build", recourse_year)
    firstc = _shared_keys(builts, "buildc", recourse_year)
    nn = pyo.NonNegativeReals
    ef.first = pyo.Var(pyo.Set(initialize=first, dimen=3), within=nn, doc="shared build started before recourse")
    ef.firstc = pyo.Var(pyo.Set(initialize=firstc, dimen=3), within=nn, doc="shared circuit build before recourse")
    links = [(s, key) for s in range(len(builts)) for key in first]
    linksc = [(s, key) for s in range(len(builts)) for key in firstc]
    ef.link = pyo.Constraint(
        range(len(links)), rule=lambda _, i: builts[links[i][0]].model.build[links[i][1]] == ef.first[links[i][1]]
    )
    ef.linkc = pyo.Constraint(
        range(len(linksc)),
        rule=lambda _, i: builts[linksc[i][0]].model.buildc[linksc[i][1]] == ef.firstc[linksc[i][1]],
    )
    ef.objective = pyo.Objective(expr=quicksum(b.model.objective.expr for b in builts) / len(builts))
    if builts[0].dataset.settings.shortfall_at_any_price:
        _any_price(ef, builts)
    return ef


def _any_price(ef: pyo.ConcreteModel, builts: list[Built]) -> None:
    """The mean shortfall S̄ = (1/S) Σ_s Σ_y SHORTFALL_s[y] (t) as a variable and phase 1's objective
    (inactive); phase 2 bounds S̄ above (TwoStage._lexicographic)."""
    ef.mean_shortfall = pyo.Var(within=pyo.NonNegativeReals, doc="mean shortfall over the draws (t)")
    total = quicksum(b.model.SHORTFALL[y] for b in builts for y in b.model.Y)
    ef.define_mean_shortfall = pyo.Constraint(expr=ef.mean_shortfall == total / len(builts))
    ef.least_shortfall = pyo.Objective(expr=ef.mean_shortfall, doc="phase 1 of any price: least mean shortfall")
    ef.least_shortfall.deactivate()


class TwoStage:
    """The hedged plan over `datasets` (one per draw, same network up to bounds), each draw's delays and
    overruns in `draws` (none when omitted)."""

    def __init__(
        self,
        datasets: Sequence[Dataset],
        recourse_year: int,
        options: SolveOptions = DEFAULT_OPTIONS,
        draws: Sequence[DrawParameters] | None = None,
    ):
        if not 0 < len(datasets) <= HEDGE_LIMIT:
            raise ValueError(f"a two-stage model holds 1 to {HEDGE_LIMIT} draws, not {len(datasets)}")
        builts = [build_model(ds, Variant.DRAWS) for ds in datasets]
        for b, drawn in zip(builts, draws or [{}] * len(builts), strict=True):
            set_draw_parameters(b, drawn, lambda key: key[2] < recourse_year)
        self._solver = _ExtensiveSolver(builts, recourse_year, options)

    def solve(self) -> list[Solution]:
        """Each draw's solution (summary figures only) under the hedged plan."""
        any_price = hasattr(self._solver.model, "least_shortfall")
        outcome = self._lexicographic() if any_price else self._solver.solve()
        return [extract(b, outcome, self._solver.build_seconds, with_tables=False) for b in self._solver.builts]

    def _lexicographic(self) -> SolveOutcome:
        """Phase 1: least mean shortfall S*; phase 2: least mean cost with the mean shortfall at most
        S* + 1e-6 · max(1, S*) (model.md v3, "Shortfall at any price", on the extensive form)."""
        m = self._solver.model
        m.mean_shortfall.setub(None)
        m.objective.deactivate()
        m.least_shortfall.activate()
        first = self._solver.solve()
        m.least_shortfall.deactivate()
        m.objective.activate()
        if first.status is not Status.OPTIMAL:
            return replace(first, message=f"least shortfall: {first.message}")
        least = max(0.0, pyo.value(m.mean_shortfall))
        m.mean_shortfall.setub(least + SHORTFALL_SLACK * max(1.0, least))
        return self._solver.solve()

    def plan(self) -> dict[tuple[str, object, int], float]:
        """The shared builds (t/yr) per (node, stage order, year) and (node, element, year)."""
        m = self._solver.model
        shared: dict[tuple[str, object, int], float] = {k: float(v.value or 0.0) for k, v in m.first.items()}
        shared.update({k: float(v.value or 0.0) for k, v in m.firstc.items()})
        return shared
