"""Solve a built model with HiGHS, keeping the solver so that a later re-solve after parameter
updates is warm. Two paths hand the model over: `direct` (models/direct.py: the matrix in one call,
changes in bulk) and `persistent` (Pyomo's persistent highspy interface); RECHAIN_SOLVER_PATH picks
the default."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from types import FrameType
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

from .dataset import Dataset
from .formulation import Built, build_model
from .variants import Variant

if TYPE_CHECKING:
    from .direct import DirectModel


class Status(str, Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


STRUCTURE_CHECKS = (
    "check_for_new_or_removed_constraints",
    "check_for_new_or_removed_vars",
    "check_for_new_or_removed_params",
    "update_constraints",
    "update_named_expressions",
)
PATHS = ("direct", "persistent")
SOLVER_PATH = os.environ.get("RECHAIN_SOLVER_PATH", "direct")  # the one place the variable is read
IPM_FROM_COLUMNS = 100_000  # "auto": the simplex below, the interior-point method (with crossover) above


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float | None = None
    threads: int | None = None
    method: str = "auto"  # auto | simplex | ipm
    path: str = SOLVER_PATH  # direct | persistent: how the model reaches HiGHS

    def __post_init__(self) -> None:
        if self.path not in PATHS:
            raise ValueError(f"solver path: expected one of {', '.join(PATHS)}, found {self.path!r}")


DEFAULT_OPTIONS = SolveOptions()


class HighsRefused(RuntimeError):
    """HiGHS answered a call with HighsStatus.kError: the LP it holds is no longer the model's."""


UNCHECKED = frozenset({"run"})  # its status is judged with the model status (CaseSolver._verdict)


def _shown(arg: Any) -> str:
    """An argument of a refused call as the message shows it (arrays of more than 3 values by their size)."""
    if hasattr(arg, "ravel"):
        values = arg.ravel().tolist()
        return f"[{', '.join(map(_shown, values))}]" if len(values) <= 3 else f"<{len(values)} values>"
    if isinstance(arg, (int, float)):
        return f"{arg:g}"
    return repr(arg) if isinstance(arg, str) else type(arg).__name__


def _error(result: Any) -> bool:
    """True for HighsStatus.kError (alone or first in a returned tuple)."""
    first = result[0] if isinstance(result, tuple) and result else result
    return type(first).__name__ == "HighsStatus" and first.name == "kError"


class CheckedHighs:
    """A highspy.Highs whose every call that returns a HighsStatus raises HighsRefused on kError,
    naming the call and its arguments; attributes and plain getters pass through."""

    def __init__(self, highs: Any):
        object.__setattr__(self, "raw", highs)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.raw, name)
        if not callable(attr) or name in UNCHECKED:
            return attr

        def checked(*args: Any) -> Any:
            result = attr(*args)
            if _error(result):
                raise HighsRefused(f"HiGHS refused {name}({', '.join(map(_shown, args))})")
            return result

        object.__setattr__(self, name, checked)  # found directly from now on
        return checked

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.raw, name, value)


@dataclass
class SolveOutcome:
    """What HiGHS said: a status from a closed vocabulary and the raw words."""

    status: Status
    message: str
    solve_seconds: float
    duals: dict[Any, float] = field(default_factory=dict)  # constraint data -> dual (model units)
    translate_seconds: float = 0.0  # handing the model to HiGHS (first solve only)
    highs_seconds: float = 0.0  # HiGHS's own run time
    infeasibility: tuple[float, float] = (0.0, 0.0)  # HiGHS's max primal and dual infeasibility
    probe: Probe | None = None  # the optimal LP, to range and re-solve with row bounds moved (models.ranging)


class Probe:
    """The LP HiGHS holds after an optimal solve, for one-sided marginal costs (models.ranging): the
    basis-stable range of row bounds (HiGHS ranging) and re-solves with row bounds moved, each
    started warm from the optimal basis and undone afterwards (bounds and basis as they were)."""

    def __init__(self, highs: Any, row_of: Callable[[Any], int]):
        self.highs, self.row_of = highs, row_of
        self._ranging: Any = None

    def stable(self, row: int) -> tuple[float, float]:
        """(lowest, highest) value of the row's bound over which the optimal basis stays optimal
        (HiGHS's row_bound_dn and row_bound_up); (nan, nan) when HiGHS cannot range (no basis)."""
        self._range()
        if self._ranging is False:
            return math.nan, math.nan
        return float(self._ranging.row_bound_dn.value_[row]), float(self._ranging.row_bound_up.value_[row])

    def _range(self) -> None:
        """HiGHS's ranging at the optimum, once (before any re-solve moves the LP)."""
        if self._ranging is None:
            try:
                self._ranging = self.highs.getRanging()[1]
            except HighsRefused:
                self._ranging = False

    def bounds(self, rows: list[int]) -> tuple[Any, Any]:
        """The rows' (lower, upper) bounds as HiGHS holds them."""
        import numpy as np

        _, _, lower, upper, _ = self.highs.getRows(len(rows), np.array(rows, dtype=np.int32))
        return lower, upper

    def moved(self, rows: list[int], lower: Any, upper: Any) -> tuple[str, list[float]]:
        """Re-solve with the rows' bounds set to (lower, upper): HiGHS's status ("optimal",
        "infeasible" or another) and the rows' duals; then everything back."""
        import numpy as np

        self._range()
        h, index = self.highs, np.array(rows, dtype=np.int32)
        basis, (old_lower, old_upper) = h.getBasis(), self.bounds(rows)
        try:
            with quiet_stdout():
                h.changeRowsBounds(len(rows), index, np.asarray(lower, float), np.asarray(upper, float))
                h.run()
            status = h.modelStatusToString(h.getModelStatus()).lower()
            dual = h.getSolution().row_dual
            return status, [float(dual[r]) for r in rows]
        finally:
            h.changeRowsBounds(len(rows), index, old_lower, old_upper)
            try:
                h.setBasis(basis)
            except HighsRefused:  # the next solve starts cold instead
                h.clearSolver()


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Keep library banners (highspy prints one on first use) off stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _mps_name(name: str, used: set[str]) -> str:
    """A name both MPS and LP files can hold (no blanks, no brackets), unique in the model."""
    name = "".join("_" if c.isspace() else c for c in name).replace("'", "").replace("[", "(").replace("]", ")")
    unique, n = name, 1
    while unique in used:
        n += 1
        unique = f"{name}#{n}"
    used.add(unique)
    return unique


def _status(termination: Any) -> Status:
    from pyomo.contrib.solver.common.results import TerminationCondition as T

    return {
        T.convergenceCriteriaSatisfied: Status.OPTIMAL,
        T.provenInfeasible: Status.INFEASIBLE,
        T.locallyInfeasible: Status.INFEASIBLE,
        T.unbounded: Status.UNBOUNDED,
        T.infeasibleOrUnbounded: Status.INFEASIBLE,
        T.maxTimeLimit: Status.TIME_LIMIT,
        T.iterationLimit: Status.TIME_LIMIT,
    }.get(termination, Status.ERROR)


class CaseSolver:
    """A model built once and solved as often as its parameters change. A warm
    re-solve that does not end optimal is retried cold (solver state cleared)."""

    def __init__(self, dataset: Dataset, options: SolveOptions = DEFAULT_OPTIONS, variant: Variant = Variant.COST):
        start = time.perf_counter()
        built = build_model(dataset, variant)
        self._ready(built, built.model, time.perf_counter() - start, options)

    def _ready(self, built: Built, model: pyo.ConcreteModel, build_seconds: float, options: SolveOptions) -> None:
        """The state of a built model not yet handed to HiGHS; `model` is what HiGHS is given."""
        self.built, self.model, self.build_seconds, self.options = built, model, build_seconds, options
        self._solver: Any = None  # pyomo.contrib.solver.solvers.highs.Highs once handed over (persistent)
        self._direct: DirectModel | None = None  # once handed over (direct)
        self._errors: list[str] = []  # HiGHS's ERROR lines of the last run (direct)
        self._rows: tuple[Any, dict[int, int]] | None = None  # (direct model, row of id(constraint))
        self._solved = False
        self._stop = False

    def _hand_to_highs(self) -> float:
        """Create the persistent HiGHS model once; seconds it took (0 when it existed)."""
        if self._solver is not None or self._direct is not None:
            return 0.0
        start = time.perf_counter()
        if self.options.path == "direct":
            self._hand_direct()
        else:
            self._hand_persistent()
        for event in (self.highs.cbSimplexInterrupt, self.highs.cbIpmInterrupt, self.highs.cbMipInterrupt):
            event.subscribe(self._interrupt_check)
        return time.perf_counter() - start

    def _hand_direct(self) -> None:
        import highspy

        from .direct import DirectModel

        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("log_to_console", False)
        highs.cbLogging.subscribe(self._log)
        self._direct = DirectModel(self.model, CheckedHighs(highs))

    def _log(self, event: Any) -> None:
        if event.message.startswith("ERROR"):
            self._errors.append(event.message.strip())

    def _hand_persistent(self) -> None:
        from pyomo.contrib.solver.solvers.highs import Highs

        self._solver = Highs()
        self._solver.config.load_solutions = False
        updates = self._solver.config.auto_updates  # a built model only changes bounds, parameters and objectives:
        for check in STRUCTURE_CHECKS:  # re-solves skip Pyomo's scan of every row and variable
            setattr(updates, check, False)
        self._solver.config.raise_exception_on_nonoptimal_result = False
        self._solver.set_instance(self.model)
        _check_persistent(self._solver)

    def _interrupt_check(self, event: Any) -> None:
        if self._stop:
            event.interrupt()

    def _request_stop(self) -> None:
        self._stop = True

    def solve(self) -> SolveOutcome:
        """HiGHS's outcome for the model as it is now. A call HiGHS refuses (HighsRefused: a coefficient
        it cannot hold, say) ends the solve with Status.ERROR naming the call, and the LP is handed to
        HiGHS anew at the next solve, so no later solve runs on what HiGHS kept of the refused change."""
        start = time.perf_counter()
        reason = self.unreliable()
        if reason:
            return SolveOutcome(Status.ERROR, reason, time.perf_counter() - start)
        self._stop = False
        with deferred_signals(self._request_stop), quiet_stdout():
            try:
                translate, clock, results, status, message = self._attempt()
            except HighsRefused as exc:
                return self._refused(exc, time.perf_counter() - start)
        if self._stop or self.highs.getModelStatus() == _interrupted():
            raise KeyboardInterrupt
        self._solved = True
        duals: dict[Any, Any] = {}
        if status is Status.OPTIMAL and self._direct is not None:
            duals = self._direct.load()
        elif status is Status.OPTIMAL:
            results.solution_loader.load_vars()
            duals = dict(results.solution_loader.get_duals())
        info = self.highs.getInfo()
        quality = (float(info.max_primal_infeasibility), float(info.max_dual_infeasibility))
        probe = Probe(self.highs, self._row_of) if status is Status.OPTIMAL else None
        return SolveOutcome(
            status,
            message,
            time.perf_counter() - start,
            duals,
            translate,
            float(self.highs.getRunTime()) - clock,
            quality,
            probe,
        )

    def _row_of(self, con: Any) -> int:
        """HiGHS's row of a constraint of the model (the direct path's index made at the first call)."""
        if self._direct is None:
            return int(self._solver._pyomo_con_to_solver_con_map[con])
        if self._rows is None or self._rows[0] is not self._direct:
            self._rows = (self._direct, {id(c): r for r, c in enumerate(self._direct.rows)})
        return self._rows[1][id(con)]

    def _attempt(self) -> tuple[float, float, Any, Status, str]:
        """Hand over (once), run, and re-run cold after a warm run that did not end optimal."""
        translate = self._hand_to_highs()
        clock = float(self.highs.getRunTime())  # HiGHS's run clock counts every run of this model
        results = self._run()
        status, message = self._verdict(results)
        if self._solved and status not in (Status.OPTIMAL, Status.TIME_LIMIT) and not self._stop:
            self.highs.clearSolver()
            results = self._run()
            status, cold = self._verdict(results)
            message = (
                cold
                if status is Status.OPTIMAL
                else f"{cold} (also after a cold re-solve; the warm re-solve said: {message})"
            )
        return translate, clock, results, status, message

    def _refused(self, exc: HighsRefused, seconds: float) -> SolveOutcome:
        """Forget the HiGHS model (rebuilt from the Pyomo model at the next solve): an ERROR outcome."""
        words = "; ".join([str(exc)] + self._errors)
        self._ready(self.built, self.model, self.build_seconds, self.options)
        return SolveOutcome(Status.ERROR, f"{words} (the LP is handed to HiGHS anew at the next solve)", seconds)

    def _run(self) -> Any:
        """Run HiGHS on the model as it is now: the persistent interface's results, or their two fields
        that _verdict reads (direct)."""
        if self._direct is not None:
            self._errors = []
            self._direct.update()
            highs = self._direct.highs
            for name, value in self._highs_options().items():
                highs.setOptionValue(name, value)
            failed = _error(highs.run())
            if failed:
                self._errors.append("HiGHS run() returned an error")
            return _Ran(_termination(None if failed else highs.getModelStatus()), "\n".join(self._errors))
        config = dict(
            time_limit=self.options.time_limit,
            threads=self.options.threads,
            solver_options={"solver": self.method(), "user_objective_scale": self.objective_scale()},
        )
        return self._solver.solve(self.model, **{k: v for k, v in config.items() if v is not None})

    def _highs_options(self) -> dict[str, Any]:
        """The options the persistent interface sets before each run."""
        options: dict[str, Any] = {"threads": self.options.threads, "time_limit": self.options.time_limit}
        options = {name: value for name, value in options.items() if value is not None}
        return options | {"solver": self.method(), "user_objective_scale": self.objective_scale()}

    def unreliable(self) -> str | None:
        return unreliable(self.built.model)

    def objective_scale(self) -> int:
        return objective_scale(self.built.model)

    def _verdict(self, results: Any) -> tuple[Status, str]:
        """The status and HiGHS's words for it."""
        status = _status(results.termination_condition)
        highs_status = self.highs.modelStatusToString(self.highs.getModelStatus())
        if status is Status.TIME_LIMIT:
            limit = self.options.time_limit
            what = (
                f"the time limit of {limit:g} s"
                if results.termination_condition.name == "maxTimeLimit" and limit is not None
                else "an iteration limit"
            )
            return status, f"stopped at {what} before proving optimality (HiGHS: {highs_status})"
        errors = [line.strip() for line in (results.solver_log or "").splitlines() if line.startswith("ERROR")]
        return status, "; ".join([f"HiGHS: {highs_status}"] + errors)

    def method(self) -> str:
        """HiGHS's `solver` option for this model."""
        if self.options.method != "auto":
            return self.options.method
        return "ipm" if self.highs is not None and self.highs.getNumCol() >= IPM_FROM_COLUMNS else "simplex"

    def write_model(self, path: str | os.PathLike[str]) -> None:
        """Write the LP as HiGHS sees it (.mps or .lp) for another solver, its columns and rows
        named after the model's components (`build(USA,2,2027)`, `capacity(USA,2,2027)`)."""
        with quiet_stdout():
            self._hand_to_highs()
            if self._direct is not None:
                self._direct.update()
            self._name_columns_and_rows()
            self.highs.writeModel(str(path))

    def _name_columns_and_rows(self) -> None:
        highs, used = self.highs, set[str]()
        if self._direct is not None:
            for col, var in enumerate(self._direct.columns):
                highs.passColName(col, _mps_name(var.name, used))
            for row, con in enumerate(self._direct.rows):
                highs.passRowName(row, _mps_name(con.name, used))
            return
        solver = self._solver
        for var_id, col in solver._pyomo_var_to_solver_var_map.items():
            highs.passColName(col, _mps_name(solver._vars[var_id][0].name, used))
        for con, row in solver._pyomo_con_to_solver_con_map.items():
            highs.passRowName(row, _mps_name(con.name, used))

    def basis(self) -> Any:
        """HiGHS's basis after the last solve (None before the first), to start a later solve from."""
        return None if self.highs is None else self.highs.getBasis()

    def start_from(self, basis: Any) -> None:
        """The next solve starts from `basis` (one of this model's, from `basis()`), not the last one."""
        if basis is not None and basis.valid and self.highs is not None:
            try:
                self.highs.setBasis(basis)
            except HighsRefused:  # a basis HiGHS cannot take: start cold instead
                self.highs.clearSolver()

    def start_cold(self) -> None:
        """The next solve starts without a basis (HiGHS presolves anew), not from the last one."""
        if self.highs is not None:
            self.highs.clearSolver()

    @property
    def highs(self) -> Any:
        """The highspy model (after the first solve), for exports and diagnostics."""
        if self._direct is not None:
            return self._direct.highs
        return None if self._solver is None else self._solver._solver_model


def _check_persistent(solver: Any) -> None:
    """Pyomo's persistent interface ignores the status of its calls: after the hand-over, check that
    HiGHS holds every column and row, and give each helper that later sends changes a CheckedHighs."""
    raw = solver._solver_model
    held = (raw.getNumCol(), raw.getNumRow())
    wanted = (len(solver._pyomo_var_to_solver_var_map), len(solver._pyomo_con_to_solver_con_map))
    if held != wanted:
        raise HighsRefused(f"HiGHS refused the model: it holds {held[0]} columns and {held[1]} rows of {wanted}")
    checked = CheckedHighs(raw)
    solver._solver_model = checked
    objective = solver._mutable_objective
    helpers = [h for hs in solver._mutable_helpers.values() for h in hs]
    helpers += [h for _, h in solver._mutable_bounds.values()]
    if objective is not None:
        helpers += [objective, objective.constant, *objective.linear_coefs]
    for helper in helpers:
        if getattr(helper, "highs", None) is raw:
            helper.highs = checked


def _interrupted() -> Any:
    import highspy

    return highspy.HighsModelStatus.kInterrupt


@dataclass
class _Ran:
    termination_condition: Any
    solver_log: str


def _termination(model_status: Any) -> Any:
    """Pyomo's termination condition for a HiGHS model status, as its persistent interface maps it."""
    import highspy
    from pyomo.contrib.solver.common.results import TerminationCondition as T

    s = highspy.HighsModelStatus
    return {
        s.kOptimal: T.convergenceCriteriaSatisfied,
        s.kInfeasible: T.provenInfeasible,
        s.kUnboundedOrInfeasible: T.infeasibleOrUnbounded,
        s.kUnbounded: T.unbounded,
        s.kTimeLimit: T.maxTimeLimit,
        s.kIterationLimit: T.iterationLimit,
        s.kSolutionLimit: T.iterationLimit,
        s.kObjectiveBound: T.objectiveLimit,
        s.kObjectiveTarget: T.objectiveLimit,
        s.kLoadError: T.error,
        s.kModelError: T.error,
        s.kPresolveError: T.error,
        s.kSolveError: T.error,
        s.kPostsolveError: T.error,
    }.get(model_status, T.unknown)


PENALTY_FLOOR = 1e-3  # smallest discounted penalty (million USD per t) solved without scaling the objective
SPAN_LIMIT = 1e7  # largest ratio of discount factors over the years with demand


def _demand_discounts(m: pyo.ConcreteModel) -> list[float]:
    return [pyo.value(m.discount[y]) for y in sorted({y for (_, _, y) in m.u})]


def objective_scale(m: pyo.ConcreteModel, in_objective: bool = False) -> int:
    """Power of two that lifts the smallest discounted penalty to about 1 when
    discounting pushes it towards HiGHS's tolerances (1e-7); 0 otherwise. Only
    for the cost objective (its own, or `in_objective`: one that sums it); scaling
    never changes the optimal plan."""
    discounts = _demand_discounts(m)
    penalties = [p for p in (pyo.value(m.unmet_penalty), pyo.value(m.shortfall_penalty)) if p > 0]
    if not (m.objective.active or in_objective) or not discounts or not penalties:
        return 0
    floor = min(discounts) * min(penalties)
    return 0 if floor >= PENALTY_FLOOR or floor <= 0 else min(64, math.ceil(math.log2(1 / floor)))


def unreliable(m: pyo.ConcreteModel, in_objective: bool = False) -> str | None:
    """Why HiGHS cannot be trusted with this objective (or `in_objective`: one that sums it), or None."""
    years = sorted({y for (_, _, y) in m.u})
    discounts = _demand_discounts(m)
    if not (m.objective.active or in_objective) or not discounts:
        return None
    span = max(discounts) / min(discounts) if min(discounts) > 0 else math.inf
    if span <= SPAN_LIMIT:
        return None
    return (
        f"numerically unreliable: discount factors over the years with demand ({years[0]}-{years[-1]}) span "
        f"{span:.1e}, more than HiGHS's tolerances resolve ({SPAN_LIMIT:.0e}); a solve could report a wrong "
        "optimum. Shorten the horizon or lower discount_rate"
    )


@contextlib.contextmanager
def deferred_signals(on_signal: Callable[[], None]) -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM only call on_signal(); when it
    ends, the first one is raised again under the previous handlers. Signals
    the process ignores stay ignored; outside the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def record(signum: int, frame: FrameType | None) -> None:
        if not caught:
            caught.append(signum)
        on_signal()

    previous: dict[Any, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, record)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])


def forked_worker() -> None:
    """In a process forked from a solving parent: a lock of Pyomo's own (the output-capture lock is
    shared across fork; a worker killed while holding it would leave the parent's next solve waiting)."""
    from pyomo.common import dependencies

    dependencies.capture_output_lock = threading.Lock()
