"""The model's front door: build one LP variant of a Dataset, change its parameters in place, solve it.

Code outside models/ goes through `Model` and the typed `Solution` it returns; it names no Pyomo
component and touches no solver attribute (those stay in formulation.py, highs.py and solution.py).

    model = Model(dataset)                      # Variant.COST, the LP of model.md
    model.update("max_restricted_share", 0.0)   # any key of PARAMETERS, no rebuild
    solution = model.solve()                    # warm re-solve after the first
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import pyomo.environ as pyo

from .dataset import MONEY, Dataset
from .formulation import NO_LIMIT, circuit_draw_shares, discount_factors, draw_shares, set_draw_parameters
from .highs import DEFAULT_OPTIONS, CaseSolver, SolveOptions, SolveOutcome, Status
from .network import circuit_salvage_share, embargo_arcs, embargoed, salvage_share
from .solution import Solution, extract
from .variants import Variant

ALPHA_SLACK = 1e-7  # the least α found is relaxed by this much before the least cost at it is sought
ALPHA_TOLERANCE = 1e-6  # bisection for the least α (cases with recipes)
SHORTFALL_TOLERANCE = 1e-9  # t of shortfall taken as none (bisection; finer than the α tolerance on small needs)
SHORTFALL_SLACK = 1e-6  # shortfall at any price: phase 2 allows S* + SHORTFALL_SLACK · max(1, S*) t


Apply = Callable[[pyo.ConcreteModel, Dataset, str, float], None]
Read = Callable[[Dataset, str], float | None]
Write = Callable[[Dataset, str, float | None], Dataset]


@dataclass(frozen=True)
class Parameter:
    """A workbook key that `Model.update` changes on the built model: what it changes there (`apply`), its
    value in a dataset (`read`, `write`), the keys it has in a dataset (`rests`) and what its value decides
    about the LP's rows (`shape`: values of one shape build the same rows; `takes`: can a model built
    with the first value take the second in place)."""

    key: str  # as written in settings, a scenario or --set/--param; `<bloc>` for one value per bloc
    doc: str
    apply: Apply
    read: Read
    write: Write
    rests: Callable[[Dataset], Iterable[str]] = lambda _ds: ("",)
    shape: Callable[[float | None], float | None] = lambda v: None if v is None else 0.0
    takes: Callable[[float | None, float], bool] = lambda _built, _value: True
    labelled: bool = False  # its key names a stockpile or a recipe: without a dataset it rebuilds


def _discount(m: pyo.ConcreteModel, ds: Dataset, _: str, rate: float) -> None:
    s = ds.settings
    for y, df in discount_factors(rate, s.first_year, s.years).items():
        m.discount[y] = df


def _cost_factor(m: pyo.ConcreteModel, ds: Dataset, _: str, factor: float) -> None:
    for bloc in m.B:
        if bloc in ds.cost_advantage_blocs:
            m.cost_factor[bloc] = factor


def _per_bloc(name: str) -> Apply:
    def apply(m: pyo.ConcreteModel, _ds: Dataset, bloc: str, value: float) -> None:
        if bloc in m.B:
            getattr(m, name)[bloc] = value

    return apply


def pair_of(rest: str, pairs: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The one known pair whose labels joined by a dot spell `rest` (labels may contain dots), else None."""
    found = [pair for pair in pairs if f"{pair[0]}.{pair[1]}" == rest]
    return found[0] if len(found) == 1 else None


def _stockpile(ds: Dataset, rest: str) -> tuple[str, str] | None:
    return pair_of(rest, ds.stockpiles) if ds.last_stage >= 2 else None


def _recipe(ds: Dataset, rest: str) -> tuple[str, str] | None:
    return pair_of(rest, ((p, r) for p, recipes in ds.recipes.items() for r in recipes))


def _per_pair(name: str, resolve: Callable[[Dataset, str], tuple[str, str] | None]) -> Apply:
    def apply(m: pyo.ConcreteModel, ds: Dataset, rest: str, value: float) -> None:
        pair = resolve(ds, rest)
        if pair is not None and pair in getattr(m, name):
            getattr(m, name)[pair] = value

    return apply


def _scalar(name: str, scale: float = 1.0) -> Apply:
    def apply(m: pyo.ConcreteModel, _ds: Dataset, _rest: str, value: float) -> None:
        getattr(m, name).set_value(value * scale)

    return apply


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def _setting(name: str) -> tuple[Read, Write]:
    def read(ds: Dataset, _rest: str) -> float | None:
        return _number(getattr(ds.settings, name))

    def write(ds: Dataset, _rest: str, value: float | None) -> Dataset:
        changes: dict[str, Any] = {name: value}
        return replace(ds, settings=replace(ds.settings, **changes))

    return read, write


def _demand_factor() -> tuple[Read, Write]:
    return (lambda ds, _rest: float(ds.demand_factor)), (lambda ds, _rest, value: replace(ds, demand_factor=value))


def _bloc_factor(name: str) -> tuple[Read, Write]:
    def read(ds: Dataset, bloc: str) -> float | None:
        return float(getattr(ds, name).get(bloc, 1.0))

    def write(ds: Dataset, bloc: str, value: float | None) -> Dataset:
        changes: dict[str, Any] = {name: {**getattr(ds, name), bloc: value}}
        return replace(ds, **changes)

    return read, write


def _stock(name: str) -> tuple[Read, Write]:
    def read(ds: Dataset, rest: str) -> float | None:
        pile = _stockpile(ds, rest)
        return None if pile is None else _number(getattr(ds.stockpiles[pile], name))

    def write(ds: Dataset, rest: str, value: float | None) -> Dataset:
        pile = _stockpile(ds, rest)
        if pile is None:
            return ds
        changes: dict[str, Any] = {name: value}
        return replace(ds, stockpiles={**ds.stockpiles, pile: replace(ds.stockpiles[pile], **changes)})

    return read, write


def _share() -> tuple[Read, Write]:
    def read(ds: Dataset, rest: str) -> float | None:
        recipe = _recipe(ds, rest)
        return None if recipe is None else float(ds.recipes[recipe[0]][recipe[1]].max_share)

    def write(ds: Dataset, rest: str, value: float | None) -> Dataset:
        recipe = _recipe(ds, rest)
        if recipe is None:
            return ds
        p, r = recipe
        changes: dict[str, Any] = {"max_share": value}
        product = {**ds.recipes[p], r: replace(ds.recipes[p][r], **changes)}
        return replace(ds, recipes={**ds.recipes, p: product})

    return read, write


def _blocs(ds: Dataset) -> Iterable[str]:
    return ds.blocs


def _piles(ds: Dataset) -> Iterable[str]:
    return (f"{n}.{e}" for n, e in ds.stockpiles) if ds.last_stage >= 2 else ()


def _recipes(ds: Dataset) -> Iterable[str]:
    return (f"{p}.{r}" for p, recipes in ds.recipes.items() for r in recipes)


def _rows_if_set(value: float | None) -> float | None:
    """A limit's rows exist when it is set (budgets, max_t)."""
    return None if value is None else 0.0


def _built_with_rows(built: float | None, _value: float) -> bool:
    return built is not None


def _share_rows(value: float | None) -> float | None:
    """Share rows exist for 0 < σ < 1; at 0 the recipe's variables go, at 1 no row is built."""
    return value if value is None or value in (0.0, 1.0) else 0.5


def _takes_share(built: float | None, value: float) -> bool:
    return built is not None and 0 < built < 1 and value > 0


def _budget(key: str, doc: str, name: str) -> Parameter:
    return Parameter(key, doc, _scalar(name, MONEY), *_setting(key), shape=_rows_if_set, takes=_built_with_rows)


PARAMETERS: Mapping[str, Parameter] = MappingProxyType(
    {
        p.key.split(".")[0]: p
        for p in (
            Parameter("discount_rate", "df_y of every year", _discount, *_setting("discount_rate")),
            Parameter(
                "max_restricted_share",
                "α of the independence rows",
                _scalar("alpha"),
                *_setting("max_restricted_share"),
            ),
            Parameter(
                "restricted_cost_factor",
                "φ of the cost-advantage blocs (default: the restricted ones)",
                _cost_factor,
                *_setting("restricted_cost_factor"),
            ),
            Parameter(
                "unmet_penalty_usd_per_t",
                "cost of unmet demand",
                _scalar("unmet_penalty", MONEY),
                *_setting("unmet_penalty_usd_per_t"),
            ),
            Parameter(
                "shortfall_penalty_usd_per_t",
                "cost of independence shortfall",
                _scalar("shortfall_penalty", MONEY),
                *_setting("shortfall_penalty_usd_per_t"),
            ),
            _budget("budget_usd", "the total budget row's limit (when the case has one)", "budget"),
            _budget("annual_budget_usd", "the annual budget rows' limit (when the case has them)", "annual_budget"),
            Parameter("demand_factor", "multiplier of all demand", _scalar("demand_factor"), *_demand_factor()),
            Parameter(
                "capex_factor.<bloc>",
                "multiplier of one bloc's capex",
                _per_bloc("capex_factor"),
                *_bloc_factor("capex_factor"),
                rests=_blocs,
            ),
            Parameter(
                "opex_factor.<bloc>",
                "multiplier of one bloc's opex",
                _per_bloc("opex_factor"),
                *_bloc_factor("opex_factor"),
                rests=_blocs,
            ),
            Parameter(
                "max_t.<node>.<element>",
                "stock limit of a stockpile (when the built case has one)",
                _per_pair("max_t", _stockpile),
                *_stock("max_t"),
                rests=_piles,
                shape=_rows_if_set,
                takes=_built_with_rows,
                labelled=True,
            ),
            Parameter(
                "initial_t.<node>.<element>",
                "initial stock of a stockpile",
                _per_pair("initial_t", _stockpile),
                *_stock("initial_t"),
                rests=_piles,
                takes=_built_with_rows,
                labelled=True,
            ),
            Parameter(
                "max_share.<product>.<recipe>",
                "max_share of a recipe (when the built case has its rows: 0 < max_share < 1)",
                _per_pair("max_share", _recipe),
                *_share(),
                rests=_recipes,
                shape=_share_rows,
                takes=_takes_share,
                labelled=True,
            ),
        )
    }
)


def split(key: str) -> tuple[str, str]:
    """('capex_factor', 'allied') for 'capex_factor.allied'; (key, '') otherwise."""
    head, _, rest = key.strip().partition(".")
    return head.lower(), rest.strip()


def value_of(ds: Dataset, key: str) -> float | None:
    """The value a key of PARAMETERS has in a dataset (None: blank, or no such stockpile or recipe);
    KeyError for any other key."""
    head, rest = split(key)
    return PARAMETERS[head].read(ds, rest)


def is_mutable(key: str, value: float | None = 0.0, dataset: Dataset | None = None) -> bool:
    """Can `Model.update(key, value)` change the model built from `dataset` without a rebuild? Not when
    it would add or remove a row or a variable (the parameter's `takes`): a blank budget or a budget
    where the built case has none; a blank max_t or one where the built case has none; a max_share of
    0, or one where the built case has no share rows (max_share 0 or 1). The stockpile and recipe keys
    need the dataset (their labels are resolved against its pairs); without it they rebuild."""
    head, rest = split(key)
    parameter = PARAMETERS.get(head)
    if parameter is None or value is None:
        return False
    if dataset is None:
        return not parameter.labelled
    return parameter.takes(parameter.read(dataset, rest), value)


class Model:
    """One LP variant of a dataset, built once and re-solved warm as its parameters change."""

    def __init__(self, dataset: Dataset, variant: Variant = Variant.COST, options: SolveOptions = DEFAULT_OPTIONS):
        # With product demand, (1 − α)·need has α and the recipe mix x in one term: LEAST_ALPHA is not
        # linear, so it is solved by bisection over α on the COST LP instead (_least_alpha_by_bisection).
        self._bisect = variant is Variant.LEAST_ALPHA and bool(dataset.product_demand_in_horizon())
        self._solver = CaseSolver(dataset, options, Variant.COST if self._bisect else variant)
        self.dataset, self.variant = dataset, variant
        self._delayed: dict[tuple[str, int], int] = {}  # DRAWS: the delays now in the parameters
        self._bounds: dict[int, tuple[float | None, float | None]] = {}  # builds held: their own bounds
        self._phases: list[Any] = [None, None]  # LEAST_ALPHA and shortfall at any price: each phase's last basis
        self._any_price = self._solver.built.model.component("shortfall_limit") is not None
        self._embargoed: frozenset[tuple[str, Any]] = frozenset()  # DRAWS: the arcs set_embargo holds at 0

    @property
    def build_seconds(self) -> float:
        return self._solver.build_seconds

    def update(self, key: str, value: float) -> None:
        """Change one parameter of PARAMETERS on the built model (ValueError for any other key, or for a
        value that would add or remove rows: see is_mutable)."""
        head, rest = split(key)
        built_as_cost = self.variant in (Variant.COST, Variant.DRAWS) or self._bisect
        budget = head in ("budget_usd", "annual_budget_usd") and not built_as_cost
        if not is_mutable(key, value, None if budget else self.dataset):
            raise ValueError(f"{key} = {value!r} changes the model's structure: build a new Model")
        PARAMETERS[head].apply(self._solver.built.model, self.dataset, rest, float(value))

    def solve(self, tables: bool = True, cold: bool = False) -> Solution:
        """The typed solution; for LEAST_ALPHA also `least_alpha`, for LEAST_BUDGET `least_budget_usd`.
        Without `tables`, the summary figures only (much faster on small models). `cold`: without the
        last basis (HiGHS presolves anew; faster where the LP changed much, as between risk draws)."""
        if self._bisect:
            return self._least_alpha_by_bisection()
        if self.variant is Variant.LEAST_ALPHA:
            return self._least_alpha()
        solution = self._cost(tables, cold)
        if self.variant is Variant.LEAST_BUDGET and solution.optimal:
            budget = pyo.value(self._solver.built.model.budget_var) / MONEY
            solution = replace(solution, least_budget_usd=budget)
        return solution

    def _cost(self, tables: bool, cold: bool) -> Solution:
        """The cost LP's solution: one solve, or with shortfall at any price its two phases."""
        if self._any_price:
            return self._at_any_price(tables, cold)
        if cold:
            self._solver.start_cold()
        return extract(self._solver.built, self._solver.solve(), self.build_seconds, tables)

    def _at_any_price(self, tables: bool, cold: bool) -> Solution:
        """Shortfall at any price (model.md v3): phase 1 minimises S = Σ s (t, undiscounted) → S*;
        phase 2 minimises the objective with Σ s ≤ S* + SHORTFALL_SLACK · max(1, S*). Each phase
        starts from its own last basis (`cold`: both without one); phase 2's plan, costs and duals
        are reported, and `shortfall_t` = S* (phase 2's Σ s, in the tables, may use the slack)."""
        m = self._solver.built.model
        m.shortfall_cap.set_value(NO_LIMIT)
        first = self._phase(0, cold, m.least_shortfall, m.objective)
        if first.status is not Status.OPTIMAL:
            m.least_shortfall.deactivate()
            m.objective.activate()
            return _failed(extract(self._solver.built, first, self.build_seconds), "phase 1 (least shortfall)")
        least = max(0.0, pyo.value(m.least_shortfall))
        m.shortfall_cap.set_value(least + SHORTFALL_SLACK * max(1.0, least))
        second = self._phase(1, cold, m.objective, m.least_shortfall)
        solution = extract(self._solver.built, second, self.build_seconds, tables)
        if not solution.optimal:
            return _failed(solution, f"phase 2 (least cost at {least:.6g} t)")
        assert solution.figures is not None
        return replace(solution, figures=replace(solution.figures, shortfall_t=least))

    def _least_alpha(self) -> Solution:
        """Least α with no shortfall at this budget, then the least cost at that α. Each phase starts
        from its own basis of the last point (the other phase's objective is far from warm)."""
        m = self._solver.built.model
        m.alpha_var.unfix()
        m.objective.deactivate()
        m.least_alpha.activate()
        first = self._phase(0)
        if first.status is not Status.OPTIMAL:
            failed = extract(self._solver.built, first, self.build_seconds)
            return replace(failed, message=f"least alpha: {first.message}")
        alpha = min(1.0, max(0.0, pyo.value(m.alpha_var)))
        m.alpha_var.fix(min(1.0, alpha + ALPHA_SLACK))
        m.least_alpha.deactivate()
        m.objective.activate()
        second = self._phase(1)
        solution = extract(self._solver.built, second, self.build_seconds)
        if not solution.optimal:
            return replace(solution, message=f"least cost at alpha {alpha:.6g}: {second.message}")
        return replace(solution, least_alpha=alpha)

    def _phase(self, phase: int, cold: bool = False, objective: Any = None, other: Any = None) -> SolveOutcome:
        """Solve one phase from its own last basis (`cold`: none), with `objective` active instead of `other`."""
        if objective is not None:
            other.deactivate()
            objective.activate()
        if cold:
            self._solver.start_cold()
        else:
            self._solver.start_from(self._phases[phase])
        outcome = self._solver.solve()
        self._phases[phase] = self._solver.basis() if outcome.status is Status.OPTIMAL else None
        return outcome

    def _least_alpha_by_bisection(self) -> Solution:
        """Least α whose cost-optimal plan has no shortfall (within SHORTFALL_TOLERANCE), to
        ALPHA_TOLERANCE, and that plan: the LEAST_ALPHA answer where the variant is not linear."""
        m = self._solver.built.model

        def at(alpha: float) -> Solution:
            m.alpha.set_value(alpha)
            return self._cost(True, False)

        best = at(1.0)
        if best.optimal and best.summary["shortfall_t"] > SHORTFALL_TOLERANCE:
            return replace(best, status=Status.ERROR, message="least alpha: shortfall even at alpha = 1")
        low, high, middle = 0.0, 1.0, 0.0
        while best.optimal and high - low > ALPHA_TOLERANCE:
            trial = at(middle)
            if not trial.optimal:
                return replace(trial, message=f"least alpha (bisection at {middle:.6g}): {trial.message}")
            if trial.summary["shortfall_t"] <= SHORTFALL_TOLERANCE:
                best, high = trial, middle
            else:
                low = middle
            middle = (low + high) / 2
        return replace(best, least_alpha=high) if best.optimal else best

    def write(self, path: str | os.PathLike[str]) -> None:
        """The LP as HiGHS sees it (.mps or .lp), for another solver."""
        self._solver.write_model(path)

    def builds(self) -> dict[tuple[str, object, int], float]:
        """New capacity started per (node, stage order, year) and per (node, element, year) for circuits,
        as the last solve left it (t/yr)."""
        m = self._solver.built.model
        plan: dict[tuple[str, object, int], float] = {key: float(v.value or 0.0) for key, v in m.build.items()}
        plan.update({key: float(v.value or 0.0) for key, v in m.buildc.items()})
        return plan

    def fix_builds(self, plan: Mapping[tuple[str, object, int], float], before: int | None = None) -> None:
        """The fixed-builds variant: every build starting before `before` (all when None) is held at the
        plan's value (0 where the plan has none); later builds are free. Bounds only: a warm change."""
        m = self._solver.built.model
        for component in (m.build, m.buildc):
            for key, var in component.items():
                held = before is None or key[2] < before
                self._bound(var, plan.get(key, 0.0) if held else None)

    def commit(
        self,
        plan: Mapping[tuple[str, object, int], float],
        draws: Mapping[tuple[str, int], tuple[int, float]],
        before: int | None = None,
    ) -> None:
        """DRAWS, built on the undelayed case: one draw of a committed plan (risk.md v3, "Readings
        decided"). The draw's (delay, overrun) per facility as set_draw takes them; every build starting
        before `before` (all when None) held at the plan, later builds free (fix_builds). A held build is
        paid in its start year with the drawn overrun even when the delay pushes it past last_year: its
        variable exists (no delay in the built case), it then delivers nothing and its salvage share is
        capped at 1 (formulation.set_draw_parameters). The budget rows cover the free builds only:

            held_capex[b,y] = Σ_{held (n,k) at b, started y} capex[n,k] · overrun[n,k] · plan[n,k,y]
                            (+ the same for circuits),   budget rows over φ_b·cf_b·(CAPEX[b,y] − held_capex[b,y])

        A planned build (> 0) that has no variable here is a ValueError, never dropped unpaid."""
        if self.variant is not Variant.DRAWS:
            raise ValueError("commit needs a Model built as Variant.DRAWS")
        built, m = self._solver.built, self._solver.built.model

        def held(key: tuple[str, Any, int]) -> bool:
            return before is None or key[2] < before

        missing = sorted(
            str(k) for k, v in plan.items() if held(k) and v > 0 and k not in m.build and k not in m.buildc
        )
        if missing:
            raise ValueError(f"committed builds with no build variable in this case: {', '.join(missing)}")
        set_draw_parameters(built, draws, held)
        self._delayed = {site: d for site, (d, _) in draws.items() if d}
        self.fix_builds(plan, before)
        spent = {key: 0.0 for key in m.held_capex}
        for (n, what, y), tpa in plan.items():
            if held((n, what, y)) and tpa:
                site = (n, what) if isinstance(what, int) else (n, 2)
                spent[(self.dataset.nodes[n], y)] += self._capex((n, what)) * MONEY * pyo.value(m.overrun[site]) * tpa
        for key, value in spent.items():
            m.held_capex[key] = value

    def _capex(self, build: tuple[str, object]) -> float:
        """USD per tpa of a facility's (node, stage order) or a circuit's (node, element) new capacity."""
        n, what = build
        found = self.dataset.facilities[(n, what)] if isinstance(what, int) else self.dataset.circuits[(n, str(what))]
        return found.capex_usd_per_tpa or 0.0

    def committed_capex(self) -> dict[tuple[str, int], float]:
        """DRAWS after commit: the held builds' capex per (bloc, start year), nominal USD with the drawn
        overrun, φ and capex_factor applied, as the budget rows would count it."""
        m = self._solver.built.model
        return {
            (bl, y): pyo.value(m.cost_factor[bl] * m.capex_factor[bl] * m.held_capex[bl, y]) / MONEY
            for bl, y in m.held_capex
        }

    def forbid_builds(self, facilities: frozenset[tuple[str, int]]) -> None:
        """No new capacity at these (node, stage order) facilities (and, at separation, their circuits);
        every other build is free again: the LP of the case with their capex blank, by bounds only."""
        m = self._solver.built.model
        for (n, k, _y), var in m.build.items():
            self._bound(var, 0.0 if (n, k) in facilities else None)
        for (n, _e, _y), var in m.buildc.items():
            self._bound(var, 0.0 if (n, 2) in facilities else None)

    def _bound(self, var: pyo.Var, held: float | None) -> None:
        """Hold a build at a value (lower = upper bound), or give it back its own bounds. Bounds, not
        `fix`: a fixed variable makes Pyomo re-write every row it is in."""
        if held is None:
            original = self._bounds.pop(id(var), None)
            if original is not None:
                var.setlb(original[0])
                var.setub(original[1])
            return
        self._bounds.setdefault(id(var), (var.lb, var.ub))
        var.setlb(held)
        var.setub(held)

    def set_draw(self, draws: Mapping[tuple[str, int], tuple[int, float]]) -> None:
        """DRAWS variant: per (node, stage order) a lead-time delay in whole years and a capex overrun
        (at a separator, of its circuits too); facilities not named are back at (0, 1). Warm: parameters
        only."""
        m = self._solver.built.model
        if self.variant is not Variant.DRAWS:
            raise ValueError("set_draw needs a Model built as Variant.DRAWS")
        for site in m.overrun:
            m.overrun[site] = draws.get(site, (0, 1.0))[1]
        delays = {site: d for site, (d, _) in draws.items() if d}
        changed = {site for site in set(delays) | set(self._delayed) if delays.get(site) or self._delayed.get(site)}
        self._shift_facilities(changed, delays)
        self._shift_circuits(changed, delays)
        self._delayed = delays

    def set_embargo(self, embargo: Mapping[str, int | None]) -> None:
        """DRAWS variant: from each named bloc's year on (None: never), its consumers receive no mixed
        material at the last stage: upper bound 0 on exactly the arcs a structural embargo omits
        (network.embargoed); every other such arc is back at its own bounds, so a bloc not named has no
        drawn embargo. Build the model from the dataset without these blocs' embargo: one the dataset
        holds itself is structural (its arcs are not in the model), and naming it is a ValueError."""
        m = self._solver.built.model
        if self.variant is not Variant.DRAWS:
            raise ValueError("set_embargo needs a Model built as Variant.DRAWS")
        ds = self.dataset
        structural = sorted(set(embargo) & set(ds.settings.embargo))
        if structural:
            raise ValueError(f"embargo of {', '.join(structural)} is in the built dataset: build without it")
        bundles, elements = embargo_arcs(ds, self._solver.built.network)
        arcs = [(m.g, a, a[1], a[2]) for a in bundles] + [(m.h, a, a[1], a[5]) for a in elements]
        held = frozenset((component.name, a) for component, a, c, y in arcs if embargoed(ds, c, y, embargo))
        for component, a, _, _ in arcs:
            self._bound(component[a], 0.0 if (component.name, a) in held else None)
        if held != self._embargoed:  # a basis under another embargo is a poor start (model.md §9)
            self._solver.start_cold()
        self._embargoed = held

    def _shift_facilities(self, changed: set[tuple[str, int]], delays: Mapping[tuple[str, int], int]) -> None:
        m, ds = self._solver.built.model, self.dataset
        for n, k, y0, y in m.ramped:
            if (n, k) in changed:
                m.ramped[n, k, y0, y], m.in_service[n, k, y0, y] = draw_shares(ds, n, k, y0, y, delays.get((n, k), 0))
        for n, k, y0 in m.salvage_share:
            if (n, k) in changed:
                m.salvage_share[n, k, y0] = salvage_share(ds, n, k, y0, delays.get((n, k), 0))

    def _shift_circuits(self, changed: set[tuple[str, int]], delays: Mapping[tuple[str, int], int]) -> None:
        m, ds = self._solver.built.model, self.dataset
        for n, e, y0, y in m.rampedc:
            if (n, 2) in changed:
                shares = circuit_draw_shares(ds, n, e, y0, y, delays.get((n, 2), 0))
                m.rampedc[n, e, y0, y], m.in_servicec[n, e, y0, y] = shares
        for n, e, y0 in m.salvagec:
            if (n, 2) in changed:
                m.salvagec[n, e, y0] = circuit_salvage_share(ds, n, e, y0, delays.get((n, 2), 0))


def _failed(solution: Solution, phase: str) -> Solution:
    """A failed phase of shortfall at any price, its message naming the phase."""
    message = f"shortfall at any price, {phase}: {solution.message}"
    return replace(solution, message=message, run=replace(solution.run, message=message))
