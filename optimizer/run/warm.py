"""Cases of one workbook, each solved once, through one pool of built models (models.pool).

A case is a scenario (or the base case) and `--set` overrides. Its group is its structure
(models.pool.structure) and the rows it writes that are not parameters' values (a scenario's own
trade rules, budgets or demand rows, a key that rebuilds, even at the value the settings have): cases
of one group share a built model, updated in place and re-solved warm; a case of another group builds
its own. Its identity is its group and the values of the scalar parameters and of the keys it sets:
two cases of one identity are one LP, solved once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models.dataset import Dataset
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.model import PARAMETERS, Model, is_mutable, split, value_of
from ..models.pool import KEEP, Pool, structure
from ..models.solution import Solution, failed
from ..models.variants import Variant
from ..workbook.cases import Case, Overrides, make_dataset
from ..workbook.validate import Workbook

Group = tuple[str | None, tuple[tuple[str, str], ...], int]
Identity = tuple[Group, tuple[tuple[str, float | None], ...]]
SCALARS = tuple(head for head, parameter in PARAMETERS.items() if "." not in parameter.key)  # one value a dataset


def rows(wb: Workbook, scenario: str | None, overrides: Overrides) -> dict[str, str]:
    """The keyed rows a case applies over the settings sheet (the scenario's, then the overrides;
    the last of a key wins), keys written `head` or `head.rest` with the head in lower case."""
    entries = [(k, v) for k, v, _ in wb.scenarios.get(scenario, [])] if scenario is not None else []
    found: dict[str, str] = {}
    for key, value in [*entries, *overrides]:
        head, rest = split(str(key))
        found[f"{head}.{rest}" if rest else head] = "" if value is None else str(value).strip()
    return found


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
        """(group, values): the group names the built model a case can use; with the values of the
        scalar parameters and of the keys it sets (by key) it names the case's LP."""
        case = (scenario, tuple(overrides))
        if case not in self._identities:
            written = rows(self.wb, scenario, overrides)
            mutable = {key for key, value in written.items() if _updates(key, value, ds)}
            fixed = tuple(sorted((k, v) for k, v in written.items() if k not in mutable))
            group = (_scoped(self.wb, scenario), fixed, self._structure(ds))
            keys = sorted({*SCALARS, *mutable})
            self._identities[case] = (group, tuple((k, value_of(ds, k)) for k in keys))
        return self._identities[case]

    def _structure(self, ds: Dataset) -> int:
        """The number of the dataset's structure, in the order met."""
        shape = structure(ds)
        number = next((i for i, s in enumerate(self._structures) if s == shape), len(self._structures))
        if number == len(self._structures):
            self._structures.append(shape)
        return number

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
            model = self.pool.model(ds, identity[0])
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


def _scoped(wb: Workbook, scenario: str | None) -> str | None:
    """The scenario when it has trade rules, bloc budgets or demand rows of its own (those always rebuild)."""
    if scenario is None:
        return None
    scoped = (
        any(scope == scenario for scope, _ in wb.trade_rules)
        or any(scope == scenario for scope, _ in wb.bloc_budgets)
        or scenario in wb.scenario_demand
    )
    return scenario if scoped else None


def _updates(key: str, value: str, ds: Dataset) -> bool:
    """Is the row `key = value` an update of a built model of the case's structure (models.model.is_mutable)?"""
    try:
        number = float(value)
    except ValueError:
        return False
    return is_mutable(key, number, ds)


def _error(exc: Exception) -> Solution:
    message = f"{type(exc).__name__}: {exc}"
    return failed(Status.ERROR, message)
