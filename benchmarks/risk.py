"""Cost of a risk draw on the reference workbook, in one run (risk.md; issue "Risk", item 4).

    python benchmarks/risk.py [--workbook PATH] [--draws 1000] [--workers 2] [--hedge 20] [--sample 6]

Adds an uncertainty sheet to a copy of the reference workbook, or of `--workbook` (an .xlsx file or
a CSV folder; the facility rows whose stage it lacks are left out), with capex overruns at
separation and magnet plants, delays at separation, mine failures and demand, with
max_restricted_share = 0, then
measures: a rebuild + cold solve, a warm re-solve of the same model after a parameter change, the
time per `replan` draw (in process) with the shortfall at the penalty and at any price (two phases a
solve), `--draws` replan draws with `--workers`, and a `--hedge`-draw two-stage model (size and time).
Prints ratios within this run; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from openpyxl import load_workbook as open_xlsx
from rechain.inputs import reference_workbook
from rechain.models.model import Model
from rechain.models.two_stage import TwoStage
from rechain.run.parallel import run_tasks
from rechain.run.risk import RiskJob, draw_parameters, load_risk, recourse_of, sample

ROWS = (
    ("capex_overrun.separation", "triangular", "1", 1.3, 1.8),
    ("capex_overrun.magnet", "triangular", "1", 1.2, 1.6),
    ("lead_time_delay.separation", "discrete", "0:0.5, 1:0.3, 2:0.2", None, None),
    ("failure.mining", "bernoulli", "0.3", None, None),
    ("demand_factor", "uniform", "0.9", 1.2, None),
)
OVERRIDES = (("max_restricted_share", "0"),)


HEADER = ["target", "distribution", "p1", "p2", "p3", "shared"]


def fitting(rows, stages: set[str]):
    """The rows whose facility target names a stage of the workbook (every key row)."""
    facility = ("capex_overrun.", "lead_time_delay.", "failure.")
    return tuple(r for r in rows if not r[0].startswith(facility) or r[0].partition(".")[2] in stages)


def with_uncertainty(folder: Path, workbook: Path | None = None, rows=ROWS) -> Path:
    """A copy of the workbook (default: the reference) with the uncertainty rows that fit it."""
    source = workbook or reference_workbook()
    if source.is_dir():
        path = folder / "risk"
        shutil.copytree(source, path)
        with open(path / "stages.csv", newline="") as fh:
            stages = {row["stage"] for row in csv.DictReader(fh)}
        with open(path / "uncertainty.csv", "w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(HEADER)
            out.writerows([*("" if v is None else v for v in row), "FALSE"] for row in fitting(rows, stages))
        return path
    path = folder / "risk.xlsx"
    shutil.copy(source, path)
    book = open_xlsx(path)
    stages = {row[0] for row in book["stages"].iter_rows(min_row=2, values_only=True) if row[0]}
    if "uncertainty" in book.sheetnames:  # the benchmark's rows replace the workbook's own
        del book["uncertainty"]
    sheet = book.create_sheet("uncertainty")
    sheet.append(HEADER)
    for row in fitting(rows, stages):
        sheet.append([*row, False])
    book.save(path)
    return path


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=Path, default=None, help="an .xlsx file or CSV folder (default: reference)")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hedge", type=int, default=20)
    parser.add_argument("--sample", type=int, default=6, help="draws timed in process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wb, rows, base = load_risk(with_uncertainty(Path(tmp), args.workbook), None, OVERRIDES)
    job = RiskJob(wb, None, OVERRIDES, rows, seed=1)
    ds = job.dataset(sample(list(rows), base, 1, 0))
    cold, model = timed(lambda: (m := Model(ds), m.solve(tables=False))[0])
    model.update("demand_factor", 1.05)
    warm, _ = timed(lambda: model.solve(tables=False))
    cache: dict = {}
    first, _ = timed(lambda: job.run(0, cache))
    later, _ = timed(lambda: [job.run(i, cache) for i in range(1, args.sample)])
    per_draw = later / max(1, args.sample - 1)
    print(f"rebuild + cold solve   {cold:8.2f} s")
    print(f"warm re-solve          {warm:8.2f} s   ({cold / warm:.1f}x faster than a rebuild)")
    print(f"first replan draw      {first:8.2f} s   (builds the draws model)")
    print(
        f"later replan draws     {per_draw:8.2f} s each ({per_draw / warm:.1f}x a warm re-solve, "
        f"{per_draw / cold:.2f}x a rebuild + cold solve; two solves a draw at alpha < 1)"
    )
    priced = RiskJob(wb, None, (*OVERRIDES, ("shortfall_at_any_price", "TRUE")), rows, seed=1)
    priced_cache: dict = {}
    priced.run(0, priced_cache)
    any_price, _ = timed(lambda: [priced.run(i, priced_cache) for i in range(1, args.sample)])
    print(
        f"later draws at any price {any_price / max(1, args.sample - 1):6.2f} s each "
        f"({any_price / later:.2f}x a draw at the penalty: two phases per solve)"
    )
    if args.draws:
        total, (done, _) = timed(lambda: run_tasks(job, list(range(args.draws)), workers=args.workers))
        print(
            f"{args.draws} replan draws, {args.workers} workers: {total:8.1f} s ({total / 60:.1f} min), "
            f"{sum(r['status'] == 'optimal' for r in done)} optimal"
        )
    if args.hedge:
        hedge = replace(job, mode="hedge")  # as run_hedge: failures in the case, delays and overruns as parameters
        drawn = [sample(list(rows), base, 1, i) for i in range(args.hedge)]
        datasets = [hedge.dataset(d) for d in drawn]
        draws = [draw_parameters(d) for d in drawn]
        built, two = timed(lambda: TwoStage(datasets, recourse_of(job, base), draws=draws))
        solved, solutions = timed(two.solve)
        size = solutions[0].summary
        print(
            f"hedge, {args.hedge} draws: build {built:.1f} s, solve {solved:.1f} s, "
            f"{size['variables'] * args.hedge:,} variables and {size['constraints'] * args.hedge:,} constraints "
            f"(about), status {solutions[0].status.value}"
        )


if __name__ == "__main__":
    main()
