"""The direct path to HiGHS: a built Pyomo model compiled once to a matrix and handed over in one call.

A re-solve re-reads only what can change on a built model, compares it with what HiGHS holds and
sends the differences in bulk: the rows whose expressions hold a mutable parameter that changed
(coefficients and bounds), the objective that is active (its costs, offset and sense) and the
variables' bounds (`setlb`/`setub`/`fix`). Rows and columns keep Pyomo's order (rows as the model
lists its active constraints, columns as they are first met), so a constraint's dual is its row's.
"""

from __future__ import annotations

from itertools import compress
from operator import attrgetter, itemgetter
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
import pyomo.environ as pyo
from pyomo.core.expr.numvalue import is_constant
from pyomo.core.expr.visitor import identify_mutable_parameters
from pyomo.repn import generate_standard_repn
from pyomo.repn.linear import LinearRepnVisitor

from .highs import HighsRefused

INF = highspy.kHighsInf
INFINITE_COST = 1e20  # HiGHS's option infinite_cost: a cost this large is taken as infinite
RAW = attrgetter("_lb", "_ub", "_fixed")  # the VarData slots a variable's bounds are set through
Floats = npt.NDArray[np.float64]


class _FirstSeen:
    """Columns in the order the walker meets them (Pyomo's persistent interface adds them so)."""

    def __init__(self) -> None:
        self.var_map: dict[int, Any] = {}

    def add(self, var: Any) -> None:
        self.var_map[id(var)] = var


def _bound(x: Any, missing: float) -> float:
    return missing if x is None else float(pyo.value(x))


class DirectModel:
    """One Pyomo model as one HiGHS LP, kept in step with the model's parameters and bounds."""

    def __init__(self, model: pyo.ConcreteModel, highs: Any):
        self.model, self.highs = model, highs
        self._recorder = _FirstSeen()
        fixed = [v for v in model.component_data_objects(pyo.Var, descend_into=True) if v.fixed]
        for v in fixed:
            v.unfix()
        try:
            visitor = self._visitor()
            self.rows = list(model.component_data_objects(pyo.Constraint, descend_into=True, active=True))
            walked = [self._walk_row(visitor, con) for con in self.rows]
            self.objectives = list(model.component_data_objects(pyo.Objective, descend_into=True))
            costs = [self._walk(visitor, obj.expr) for obj in self.objectives]
            found = [list(identify_mutable_parameters(con.expr)) for con in self.rows]
            mutable = {r: _mutable_entries(con) for r, con in enumerate(self.rows) if found[r]}
        finally:
            for v in fixed:
                v.fix()
        self.columns = list(self._recorder.var_map.values())
        self._col_of = {id(v): i for i, v in enumerate(self.columns)}
        n = len(self.columns)
        self._params = [
            p for c in model.component_objects(pyo.Param, descend_into=True) if c.mutable for p in c.values()
        ]
        self._param_values = self._read_params()
        param_index = {id(p): i for i, p in enumerate(self._params)}
        self._rows_of_param: list[list[int]] = [[] for _ in self._params]
        self._coefs: dict[int, dict[int, float]] = {}  # parameter rows: column -> coefficient
        for r, params in enumerate(found):
            for p in params:
                self._rows_of_param[param_index[id(p)]].append(r)
            if params:
                self._coefs[r] = {self._col_of[i]: c for i, c in walked[r][0].items()}
        self._mutable = [(r, self._col_of[i]) for r, ids in mutable.items() for i in ids]
        self._mutable_of = {r: {self._col_of[i] for i in ids} for r, ids in mutable.items()}
        self._objective_params = [
            {param_index[id(p)] for p in identify_mutable_parameters(obj.expr)} for obj in self.objectives
        ]
        self._stale: set[int] = set()  # objectives whose parameters changed since they were walked
        self._objective_costs = [self._dense(linear) for linear, _ in costs]
        self._objective_offsets = [offset for _, offset in costs]
        self.row_lower = np.array([lo for _, lo, _ in walked], dtype=np.float64)
        self.row_upper = np.array([hi for _, _, hi in walked], dtype=np.float64)
        self.col_lower, self.col_upper = np.full(n, -INF), np.full(n, INF)
        plain = (type(None), int, float)
        dynamic = [not (type(v._lb) in plain and type(v._ub) in plain) for v in self.columns]
        self._dynamic = np.flatnonzero(dynamic)  # bounds that are expressions: re-read on every update
        self._plain = [v for v, d in zip(self.columns, dynamic, strict=True) if not d]
        self._plain_index = np.flatnonzero(np.logical_not(dynamic))
        self._raw = list(map(RAW, self._plain))
        self._free = np.ones(n, dtype=bool)
        self._update_column_bounds(np.arange(n))
        self._active = self._active_objective()
        self.cost = self._objective_costs[self._active].copy() if self._active >= 0 else np.zeros(n)
        self._pass(walked)

    def _visitor(self) -> LinearRepnVisitor:
        """A walker with an empty cache of named expressions (they hold parameter values)."""
        return LinearRepnVisitor({}, var_recorder=self._recorder)

    def _walk(self, visitor: LinearRepnVisitor, expr: Any) -> tuple[dict[int, float], float]:
        repn = visitor.walk_expression(expr)
        if repn.nonlinear is not None:
            raise ValueError("the direct path to HiGHS takes linear models only")
        return {i: float(c) for i, c in repn.linear.items()}, float(repn.constant)

    def _walk_row(self, visitor: LinearRepnVisitor, con: Any) -> tuple[dict[int, float], float, float]:
        lower, body, upper = con.to_bounded_expression()
        linear, constant = self._walk(visitor, body)
        return linear, _bound(lower, -INF) - constant, _bound(upper, INF) - constant

    def _dense(self, linear: dict[int, float]) -> Floats:
        cost = np.zeros(len(self.columns))
        for i, c in linear.items():
            cost[self._col_of[i]] += c
        return cost

    def _pass(self, walked: list[tuple[dict[int, float], float, float]]) -> None:
        """The whole LP in one call (rows as CSR; sense and offset follow in _push_objective)."""
        _finite_costs("passModel", self.cost)
        col_of = self._col_of
        starts = np.zeros(len(self.rows) + 1, dtype=np.int32)
        index: list[int] = []
        values: list[float] = []
        for r, (linear, _, _) in enumerate(walked):
            for i, c in linear.items():
                if c:
                    index.append(col_of[i])
                    values.append(c)
            starts[r + 1] = len(index)
        _no_nan("passModel", np.array(values, dtype=np.float64), self.row_lower, self.row_upper)
        self.highs.passModel(
            len(self.columns),
            len(self.rows),
            len(index),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            self.cost,
            self.col_lower,
            self.col_upper,
            self.row_lower,
            self.row_upper,
            starts[:-1],
            np.array(index, dtype=np.int32),
            np.array(values, dtype=np.float64),
            np.zeros(len(self.columns), dtype=np.int32),  # all continuous
        )
        self._push_objective()

    def _push_objective(self) -> None:
        h = self.highs
        if self._active < 0:
            h.changeObjectiveSense(highspy.ObjSense.kMinimize)
            h.changeObjectiveOffset(0.0)
            return
        obj = self.objectives[self._active]
        sense = highspy.ObjSense.kMaximize if obj.sense == pyo.maximize else highspy.ObjSense.kMinimize
        h.changeObjectiveSense(sense)
        h.changeObjectiveOffset(self._objective_offsets[self._active])

    def _active_objective(self) -> int:
        active = [i for i, obj in enumerate(self.objectives) if obj.active]
        if len(active) > 1:
            raise ValueError("the direct path to HiGHS takes one active objective")
        return active[0] if active else -1

    def _read_params(self) -> Floats:
        return np.array([float(p.value) for p in self._params], dtype=np.float64)

    def _update_column_bounds(self, which: npt.NDArray[np.intp]) -> None:
        for j in which:
            v = self.columns[j]
            if v.fixed:
                self.col_lower[j] = self.col_upper[j] = float(v.value)
            else:
                lb, ub = v.bounds
                self.col_lower[j] = -INF if lb is None else float(lb)
                self.col_upper[j] = INF if ub is None else float(ub)

    def update(self) -> None:
        """Send HiGHS what changed on the model since the last call (HiGHS keeps its basis)."""
        values = self._read_params()
        changed = set(np.flatnonzero(values != self._param_values).tolist())
        self._param_values = values
        self._update_rows(sorted({r for p in changed for r in self._rows_of_param[p]}))
        self._stale |= {o for o, params in enumerate(self._objective_params) if params & changed}
        self._update_objective()
        self._update_columns()

    def _update_rows(self, rows: list[int]) -> None:
        """Re-walk the rows whose parameters changed; bounds in one call. Every coefficient that is an
        expression of parameters is sent again, changed or not, as Pyomo's persistent interface does:
        HiGHS's warm start then takes the same path (the same duals where they are not unique)."""
        h = self.highs
        if rows:
            visitor = self._visitor()
            lower, upper = self.row_lower[rows], self.row_upper[rows]
            for k, r in enumerate(rows):
                linear, lower[k], upper[k] = self._walk_row(visitor, self.rows[r])
                new = {self._col_of[i]: c for i, c in linear.items()}
                _no_nan("changeCoeff", np.fromiter(new.values(), dtype=np.float64, count=len(new)), lower[k : k + 1])
                old = self._coefs[r]
                for j in (old.keys() | new.keys()) - self._mutable_of[r]:
                    if new.get(j, 0.0) != old.get(j, 0.0):
                        self._change_coeff(r, j, new.get(j, 0.0))
                self._coefs[r] = new
            moved = np.flatnonzero((lower != self.row_lower[rows]) | (upper != self.row_upper[rows]))
            if moved.size:
                at = np.asarray(rows, dtype=np.int32)[moved]
                self.row_lower[at], self.row_upper[at] = lower[moved], upper[moved]
                h.changeRowsBounds(at.size, at, lower[moved], upper[moved])
        for r, j in self._mutable:
            self._change_coeff(r, j, self._coefs[r].get(j, 0.0))

    def _change_coeff(self, row: int, col: int, value: float) -> None:
        """One coefficient; refused, the message names the model's row and column."""
        try:
            self.highs.changeCoeff(row, col, value)
        except HighsRefused as exc:
            raise HighsRefused(f"{exc}: row {self.rows[row].name}, column {self.columns[col].name}") from None

    def _update_objective(self) -> None:
        """The active objective's costs (re-walked when its parameters changed), offset and sense."""
        active = self._active_objective()
        if active in self._stale:
            linear, offset = self._walk(self._visitor(), self.objectives[active].expr)
            self._objective_costs[active] = self._dense(linear)
            self._objective_offsets[active] = offset
            self._stale.discard(active)
        cost = self._objective_costs[active] if active >= 0 else np.zeros(len(self.columns))
        moved = np.flatnonzero(cost != self.cost)
        if moved.size:
            _finite_costs("changeColsCost", cost[moved])
            self.cost[moved] = cost[moved]
            self.highs.changeColsCost(moved.size, moved.astype(np.int32), cost[moved])
        self._active = active
        self._push_objective()

    def _update_columns(self) -> None:
        """Bounds of the columns whose bounds were set, fixed or freed (and of every fixed column, whose
        value may have moved, and every column whose bounds are expressions)."""
        raw = list(map(RAW, self._plain))
        fixed = np.fromiter(map(itemgetter(2), raw), dtype=bool, count=len(raw))
        which = [self._dynamic, self._plain_index[fixed]]
        if raw != self._raw:
            changed = [k for k, (now, before) in enumerate(zip(raw, self._raw, strict=True)) if now != before]
            which.append(self._plain_index[changed])
        self._raw = raw
        self._free[:] = True
        self._free[self._plain_index[fixed]] = False
        self._free[self._dynamic] = [not self.columns[j].fixed for j in self._dynamic]
        candidates = np.unique(np.concatenate(which)).astype(np.intp)
        if not candidates.size:
            return
        lower, upper = self.col_lower[candidates].copy(), self.col_upper[candidates].copy()
        self._update_column_bounds(candidates)
        moved = np.flatnonzero((self.col_lower[candidates] != lower) | (self.col_upper[candidates] != upper))
        if moved.size:
            at = candidates[moved].astype(np.int32)
            self.highs.changeColsBounds(at.size, at, self.col_lower[at], self.col_upper[at])

    def load(self) -> dict[Any, float]:
        """Primal values into the model's variables; the rows' duals (HiGHS's sign, as Pyomo's persistent
        interface returns them: d(objective)/d(bound))."""
        solution = self.highs.getSolution()
        free = compress(solution.col_value, self._free)
        for v, x in zip(compress(self.columns, self._free), free, strict=False):  # (compress has no length)
            v._value = x  # what set_value(x, skip_validation=True) keeps, without a stale flag per variable
        return dict(zip(self.rows, solution.row_dual, strict=True))


def _finite_costs(call: str, costs: Floats) -> None:
    """HiGHS takes a cost of |c| >= its infinite_cost (or NaN) without complaint (kOk) and then solves
    another LP: refuse it as HiGHS refuses such a coefficient."""
    bad = np.flatnonzero(~(np.abs(costs) < INFINITE_COST))
    if bad.size:
        raise HighsRefused(f"HiGHS cannot hold the cost {costs[bad[0]]:g} ({bad.size} such) in {call}")


def _no_nan(call: str, *arrays: Floats) -> None:
    """HiGHS takes NaN coefficients and bounds (kOk) and reports an optimum: refuse them."""
    if any(np.isnan(a).any() for a in arrays):
        raise HighsRefused(f"HiGHS cannot hold a NaN coefficient or bound in {call}")


def _mutable_entries(con: Any) -> list[int]:
    """The variables (ids) whose coefficient in a row is an expression of mutable parameters."""
    repn = generate_standard_repn(con.body, compute_values=False)
    return [id(v) for c, v in zip(repn.linear_coefs, repn.linear_vars, strict=True) if not is_constant(c)]
