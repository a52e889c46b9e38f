"""What the Version 2 additions cost: build and solve times without them and with all of them.

    python benchmarks/v2.py [WORKBOOK] [--repeat 3]

(a) The workbook as loaded against the same case with every v2 field set
explicitly empty (no restricted flags, availability, circuits, stockpiles,
recipes, ramps, must-run floors or embargo): the v1 LP through today's code,
whose build + solve should stay within 1.1x of the plain case's.
(b) The case with every v2 feature, added in Python: restricted flags flipped on
two mines, a ramp (0.4, 0.7, 0.9), must-run 0.5 of existing capacity until
first_year + 1, availability rows (90% of existing extraction in the first
three years), circuits for every element at every separator (the two least
abundant elements, Dy and Tb on the reference, scarce and dear to build),
stockpiles at the protected consumers, a two-recipe product and an embargo on
the first protected bloc from mid-horizon. Model size (variables, constraints,
non-zeros) and times (wall and CPU), the run with the least CPU time of
`--repeat` runs each (taken in turn, after a warm-up solve). Measures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import defaultdict
from pathlib import Path

from rechain.inputs import reference_workbook
from rechain.models.dataset import Circuit, Dataset, Recipe, Stockpile
from rechain.models.highs import CaseSolver
from rechain.models.solution import extract
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook

COLUMNS = (
    "case",
    "variables",
    "constraints",
    "nonzeros",
    "build_s",
    "to_highs_s",
    "highs_s",
    "solve_s",
    "total_s",
    "cpu_s",
)


def without_v2(ds: Dataset) -> Dataset:
    """The case with every v2 field explicitly empty."""
    s = dataclasses.replace(ds.settings, cost_advantage_blocs=None, ramp_up=(), must_run_until_year=None, embargo={})
    facilities = {key: dataclasses.replace(f, ramp_up=None, min_utilization=0.0) for key, f in ds.facilities.items()}
    stages = tuple(dataclasses.replace(stage, ramp_up=None) for stage in ds.stages)
    return dataclasses.replace(
        ds,
        settings=s,
        stages=stages,
        facilities=facilities,
        node_restricted={},
        availability={},
        circuits={},
        stockpiles={},
        recipes={},
    )


def _circuits(ds: Dataset, heavy: list[str]) -> dict[tuple[str, str], Circuit]:
    elements = sorted({e for shares in ds.composition.values() for e, c in shares.items() if c > 0})
    circuits = {}
    for (n, k), f in sorted(ds.facilities.items()):
        if k != 2:
            continue
        capex = f.capex_usd_per_tpa or 20_000.0
        for e in elements:
            if e in heavy:
                circuits[(n, e)] = Circuit(existing_tpa=0.01 * f.existing_tpa, capex_usd_per_tpa=20 * capex)
            else:
                circuits[(n, e)] = Circuit(existing_tpa=f.existing_tpa, capex_usd_per_tpa=capex)
    return circuits


def _product(ds: Dataset, heavy: list[str], consumers: list[str]) -> tuple[dict, dict]:
    """A product demanded by the first protected consumer (10% of its first-year demand, every year),
    made by a standard recipe or (from mid-horizon, at most half) a thrifted one."""
    s = ds.settings
    if not consumers:
        return {}, {}
    first = consumers[0]
    size = 0.1 * sum(d for (m, _, y), d in ds.demand.items() if m == first and y == s.first_year) or 1.0
    main = max(ds.elements, key=lambda e: sum(d for (_, x, _), d in ds.demand.items() if x == e))
    std = Recipe({main: 0.3, **{e: 0.02 for e in heavy if e != main}})
    low = Recipe(
        {main: 0.31, **{e: 0.005 for e in heavy if e != main}},
        extra_cost_usd_per_t=20_000,
        max_share=0.5,
        available_from_year=(s.first_year + s.last_year) // 2,
    )
    demand = {(first, "Product", y): size for y in s.years}
    return demand, {"Product": {"std": std, "low": low}}


def with_v2(ds: Dataset) -> Dataset:
    """The case with every v2 feature (see the module's docstring)."""
    s = ds.settings
    abundance: defaultdict[str, float] = defaultdict(float)
    for shares in ds.composition.values():
        for e, c in shares.items():
            abundance[e] += c
    heavy = sorted(abundance, key=lambda e: abundance[e])[:2]
    mines = sorted(n for (n, k), f in ds.facilities.items() if k == 1 and f.existing_tpa > 0)
    flags = {n: n not in ds.restricted for n in mines[:2]}
    facilities = {
        key: dataclasses.replace(f, min_utilization=0.5) if f.existing_tpa > 0 else f
        for key, f in ds.facilities.items()
    }
    availability = {(n, 1, y): 0.9 * ds.facilities[(n, 1)].existing_tpa for n in mines for y in list(s.years)[:3]}
    protected = sorted(n for n, b in ds.nodes.items() if b in s.protected_blocs)
    demanded = sorted({(m, e) for (m, e, y), d in ds.demand.items() if d > 0 and y in s.years and m in protected})
    piles = {
        (m, e): Stockpile(
            max_t=0.5 * max(d for (n, x, _), d in ds.demand.items() if (n, x) == (m, e)), holding_cost_usd_per_t_yr=10
        )
        for m, e in demanded
    }
    product_demand, recipes = _product(ds, heavy, sorted({m for m, _ in demanded}))
    blocs = sorted(s.protected_blocs)
    settings = dataclasses.replace(
        s,
        ramp_up=(0.4, 0.7, 0.9),
        must_run_until_year=s.first_year + 1,
        embargo={blocs[0]: (s.first_year + s.last_year) // 2} if blocs else {},
    )
    return dataclasses.replace(
        ds,
        settings=settings,
        facilities=facilities,
        node_restricted=flags,
        availability=availability,
        circuits=_circuits(ds, heavy) if ds.last_stage >= 2 else {},
        stockpiles=piles if ds.last_stage >= 2 else {},
        demand={**ds.demand, **product_demand},
        recipes=recipes,
    )


def measure(name: str, ds: Dataset) -> dict:
    """One fresh build and solve; `cpu_s` is the process's CPU time for both (less disturbed than wall
    time by other processes on a shared machine)."""
    cpu = time.process_time()
    solver = CaseSolver(ds)
    outcome = solver.solve()
    cpu = time.process_time() - cpu
    solution = extract(solver.built, outcome, solver.build_seconds)
    return {
        "case": name,
        "status": solution.status.value,
        "variables": solver.highs.getNumCol(),
        "constraints": solver.highs.getNumRow(),
        "nonzeros": solver.highs.getNumNz(),
        "build_s": solver.build_seconds,
        "to_highs_s": outcome.translate_seconds,
        "highs_s": outcome.highs_seconds,
        "solve_s": outcome.solve_seconds,
        "total_s": solver.build_seconds + outcome.solve_seconds,
        "cpu_s": cpu,
    }


def best_of(cases: dict[str, Dataset], repeat: int) -> list[dict]:
    """After one warm-up solve, the cases in turn `repeat` times; per case the run with the least CPU time."""
    measure("warm-up", next(iter(cases.values())))
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for name, ds in cases.items():
            row = measure(name, ds)
            if name not in best or row["cpu_s"] < best[name]["cpu_s"]:
                best[name] = row
    return list(best.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ds = make_dataset(load_workbook(args.workbook or reference_workbook()))
    rows = best_of({"as loaded": ds, "v2 fields empty": without_v2(ds), "all v2 features": with_v2(ds)}, args.repeat)
    print(" | ".join(COLUMNS + ("status",)))
    for row in rows:
        print(" | ".join(f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in COLUMNS + ("status",)))
    for row in rows[1:]:
        wall, cpu = row["total_s"] / rows[0]["total_s"], row["cpu_s"] / rows[0]["cpu_s"]
        print(f"build + solve, {row['case']} over as loaded: {wall:.3f}x wall, {cpu:.3f}x CPU")


if __name__ == "__main__":
    main()
