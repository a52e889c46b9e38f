"""The two paths to HiGHS against HiGHS alone, in one run: the first hand-over and a warm re-solve.

    python benchmarks/resolve.py [WORKBOOK] [--param max_restricted_share] [--values 0.5,0.4] [--repeat 3]

First hand-over: the built model to a HiGHS model ready to run (persistent: Pyomo's set_instance;
direct: compile and passModel), interleaved, best of --repeat. Warm re-solve: the parameter is
toggled between the two values and the model re-solved (update, HiGHS, values and duals back), on
each path and on a raw highspy copy of the same LP given the same change (its changed coefficients,
bounds and costs), interleaved, best of --repeat. Prints seconds and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np
from rechain.inputs import reference_workbook
from rechain.models.highs import CaseSolver, SolveOptions, quiet_stdout
from rechain.models.model import PARAMETERS, split
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook

PATHS = ("persistent", "direct")


def _set(solver: CaseSolver, key: str, value: float) -> None:
    head, rest = split(key)
    PARAMETERS[head].apply(solver.built.model, solver.built.dataset, rest, value)


def _state(highs: Any) -> tuple[dict[tuple[int, int], float], np.ndarray, ...]:
    lp = highs.getLp()
    start, index, value = (np.asarray(a) for a in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
    cols = np.repeat(np.arange(lp.num_col_), np.diff(start))
    entries = dict(zip(zip(index.tolist(), cols.tolist(), strict=True), value.tolist(), strict=True))
    vectors = (lp.col_cost_, lp.col_lower_, lp.col_upper_, lp.row_lower_, lp.row_upper_)
    return (entries, *(np.array(v, dtype=np.float64) for v in vectors))


class _Change:
    """What one value of the parameter sends to HiGHS, as raw highspy calls."""

    def __init__(self, before: tuple[Any, ...], after: tuple[Any, ...]):
        old, new = before[0], after[0]
        moved = [key for key in old.keys() | new.keys() if old.get(key) != new.get(key)]
        self.coefs = [(r, c, new.get((r, c), 0.0)) for r, c in moved]
        self.cost = np.flatnonzero(before[1] != after[1]).astype(np.int32), after[1]
        self.cols = np.flatnonzero((before[2] != after[2]) | (before[3] != after[3])).astype(np.int32), after[2:4]
        self.rows = np.flatnonzero((before[4] != after[4]) | (before[5] != after[5])).astype(np.int32), after[4:6]

    def apply(self, h: Any) -> None:
        for r, c, v in self.coefs:
            h.changeCoeff(r, c, v)
        (at, cost), (cat, (lo, up)), (rat, (rlo, rup)) = self.cost, self.cols, self.rows
        if at.size:
            h.changeColsCost(at.size, at, cost[at])
        if cat.size:
            h.changeColsBounds(cat.size, cat, lo[cat], up[cat])
        if rat.size:
            h.changeRowsBounds(rat.size, rat, rlo[rat], rup[rat])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", type=Path, default=None)
    parser.add_argument("--param", default="max_restricted_share")
    parser.add_argument("--values", default="0.5,0.4", help="the two values a re-solve toggles between")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ds = make_dataset(load_workbook(args.workbook or reference_workbook()))
    values = [float(v) for v in args.values.split(",")]

    handover: dict[str, list[float]] = {p: [] for p in PATHS}
    for _ in range(args.repeat):
        for path in PATHS:
            solver = CaseSolver(ds, SolveOptions(path=path))
            with quiet_stdout():
                start = time.perf_counter()
                solver._hand_to_highs()
                handover[path].append(time.perf_counter() - start)

    solvers = {path: CaseSolver(ds, SolveOptions(path=path)) for path in PATHS}
    for solver in solvers.values():
        solver.solve()
    direct = solvers["direct"]
    assert direct._direct is not None
    states = []
    for value in values:
        _set(direct, args.param, value)
        direct._direct.update()
        states.append(_state(direct.highs))
    changes = [_Change(states[1], states[0]), _Change(states[0], states[1])]
    with quiet_stdout():
        raw = highspy.Highs()
        raw.setOptionValue("output_flag", False)
        raw.passModel(direct.highs.getLp())
        for name, value in direct._highs_options().items():
            raw.setOptionValue(name, value)
        changes[1].apply(raw)
        raw.run()
    warm: dict[str, list[float]] = {p: [] for p in (*PATHS, "highspy")}
    iterations: dict[str, list[int]] = {p: [] for p in warm}
    statuses = set()
    for i in range(2 * args.repeat):
        value = values[i % 2]
        for path, solver in solvers.items():
            _set(solver, args.param, value)
            start = time.perf_counter()
            statuses.add(solver.solve().status.value)
            warm[path].append(time.perf_counter() - start)
            iterations[path].append(solver.highs.getInfo().simplex_iteration_count)
        with quiet_stdout():
            start = time.perf_counter()
            changes[i % 2].apply(raw)
            raw.run()
            solution = raw.getSolution()
            np.asarray(solution.col_value), np.asarray(solution.row_dual)
            warm["highspy"].append(time.perf_counter() - start)
            iterations["highspy"].append(raw.getInfo().simplex_iteration_count)
        statuses.add(raw.modelStatusToString(raw.getModelStatus()).lower())

    best = {p: min(t) for p, t in handover.items()}
    print(f"{direct.highs.getNumCol()} columns, {direct.highs.getNumRow()} rows; best of {args.repeat}")
    print(
        f"first hand-over: persistent {best['persistent']:.3f} s, direct {best['direct']:.3f} s, "
        f"persistent/direct {best['persistent'] / best['direct']:.2f}x"
    )
    w = {p: min(t) for p, t in warm.items()}
    print(
        f"warm re-solve ({args.param} {values[0]:g} <-> {values[1]:g}): persistent {w['persistent']:.3f} s, "
        f"direct {w['direct']:.3f} s, highspy alone {w['highspy']:.3f} s"
    )
    print(
        f"ratios: persistent/highspy {w['persistent'] / w['highspy']:.2f}x, direct/highspy "
        f"{w['direct'] / w['highspy']:.2f}x, persistent/direct {w['persistent'] / w['direct']:.2f}x"
    )
    print("simplex iterations per re-solve: " + ", ".join(f"{p} {sorted(n)}" for p, n in iterations.items()))
    print(f"statuses {sorted(statuses)}")


if __name__ == "__main__":
    main()
