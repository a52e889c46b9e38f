"""Where the time goes, from workbook to written results, against HiGHS alone.

    python benchmarks/scale.py [--nodes 15,30,45,68,120] [--years 16] [--elements 6] [--repeat 1]
                               [--path persistent|direct] [--csv FILE]

For each size (a generated world, `rechain generate`), in a fresh process:
reading the workbook, building the Pyomo model, handing it to HiGHS, HiGHS's
own solve, reading the solution, writing results; peak memory; and the limit:
HiGHS alone on the same LP (exported to MPS, read by highspy directly, the same
`solver` and `user_objective_scale` options). `total_over_highs` is end to end
(workbook to written results) over HiGHS alone, the issue's goal being at most
1.5x at ~17k variables and 1.2x at ~3e5. `--repeat` runs each size that many
times, each in its own process, and keeps the least time of each column.
`--path` is handed to rechain as RECHAIN_SOLVER_PATH (the solver path of
models/highs.py, where it has one). Prints a table and writes it as CSV.
Measures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = [
    "nodes",
    "variables",
    "constraints",
    "read_s",
    "build_s",
    "to_highs_s",
    "highs_s",
    "solution_s",
    "write_s",
    "total_s",
    "highs_alone_s",
    "total_over_highs",
    "peak_mib",
    "method",
    "status",
    "path",
]
GOALS = ((17_000, 1.5), (300_000, 1.2))  # (variables, most end to end / HiGHS alone), issue 13 item 3


def measure(nodes: int, years: int, elements: int) -> dict:
    """One size, in this process."""
    import highspy
    from rechain.models.highs import CaseSolver, quiet_stdout
    from rechain.models.solution import extract
    from rechain.report.results import write_results
    from rechain.workbook.cases import make_dataset
    from rechain.workbook.generate import world, write_world
    from rechain.workbook.validate import load_workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.xlsx"
        write_world(path, world(nodes, years, elements, seed=nodes))
        t0 = time.perf_counter()
        ds = make_dataset(load_workbook(path))
        t1 = time.perf_counter()
        solver = CaseSolver(ds)
        t2 = time.perf_counter()
        outcome = solver.solve()
        t3 = time.perf_counter()
        result = extract(solver.built, outcome, solver.build_seconds)
        t4 = time.perf_counter()
        write_results(Path(tmp) / "out", result, {"input": path.name})
        t5 = time.perf_counter()
        mps = Path(tmp) / "model.mps"
        with quiet_stdout():
            solver.highs.writeModel(str(mps))
            alone = highspy.Highs()
            alone.setOptionValue("output_flag", False)
            alone.readModel(str(mps))
            alone.setOptionValue("solver", solver.method())
            alone.setOptionValue("user_objective_scale", solver.objective_scale())
            a0 = time.perf_counter()
            alone.run()
            alone_s = time.perf_counter() - a0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = t5 - t0
    return {
        "nodes": nodes,
        "variables": result.summary.get("variables"),
        "constraints": result.summary.get("constraints"),
        "read_s": t1 - t0,
        "build_s": t2 - t1,
        "to_highs_s": outcome.translate_seconds,
        "highs_s": outcome.highs_seconds,
        "solution_s": (t3 - t2) - outcome.translate_seconds - outcome.highs_seconds + (t4 - t3),
        "write_s": t5 - t4,
        "total_s": total,
        "highs_alone_s": alone_s,
        "total_over_highs": total / alone_s if alone_s > 0 else None,
        "peak_mib": peak,
        "method": solver.method(),
        "status": result.summary["status"],
        "path": os.environ.get("RECHAIN_SOLVER_PATH", "default"),
    }


def best(rows: list[dict]) -> dict:
    """The least of each time over repeated runs of one size; the ratio from those."""
    row = dict(rows[0])
    for column in COLUMNS:
        if column.endswith("_s") or column == "peak_mib":
            row[column] = min(r[column] for r in rows)
    row["total_over_highs"] = row["total_s"] / row["highs_alone_s"] if row["highs_alone_s"] > 0 else None
    return row


def goals(rows: list[dict]) -> list[str]:
    """The issue's goals against the measured size nearest to each (by variables, within 2x)."""
    lines = []
    for target, most in GOALS:
        near = [r for r in rows if r["total_over_highs"] and target / 2 <= r["variables"] <= target * 2]
        if not near:
            lines.append(f"~{target:,} variables: not measured (goal <= {most}x)")
            continue
        r = min(near, key=lambda r: abs(r["variables"] - target))
        verdict = "met" if r["total_over_highs"] <= most else "not met"
        lines.append(
            f"~{target:,} variables ({r['variables']:,}): end to end / HiGHS alone = "
            f"{r['total_over_highs']:.2f}x (goal <= {most}x: {verdict})"
        )
    return lines


def one_size(n: int, args: argparse.Namespace, env: dict) -> dict | None:
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(n), "--years", str(args.years), "--elements", str(args.elements)],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        print(f"nodes={n}: failed\n{done.stderr[-2000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="15,30,45,68,120")
    parser.add_argument("--years", type=int, default=16)
    parser.add_argument("--elements", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (fresh processes); least times count")
    parser.add_argument("--path", default=None, help="solver path handed to rechain as RECHAIN_SOLVER_PATH")
    parser.add_argument("--csv", type=Path, default=Path("scale.csv"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.years, args.elements)))
        return
    rows = []
    print(" | ".join(COLUMNS))
    env = dict(os.environ, **({"RECHAIN_SOLVER_PATH": args.path} if args.path else {}))
    for n in (int(x) for x in args.nodes.split(",")):
        runs = [one_size(n, args, env) for _ in range(args.repeat)]
        if None in runs:
            continue
        row = best(runs)
        rows.append(row)
        print(" | ".join(f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in COLUMNS), flush=True)
    with open(args.csv, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    for line in goals(rows):
        print(line)
    print(f"written to {args.csv}")


if __name__ == "__main__":
    main()
