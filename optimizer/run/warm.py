"""Built models of one workbook, kept per structure (docs/model.md §9, "Which keys rebuild").

A case is a scenario (or the base case) and `--set` overrides. Two cases share a structure when they
differ only in rows `Model.update` can apply (`is_mutable` against the case's dataset) and every such
row leaves the same rows and variables in the LP (`shape`). A case of a structure built before is an
update of that model and a warm re-solve; a case solved before is not solved again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from ..models.dataset import Dataset
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.model import PARAMETERS, Model, Variant, is_mutable, pair_of, split
from ..models.solution import Solution, failed
from ..workbook.cases import make_dataset
from ..workbook.validate import Workbook

SETTINGS_KEYS = (
    "discount_rate",
    "max_restricted_share",
    "restricted_cost_factor",
    "unmet_penalty_usd_per_t",
    "shortfall_penalty_usd_per_t",
    "budget_usd",
    "annual_budget_usd",
)
SCALARS = (*SETTINGS_KEYS, "demand_factor")  # always part of a case's identity
KEEP = 3  # built models kept at once (each holds a whole LP)


def rows(wb: Workbook, scenario: str | None, overrides: tuple) -> dict[str, str]:
    """The keyed rows a case applies over the settings sheet (the scenario's, then the overrides;
    the last of a key wins), keys written `head` or `head.rest` with the head in lower case."""
    entries = [(k, v) for k, v, _ in wb.scenarios.get(scenario, [])] if scenario is not None else []
    found: dict[str, str] = {}
    for key, value in [*entries, *overrides]:
        head, rest = split(str(key))
        found[f"{head}.{rest}" if rest else head] = "" if value is None else str(value).strip()
    return found


def value_of(ds: Dataset, key: str) -> float | None:
    """The value a key of PARAMETERS has in a dataset (None: blank, or no such stockpile or recipe)."""
    head, rest = split(key)
    if head in SETTINGS_KEYS:
        value = getattr(ds.settings, head)
        return None if value is None else float(value)
    if head == "demand_factor":
        return float(ds.demand_factor)
    if head in ("capex_factor", "opex_factor"):
        return float(getattr(ds, head).get(rest, 1.0))
    if head in ("max_t", "initial_t"):
        pile = pair_of(rest, ds.stockpiles)
        value = None if pile is None else getattr(ds.stockpiles[pile], head)
        return None if value is None else float(value)
    if head == "max_share":
        recipe = pair_of(rest, ((p, r) for p, recipes in ds.recipes.items() for r in recipes))
        return None if recipe is None else float(ds.recipes[recipe[0]][recipe[1]].max_share)
    raise KeyError(key)


def shape(ds: Dataset) -> tuple:
    """What the values of the mutable keys decide about the LP's rows and variables: which budgets
    exist, which stockpiles have a limit, which recipes have share rows (0 < σ < 1) or none (σ = 0);
    and whether shortfall is at any price (a model of the other kind is never re-used)."""
    s = ds.settings
    return (
        s.shortfall_at_any_price,
        s.budget_usd is None,
        s.annual_budget_usd is None,
        tuple(sorted((pile, p.max_t is None) for pile, p in ds.stockpiles.items())),
        tuple(
            sorted(
                ((p, r), (0 < c.max_share < 1, c.max_share == 0)) for p, rs in ds.recipes.items() for r, c in rs.items()
            )
        ),
    )


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


@dataclass
class _Built:
    model: Model
    values: dict[str, float | None] = field(default_factory=dict)  # of the keys built with or updated since


@dataclass
class Models:
    """Cases of one workbook solved through at most KEEP built models of one variant."""

    wb: Workbook
    options: SolveOptions = DEFAULT_OPTIONS
    variant: Variant = Variant.COST
    keep: int = KEEP
    builds: int = 0
    solves: int = 0
    _models: OrderedDict = field(default_factory=OrderedDict)
    _solved: dict = field(default_factory=dict)

    def dataset(self, scenario: str | None = None, overrides: tuple = ()) -> Dataset:
        return make_dataset(self.wb, scenario, tuple(overrides))

    def identity(self, scenario: str | None, overrides: tuple, ds: Dataset) -> tuple[tuple, tuple]:
        """(structure, values): the structure names the built model a case can use; with the
        values of its mutable keys it names the case's LP."""
        mutable, fixed = [], []
        for key, value in rows(self.wb, scenario, overrides).items():
            number = _number(key, value)
            (mutable if number is not None and is_mutable(key, number, ds) else fixed).append((key, value))
        structure = (_scoped(self.wb, scenario), tuple(sorted(fixed)), shape(ds))
        keys = sorted({*SCALARS, *(k for k, _ in mutable)})
        return structure, tuple((k, value_of(ds, k)) for k in keys)

    def solve(
        self, scenario: str | None = None, overrides: tuple = (), tables: bool = True, ds: Dataset | None = None
    ) -> Solution:
        """The case's solution (`ds`: its dataset, when made already): an earlier one if this LP was
        solved before, else a solve of the model of its structure, updated in place, or of a new one.
        An exception of the solver becomes an `error` result; one of the inputs is raised."""
        return self.solve_case(scenario, overrides, tables, ds)[1]

    def solve_case(
        self, scenario: str | None = None, overrides: tuple = (), tables: bool = True, ds: Dataset | None = None
    ) -> tuple[tuple, Solution]:
        """`solve`, with the case's identity (for `remember` in another process)."""
        ds = ds or self.dataset(scenario, overrides)
        structure, values = self.identity(scenario, overrides, ds)
        known = self._solved.get((structure, values))
        if known is not None and (known.tables or not tables or not known.optimal):
            return (structure, values), known
        try:
            solution = self._solve(structure, values, ds, tables)
        except Exception as exc:  # a failed point is reported, never fatal
            self._models.pop(structure, None)
            return (structure, values), _error(exc)
        self._solved[(structure, values)] = solution
        return (structure, values), solution

    def remember(self, solved: list[tuple[tuple, Solution]]) -> None:
        """Solutions of cases solved elsewhere (`solve_case`), not to be solved again here."""
        self._solved.update(solved)

    def model(self, structure: tuple, values: tuple, ds: Dataset) -> Model:
        """The built model of a structure with the case's values applied."""
        built = self._models.pop(structure, None)
        if built is None:  # its values: those it is built with, so that a later case resets every one it changed
            built = _Built(Model(ds, self.variant, self.options), dict(values))
            self.builds += 1
        case, first = dict(values), built.model.dataset
        for key in sorted(set(case) | set(built.values)):
            value = case[key] if key in case else value_of(ds, key)
            if value != built.values.get(key, value_of(first, key)):
                built.model.update(key, value)
                built.values[key] = value
        self._models[structure] = built
        while len(self._models) > self.keep:
            self._models.popitem(last=False)
        return built.model

    def _solve(self, structure: tuple, values: tuple, ds: Dataset, tables: bool) -> Solution:
        model = self.model(structure, values, ds)
        self.solves += 1
        return model.solve(tables)


@dataclass(frozen=True)
class CasesJob:
    """Cases (scenario, overrides, tables) of one workbook in a worker process (run.parallel); the
    worker keeps its models between tasks. Rows: {"solved": [(identity, Solution), …]} for `remember`."""

    wb: Workbook
    options: SolveOptions = DEFAULT_OPTIONS

    def run(self, task: list, cache: dict) -> dict:
        models = cache.setdefault("models", Models(self.wb, self.options))
        return {"solved": [models.solve_case(scenario, overrides, tables) for scenario, overrides, tables in task]}


def _number(key: str, value: str) -> float | None:
    if value == "" or split(key)[0] not in PARAMETERS:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _error(exc: Exception) -> Solution:
    message = f"{type(exc).__name__}: {exc}"
    return failed(Status.ERROR, message)
