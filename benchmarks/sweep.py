"""Warm re-solves vs rebuild-and-cold-solve on a 20-point sweep, in one run.

    python benchmarks/sweep.py [WORKBOOK] [--points 20]

Prints both timings and their ratio; nothing is asserted (machines are noisy,
the ratio in one run is what counts).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rechain.inputs import reference_workbook
from rechain.run.sweep import grid, solve_points
from rechain.workbook.keys import parse_params
from rechain.workbook.validate import load_workbook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", type=Path, default=None)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--param", default=None, help="KEY=SPEC (default: max_restricted_share from 1 to 0)")
    args = parser.parse_args()
    wb = load_workbook(args.workbook or reference_workbook())
    spec = args.param or f"max_restricted_share=1:0:{args.points}"
    points = grid(parse_params([spec]))
    timings = {}
    for mode, warm in (("warm", True), ("cold", False)):
        start = time.perf_counter()
        rows = solve_points(wb, None, (), points, warm=warm)
        timings[mode] = time.perf_counter() - start
        statuses = {r.row["status"] for r in rows}
        print(
            f"{mode:>5}: {len(rows)} points in {timings[mode]:7.2f} s  ({timings[mode] / len(rows):.3f} s/point), "
            f"statuses {sorted(statuses)}"
        )
    print(f"speed-up of warm re-solves: {timings['cold'] / timings['warm']:.2f}x")


if __name__ == "__main__":
    main()
