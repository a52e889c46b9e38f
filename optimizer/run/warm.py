"""Cases of one workbook, each solved once, through one pool of built models (models.pool).

A case is a scenario (or the base case) and `--set` overrides. Its identity is its structure (numbered
in the order met) and the values of its parameters (models.pool.values): two cases of one identity are
one LP, solved once; a case of a structure built before is an update of that model and a warm re-solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models.dataset import Dataset
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.model import Model
from ..models.pool import KEEP, Pool, structure, values
from ..models.solution import Solution, failed
from ..models.variants import Variant
from ..workbook.cases import Case, Overrides, make_dataset
from ..workbook.validate import Workbook

Identity = tuple[int, tuple[tuple[str, float | None], ...]]


@dataclass
class Models:
    """Cases of one workbook solved through a pool of at most `keep` built models of one variant."""

    wb: Workbook
    options: SolveOptions = DEFAULT_OPTIONS
    variant: Variant = Variant.COST
    keep: int = KEEP
    solves: int = 0
    pool: Pool = field(init=False)
    _structures: list[Dataset] = field(default_factory=list)
    _identities: dict[Case, Identity] = field(default_factory=dict)  # (scenario, overrides) -> identity
    _solved: dict[Identity, Solution] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pool = Pool(self.variant, self.options, self.keep)

    @property
    def builds(self) -> int:
        return self.pool.builds

    def dataset(self, scenario: str | None = None, overrides: Overrides = ()) -> Dataset:
        return make_dataset(self.wb, scenario, tuple(overrides))

    def identity(self, scenario: str | None, overrides: Overrides, ds: Dataset) -> Identity:
        """(structure, values): the structure names the built model a case can use; with the values of
        its parameters it names the case's LP."""
        case = (scenario, tuple(overrides))
        if case not in self._identities:
            shape = structure(ds)
            number = next((i for i, s in enumerate(self._structures) if s == shape), len(self._structures))
            if number == len(self._structures):
                self._structures.append(shape)
            self._identities[case] = (number, tuple(sorted(values(ds).items())))
        return self._identities[case]

    def solve(
        self,
        scenario: str | None = None,
        overrides: Overrides = (),
        tables: bool = True,
        ds: Dataset | None = None,
    ) -> Solution:
        """The case's solution (`ds`: its dataset, when made already): an earlier one if this LP was
        solved before, else a solve of the pool's model of its structure. An exception of the solver
        becomes an `error` result; one of the inputs is raised."""
        ds = ds or self.dataset(scenario, overrides)
        identity = self.identity(scenario, overrides, ds)
        known = self._solved.get(identity)
        if known is not None and (known.tables or not tables or not known.optimal):
            return known
        model: Model | None = None
        try:
            model = self.pool.model(ds)
            self.solves += 1
            solution = model.solve(tables)
        except Exception as exc:  # a failed point is reported, never fatal
            if model is not None:
                self.pool.discard(model)
            return _error(exc)
        self._solved[identity] = solution
        return solution

    def remember(self, solved: list[tuple[Case, Solution]]) -> None:
        """Solutions of cases (scenario, overrides) solved elsewhere (CasesJob), not to be solved again here."""
        for (scenario, overrides), solution in solved:
            identity = self.identity(scenario, overrides, self.dataset(scenario, overrides))
            self._solved[identity] = solution


@dataclass(frozen=True)
class CasesJob:
    """Cases (scenario, overrides, tables) of one workbook in a worker process (run.parallel); the
    worker keeps its models between tasks. Rows: {"solved": [((scenario, overrides), Solution), …]} for
    `remember`."""

    wb: Workbook
    options: SolveOptions = DEFAULT_OPTIONS

    def run(self, task: list[tuple[str | None, Overrides, bool]], cache: dict[Any, Any]) -> dict[str, Any]:
        models = cache.setdefault("models", Models(self.wb, self.options))
        solved = [((s, tuple(o)), models.solve(s, o, tables)) for s, o, tables in task]
        return {"solved": solved}


def _error(exc: Exception) -> Solution:
    message = f"{type(exc).__name__}: {exc}"
    return failed(Status.ERROR, message)
