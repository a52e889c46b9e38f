"""Same LP, other modelling layer: rechain's LP in linopy, against rechain's Pyomo build, in one run.

    python benchmarks/linopy_lp.py [--nodes 15,30,45,68,120] [--years 16] [--elements 6]
                                   [--layers rechain,linopy] [--repeat 1] [--path persistent|direct]
                                   [--csv linopy.csv]

For each size (a generated world, `rechain generate`, read into the same typed Dataset), each layer
runs in a fresh process: build the model, hand it to HiGHS (rechain: Pyomo's persistent highspy
interface; linopy: `to_highspy`), HiGHS's own run with the same options (`solver`, and rechain's
`user_objective_scale`), peak memory. Both layers build from rechain's sparse sets
(`rechain.models.network`), timed inside their build. The linopy LP is model.md's version-1 LP for
chains of two or more stages (every family the generated worlds use, and the budgets); a dataset
with version-2 data or a one-stage chain is refused. `objective_match` is True when both optimal
objectives agree to 1e-6 relative. Prints ratios rechain / linopy of the same run; asserts nothing.
`--path` is handed to rechain as RECHAIN_SOLVER_PATH (the solver path of models/highs.py, where it
has one). Needs the `[bench]` extra (linopy) unless `--layers rechain`.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from rechain.models.dataset import MONEY

LAYERS = ("rechain", "linopy")
TOLERANCE = 1e-6
# rechain.models.highs's rules for HiGHS's options (not imported: it would load Pyomo in the linopy process)
PENALTY_FLOOR = 1e-3
IPM_FROM_COLUMNS = 100_000
MEASURES = ("build_s", "to_highs_s", "build_to_highs_s", "build_to_highs_cpu_s", "highs_s", "peak_mib")
RATIOS = ("build_to_highs_s", "build_to_highs_cpu_s", "build_s", "highs_s", "peak_mib")
COLUMNS = (
    ["nodes", "variables", "constraints"]
    + [f"{layer}_{m}" for layer in LAYERS for m in MEASURES]
    + [f"{m}_ratio" for m in RATIOS]
    + ["objective_rel_diff", "objective_match", "status"]
)


def unsupported(ds) -> list[str]:
    """What this linopy LP does not model, for a dataset."""
    found = [
        name for name in ("node_restricted", "availability", "circuits", "stockpiles", "recipes") if getattr(ds, name)
    ]
    s = ds.settings
    if s.ramp_up or any(f.ramp_up for f in ds.facilities.values()) or any(st.ramp_up for st in ds.stages):
        found.append("ramp_up")
    if any(f.min_utilization for f in ds.facilities.values()):
        found.append("min_utilization")
    if s.embargo:
        found.append("embargo")
    if ds.last_stage < 2:
        found.append("a one-stage chain")
    return found


class Rows:
    """The terms of one family of rows, gathered per variable: (row, position, coefficient)."""

    def __init__(self, count: int):
        self.count = count
        self.terms: dict[str, tuple[list[int], list[int], list[float]]] = defaultdict(lambda: ([], [], []))

    def new(self) -> int:
        """A new row; its number."""
        self.count += 1
        return self.count - 1

    def add(self, var: str, row: int, position: int, coefficient: float = 1.0) -> None:
        rows, positions, coefficients = self.terms[var]
        rows.append(row)
        positions.append(position)
        coefficients.append(coefficient)

    def expression(self, model, name: str):
        """Σ coefficient · var[position] per row, as one linopy expression over the dimension `name`."""
        import pandas as pd
        import xarray as xr

        index = pd.RangeIndex(self.count, name=name)
        total = None
        for var, (rows, positions, coefficients) in self.terms.items():
            variable = model.variables[var]
            dim = variable.dims[0]
            term = f"{name}_{var}"
            at = xr.DataArray(np.asarray(positions), dims=term)
            picked = variable.isel({dim: at})
            summed = (
                (picked * np.asarray(coefficients)).groupby(xr.DataArray(np.asarray(rows), dims=term, name=name)).sum()
            )
            summed = summed.reindex({name: index}).fillna(0)
            total = summed if total is None else total + summed
        return total


def discounts(ds) -> dict[int, float]:
    """df_y = (1 + r)^−(y − y0), as rechain.models.formulation.discount_factors (which would load Pyomo)."""
    s = ds.settings
    return {y: (1 + s.discount_rate) ** -(y - s.first_year) for y in s.years}


def objective_scale(ds, net) -> int:
    """rechain's `user_objective_scale` (models/highs.objective_scale) from the dataset."""
    s, df = ds.settings, discounts(ds)
    factors = [df[y] for y in sorted({y for (_, _, y) in net.demand_rows})]
    penalties = [p * MONEY for p in (s.unmet_penalty_usd_per_t, s.shortfall_penalty_usd_per_t) if p > 0]
    if not factors or not penalties:
        return 0
    floor = min(factors) * min(penalties)
    return 0 if floor >= PENALTY_FLOOR or floor <= 0 else min(64, math.ceil(math.log2(1 / floor)))


class LinopyLP:
    """model.md's version-1 LP (two or more stages) in linopy, family by family as models/ builds it."""

    def __init__(self, ds):
        import linopy
        from rechain.models.network import build_network

        missing = unsupported(ds)
        if missing:
            raise ValueError(f"the linopy LP does not model {', '.join(missing)}")
        self.ds, self.net, self.m = ds, build_network(ds), linopy.Model()
        s, net = ds.settings, self.net
        self.years, self.blocs = list(s.years), list(ds.blocs)
        self.builds, self.bundles, self.arcs = net.builds, list(net.bundle_arcs), list(net.element_arcs)
        self.year_at = {y: i for i, y in enumerate(self.years)}
        self.bloc_at = {b: i for i, b in enumerate(self.blocs)}
        self.by_bloc_year = {key: i for i, key in enumerate((b, y) for b in self.blocs for y in self.years)}
        self.facility_years = {key: i for i, key in enumerate((n, k, y) for n, k in net.facilities for y in self.years)}
        self.phi = {b: s.restricted_cost_factor if b in ds.cost_advantage_blocs else 1.0 for b in self.blocs}
        self.kappa = {b: ds.capex_factor.get(b, 1.0) for b in self.blocs}
        self._index_flows()
        self._requirement()
        self._variables()
        self.add_capacity()
        self.add_balances()
        self.add_demand()
        self.add_independence()
        self.add_cost_aggregates()
        self.add_budget()
        self.add_objective()

    def _index_flows(self) -> None:
        """Throughput terms q[n,k,y]; flows out of (n,k,e,p,y), into (m,k,e,p,y), delivered to (m,e,y)."""
        fy, kbar = self.facility_years, self.ds.last_stage
        self.q = Rows(len(fy))
        self.out_of, self.into, self.delivered = defaultdict(list), defaultdict(list), defaultdict(list)
        self.bundles_in = defaultdict(list)
        for j, (n, mm, y) in enumerate(self.bundles):
            self.q.add("g", fy[(n, 1, y)], j)
            self.q.add("g", fy[(mm, 2, y)], j)
            self.bundles_in[(mm, y)].append(j)
        for j, (n, mm, k, e, p, y) in enumerate(self.arcs):
            self.out_of[(n, k, e, p, y)].append(j)
            if k < kbar:
                self.q.add("h", fy[(mm, k + 1, y)], j)
                self.into[(mm, k + 1, e, p, y)].append(j)
            else:
                self.delivered[(mm, e, y)].append(j)
        self.throughput = sorted({r for rows, _, _ in self.q.terms.values() for r in rows})
        self.through_at = {r: i for i, r in enumerate(self.throughput)}

    def _requirement(self) -> None:
        s = self.ds.settings
        protected = {n for n, bloc in self.ds.nodes.items() if bloc in s.protected_blocs}
        self.required, self.consumers = defaultdict(float), defaultdict(list)
        for (c, e, y), d in self.net.demand_rows.items():
            if c in protected and y >= s.first_independence_year:
                self.required[(e, y)] += d
                self.consumers[(e, y)].append(c)
        self.independence = sorted(self.required)

    def _variables(self) -> None:
        ds = self.ds
        upper = np.array([ds.facilities[(n, k)].max_build_tpa_per_year or np.inf for n, k, _ in self.builds])
        self.variables("build", len(self.builds), upper if self.builds else np.inf)
        self.variables("g", len(self.bundles))
        self.variables("h", len(self.arcs))
        self.variables("u", len(self.net.demand_rows))
        self.variables("s", len(self.independence))
        for name in ("CAPEX", "FOM", "OPEX"):
            self.variables(name, len(self.by_bloc_year), lower=-np.inf)
        self.variables("SALV", len(self.blocs), lower=-np.inf)
        for name in ("TRANSPORT", "TARIFF", "UNMET", "SHORTFALL"):
            self.variables(name, len(self.years), lower=-np.inf)

    def variables(self, name: str, count: int, upper=np.inf, lower=0.0) -> None:
        import pandas as pd

        self.m.add_variables(lower=lower, upper=upper, coords=[pd.RangeIndex(count, name=name)], name=name)

    def constraint(self, rows: Rows, name: str, sign: str, rhs) -> None:
        """Σ terms of each row (sign) rhs, one constraint family named `name` (no rows: none)."""
        import xarray as xr

        if rows.count:
            lhs = rows.expression(self.m, name)
            bound = xr.DataArray(np.broadcast_to(np.asarray(rhs, dtype=float), rows.count), dims=name)
            self.m.add_constraints(lhs, sign, bound, name=name)

    def add_capacity(self) -> None:
        """q − Σ builds in service ≤ existing (rows with throughput); Σ_y build ≤ max_tpa − existing."""
        ds, fy, at = self.ds, self.facility_years, self.through_at
        capacity = Rows(len(self.throughput))
        for var, (rows, positions, coefficients) in self.q.terms.items():
            for r, j, c in zip(rows, positions, coefficients, strict=True):
                capacity.add(var, at[r], j, c)
        ceiling = defaultdict(list)
        for j, (n, k, y0) in enumerate(self.builds):
            ceiling[(n, k)].append(j)
            for y in self.years:
                r = fy[(n, k, y)]
                if y0 + ds.facilities[(n, k)].lead_time_years <= y and r in at:
                    capacity.add("build", at[r], j, -1.0)
        keys = list(fy)
        self.constraint(capacity, "capacity", "<=", [ds.facilities[keys[r][:2]].existing_tpa for r in self.throughput])
        limited = [(key, js) for key, js in ceiling.items() if ds.facilities[key].max_tpa is not None]
        rows = Rows(len(limited))
        for i, (_, js) in enumerate(limited):
            for j in js:
                rows.add("build", i, j)
        room = [ds.facilities[key].max_tpa - ds.facilities[key].existing_tpa for key, _ in limited]
        self.constraint(rows, "max_capacity", "<=", room)

    def add_balances(self) -> None:
        """Separation (stage 2, bundles by composition) and element stages k ≥ 3, by provenance."""
        from rechain.models.dataset import CLEAN, MIXED

        ds, restricted = self.ds, self.ds.restricted
        separation, stages = Rows(0), Rows(0)
        for (n, k, e, p, y), out in self.out_of.items():
            rows = separation if k == 2 else stages
            r = rows.new()
            for j in out:
                rows.add("h", r, j)
            if k == 2:
                for j in self.bundles_in.get((n, y), []):
                    src = self.bundles[j][0]
                    share = ds.composition[src].get(e, 0)
                    if share > 0 and (n in restricted or (src in restricted) == (p == MIXED)):
                        rows.add("g", r, j, -ds.stage_yield(2) * share)
                continue
            for j in (
                j for pp in ((CLEAN, MIXED) if n in restricted else (p,)) for j in self.into.get((n, k, e, pp, y), [])
            ):
                rows.add("h", r, j, -ds.stage_yield(k))
        self.constraint(separation, "separation_balance", "<=", 0.0)
        self.constraint(stages, "element_stage_balance", "<=", 0.0)

    def add_demand(self) -> None:
        """Σ delivered + u = demand_factor · D (two or more stages)."""
        rows = Rows(len(self.net.demand_rows))
        for i, key in enumerate(self.net.demand_rows):
            for j in self.delivered.get(key, []):
                rows.add("h", i, j)
            rows.add("u", i, i)
        self.constraint(rows, "demand", "==", [self.ds.demand_factor * d for d in self.net.demand_rows.values()])

    def add_independence(self) -> None:
        """Clean deliveries to protected consumers + s ≥ (1 − α) · demand_factor · protected demand."""
        from rechain.models.dataset import CLEAN

        ds = self.ds
        rows = Rows(len(self.independence))
        for i, (e, y) in enumerate(self.independence):
            for c in self.consumers[(e, y)]:
                for j in self.delivered.get((c, e, y), []):
                    if self.arcs[j][4] == CLEAN:
                        rows.add("h", i, j)
            rows.add("s", i, i)
        share = (1 - ds.settings.max_restricted_share) * ds.demand_factor
        self.constraint(rows, "independence", ">=", [share * self.required[key] for key in self.independence])

    def add_cost_aggregates(self) -> None:
        """aggregate − Σ its terms = constant (FOM: fixed O&M of existing capacity), million USD."""
        capex, fom, opex = (Rows(len(self.by_bloc_year)) for _ in range(3))
        salv = Rows(len(self.blocs))
        self._facility_costs(capex, fom, opex, salv)
        fom_existing = np.zeros(len(self.by_bloc_year))
        for n, k, y in self.facility_years:
            f = self.ds.facilities[(n, k)]
            fom_existing[self.by_bloc_year[(self.ds.nodes[n], y)]] += f.fixed_om_usd_per_tpa_yr * MONEY * f.existing_tpa
        transport, tariff, unmet, shortfall = self._yearly_costs()
        for name, rows, constant in (
            ("CAPEX", capex, 0.0),
            ("FOM", fom, fom_existing),
            ("OPEX", opex, 0.0),
            ("SALV", salv, 0.0),
            ("TRANSPORT", transport, 0.0),
            ("TARIFF", tariff, 0.0),
            ("UNMET", unmet, 0.0),
            ("SHORTFALL", shortfall, 0.0),
        ):
            rows.terms[name] = (list(range(rows.count)), list(range(rows.count)), [1.0] * rows.count)
            self.constraint(rows, f"define_{name}", "==", constant)

    def _facility_costs(self, capex: Rows, fom: Rows, opex: Rows, salv: Rows) -> None:
        ds, net, by = self.ds, self.net, self.by_bloc_year
        for j, (n, k, y) in enumerate(self.builds):
            f, bloc = ds.facilities[(n, k)], ds.nodes[n]
            cost = f.capex_usd_per_tpa * MONEY
            capex.add("build", by[(bloc, y)], j, -cost)
            if net.salvage[(n, k, y)] > 0:
                salv.add("build", self.bloc_at[bloc], j, -cost * net.salvage[(n, k, y)])
            for y1 in self.years if f.fixed_om_usd_per_tpa_yr else ():
                if y + f.lead_time_years <= y1:
                    fom.add("build", by[(bloc, y1)], j, -f.fixed_om_usd_per_tpa_yr * MONEY)
        keys = list(self.facility_years)
        rate = {r: ds.facilities[keys[r][:2]].opex_usd_per_t * MONEY for r in self.throughput}
        for var, (rows, positions, coefficients) in self.q.terms.items():
            for r, j, c in zip(rows, positions, coefficients, strict=True):
                if rate[r]:
                    n, _, y = keys[r]
                    opex.add(var, by[(ds.nodes[n], y)], j, -rate[r] * c)

    def _yearly_costs(self) -> tuple[Rows, Rows, Rows, Rows]:
        transport, tariff, unmet, shortfall = (Rows(len(self.years)) for _ in range(4))
        at = self.year_at
        for var, keys, table in (("g", self.bundles, self.net.bundle_arcs), ("h", self.arcs, self.net.element_arcs)):
            for j, key in enumerate(keys):
                cost, duty = table[key]
                if cost:
                    transport.add(var, at[key[-1]], j, -cost * MONEY)
                if duty:
                    tariff.add(var, at[key[-1]], j, -duty * MONEY)
        for i, (_, _, y) in enumerate(self.net.demand_rows):
            unmet.add("u", at[y], i, -1.0)
        for i, (_, y) in enumerate(self.independence):
            shortfall.add("s", at[y], i, -1.0)
        return transport, tariff, unmet, shortfall

    def add_budget(self) -> None:
        """Σ φ·κ·CAPEX over the budget blocs (total, each year) or one bloc ≤ its budget."""
        ds, s, years = self.ds, self.ds.settings, self.years
        covered = [b for b in self.blocs if b in ds.budget_blocs]
        budgets = []
        if s.budget_usd is not None:
            budgets.append(([(b, y) for b in covered for y in years], s.budget_usd))
        if s.annual_budget_usd is not None:
            budgets += [([(b, y) for b in covered], s.annual_budget_usd) for y in years]
        budgets += [([(bb.bloc, y) for y in years], bb.budget_usd) for bb in ds.bloc_budgets if bb.bloc in self.bloc_at]
        rows = Rows(len(budgets))
        for i, (cells, _) in enumerate(budgets):
            for b, y in cells:
                rows.add("CAPEX", i, self.by_bloc_year[(b, y)], self.phi[b] * self.kappa[b])
        self.constraint(rows, "budget", "<=", [usd * MONEY for _, usd in budgets])

    def add_objective(self) -> None:
        """Σ_y df_y·[Σ_b φ_b(κ_b·CAPEX + FOM + ω_b·OPEX) + TRANSPORT + TARIFF + πu·UNMET + πs·SHORTFALL]
        − df_yN·Σ_b φ_b·κ_b·SALV."""
        ds, s, df, phi, kappa = self.ds, self.ds.settings, discounts(self.ds), self.phi, self.kappa
        blocs_years, years = list(self.by_bloc_year), self.years
        weights = {
            "CAPEX": [df[y] * phi[b] * kappa[b] for b, y in blocs_years],
            "FOM": [df[y] * phi[b] for b, y in blocs_years],
            "OPEX": [df[y] * phi[b] * ds.opex_factor.get(b, 1.0) for b, y in blocs_years],
            "TRANSPORT": [df[y] for y in years],
            "TARIFF": [df[y] for y in years],
            "UNMET": [df[y] * s.unmet_penalty_usd_per_t * MONEY for y in years],
            "SHORTFALL": [df[y] * s.shortfall_penalty_usd_per_t * MONEY for y in years],
            "SALV": [-df[years[-1]] * phi[b] * kappa[b] for b in self.blocs],
        }
        self.m.add_objective(sum((self.m.variables[name] * np.array(w)).sum() for name, w in weights.items()))


def measure_rechain(path: Path, solve: bool = True) -> dict:
    """Build, hand over, solve with rechain (Pyomo, the persistent highspy interface)."""
    import pyomo.environ as pyo
    from rechain.models.highs import CaseSolver
    from rechain.workbook.cases import make_dataset
    from rechain.workbook.validate import load_workbook

    ds = make_dataset(load_workbook(path))
    start, cpu = time.perf_counter(), time.process_time()
    solver = CaseSolver(ds)
    build = time.perf_counter() - start
    if not solve:
        handed = solver._hand_to_highs()
        return _not_solved(build, handed, cpu, solver.highs)
    outcome = solver.solve()
    highs = solver.highs
    return {
        "build_s": build,
        "to_highs_s": outcome.translate_seconds,
        "highs_s": outcome.highs_seconds,
        "variables": highs.getNumCol(),
        "constraints": highs.getNumRow(),
        "objective": pyo.value(solver.built.model.objective),
        "status": outcome.status.value,
        "method": solver.method(),
    }


def _not_solved(build: float, handed: float, cpu: float, highs) -> dict:
    """A --build-only row: build and hand-over times, CPU seconds since `cpu`, the LP's size."""
    return {
        "build_s": build,
        "to_highs_s": handed,
        "build_to_highs_cpu_s": time.process_time() - cpu,
        "highs_s": None,
        "objective": None,
        "status": "not solved",
        "variables": highs.getNumCol(),
        "constraints": highs.getNumRow(),
    }


def measure_linopy(path: Path, solve: bool = True) -> dict:
    """Build in linopy, hand over with `to_highspy`, run HiGHS with rechain's options."""
    import highspy
    import linopy  # imports are not timed, as for rechain
    from rechain.workbook.cases import make_dataset
    from rechain.workbook.validate import load_workbook

    ds = make_dataset(load_workbook(path))
    linopy.Model()  # xarray's lazy imports on a first model are not timed either
    start, cpu = time.perf_counter(), time.process_time()
    lp = LinopyLP(ds)
    built = time.perf_counter()
    highs = lp.m.to_highspy()
    handed = time.perf_counter()
    if not solve:
        return _not_solved(built - start, handed - built, cpu, highs)
    method = "ipm" if highs.getNumCol() >= IPM_FROM_COLUMNS else "simplex"
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", method)
    highs.setOptionValue("user_objective_scale", objective_scale(ds, lp.net))
    run = time.perf_counter()
    highs.run()
    ran = time.perf_counter()
    optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return {
        "build_s": built - start,
        "to_highs_s": handed - built,
        "highs_s": ran - run,
        "variables": highs.getNumCol(),
        "constraints": highs.getNumRow(),
        "objective": highs.getInfo().objective_function_value,
        "status": "optimal" if optimal else highs.modelStatusToString(highs.getModelStatus()),
        "method": method,
    }


def measure(layer: str, path: Path, solve: bool = True) -> dict:
    row = (measure_rechain if layer == "rechain" else measure_linopy)(path, solve)
    row["build_to_highs_s"] = row["build_s"] + row["to_highs_s"]
    row.setdefault("build_to_highs_cpu_s", None)  # measured with --build-only (HiGHS's threads not counted)
    row["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def child(layer: str, path: Path, env: dict, solve: bool) -> dict:
    """One layer on one workbook in a fresh process: its row, or an "error" entry."""
    flags = [] if solve else ["--build-only"]
    done = subprocess.run(
        [sys.executable, __file__, "--one", layer, str(path), *flags], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def combine(nodes: int, runs: dict[str, dict]) -> dict:
    """One table row from the layers' rows: their measures, ratios rechain / linopy, the objective check."""
    first = next(iter(runs.values()))
    row: dict = {"nodes": nodes, "variables": first["variables"], "constraints": first["constraints"]}
    for layer, run in runs.items():
        row.update({f"{layer}_{m}": run[m] for m in MEASURES})
    row["status"] = "/".join(run["status"] for run in runs.values())
    if len(runs) == 2:
        a, b = runs["rechain"], runs["linopy"]
        for m in RATIOS:
            row[f"{m}_ratio"] = a[m] / b[m] if a[m] is not None and b[m] else None
        if a["objective"] is None or b["objective"] is None:
            return row
        diff = abs(a["objective"] - b["objective"]) / max(abs(a["objective"]), 1.0)
        row["objective_rel_diff"] = diff
        row["objective_match"] = diff <= TOLERANCE and a["variables"] == b["variables"]
    return row


def run_size(n: int, args: argparse.Namespace, layers: list[str]) -> dict | None:
    """One generated world, each layer `--repeat` times in turn, in fresh processes; the fastest run each."""
    from rechain.workbook.generate import world, write_world

    best: dict[str, dict] = {}
    env = dict(os.environ, **({"RECHAIN_SOLVER_PATH": args.path} if args.path else {}))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.xlsx"
        write_world(path, world(n, args.years, args.elements, seed=n))
        for _ in range(args.repeat):
            for layer in layers:
                run = child(layer, path, env, not args.build_only)
                if "error" in run:
                    print(f"nodes={n} {layer}: failed\n{run['error']}")
                    return None
                if layer not in best or run["build_to_highs_s"] < best[layer]["build_to_highs_s"]:
                    best[layer] = run
    return combine(n, best)


def shown(value, column: str = "") -> str:
    if column == "objective_rel_diff" and value is not None:
        return f"{value:.1e}"
    if isinstance(value, float):
        return f"{value:.1e}" if abs(value) < 1e-3 and value else f"{value:.2f}"
    return "" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="15,30,45,68,120")
    parser.add_argument("--years", type=int, default=16)
    parser.add_argument("--elements", type=int, default=6)
    parser.add_argument("--layers", default="rechain,linopy", help="rechain, linopy or both (comma-separated)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per layer and size, interleaved; the fastest counts"
    )
    parser.add_argument("--path", default=None, help="solver path handed to rechain as RECHAIN_SOLVER_PATH")
    parser.add_argument("--build-only", action="store_true", help="build and hand over, no HiGHS run (large sizes)")
    parser.add_argument("--csv", type=Path, default=Path("linopy.csv"))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], Path(args.one[1]), not args.build_only)))
        return
    layers = [x for x in LAYERS if x in args.layers.split(",")]
    if not layers or set(args.layers.split(",")) - set(LAYERS):
        parser.error(f"--layers: expected rechain, linopy or both, found {args.layers}")
    if "linopy" in layers:
        try:
            import linopy  # noqa: F401
        except ImportError:
            parser.exit(2, "linopy is not installed: pip install -e '.[bench]', or run with --layers rechain\n")
    columns = [c for c in COLUMNS if not any(c.startswith(f"{x}_") for x in LAYERS if x not in layers)]
    if len(layers) < 2:
        columns = [c for c in columns if not c.endswith("_ratio") and not c.startswith("objective")]
    rows = []
    print(" | ".join(columns))
    for n in (int(x) for x in args.nodes.split(",")):
        row = run_size(n, args, layers)
        if row is not None:
            rows.append(row)
            print(" | ".join(shown(row.get(c), c) for c in columns), flush=True)
    with open(args.csv, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    if len(layers) == 2 and rows:
        below = all(r["build_to_highs_s_ratio"] <= 1 for r in rows)
        print(f"rechain's build-to-HiGHS time at or below linopy's at every size: {'yes' if below else 'no'}")
        checked = [r["objective_match"] for r in rows if "objective_match" in r]
        if checked:
            print(f"same optimal objective (1e-6 relative) at every size solved: {all(checked)}")
    print(f"written to {args.csv}")


if __name__ == "__main__":
    main()
