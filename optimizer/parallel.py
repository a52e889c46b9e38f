"""Run sweep points in chunks: in this process, in worker processes, or on a
dask.distributed cluster. Each chunk builds its model once and re-solves warm;
only rows travel back."""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from .solve import SolveOptions
from .sweep import solve_points
from .validate import Workbook


def solve_chunk(wb: Workbook, scenario, overrides, chunk: list[dict], options: SolveOptions) -> list[dict]:
    return [r.row for r in solve_points(wb, scenario, overrides, chunk, options)]


def chunks_of(points: list[dict], n: int) -> list[list[dict]]:
    """n contiguous chunks, so neighbouring points stay in one warm worker."""
    size, extra = divmod(len(points), n)
    result, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            result.append(points[start:end])
        start = end
    return result


def _placed_chunks(points: list[dict], n: int) -> list[tuple[int, list[dict]]]:
    """(index of the first point, chunk) for n contiguous chunks."""
    placed, start = [], 0
    for chunk in chunks_of(points, n):
        placed.append((start, chunk))
        start += len(chunk)
    return placed


def _store(rows: list, start: int, chunk_rows: list[dict], on_row) -> None:
    rows[start:start + len(chunk_rows)] = chunk_rows
    if on_row:
        on_row(chunk_rows)


def default_workers(points: int) -> int:
    return max(1, min(os.cpu_count() or 1, points))


def run_points(wb: Workbook, scenario, overrides, points: list[dict], options: SolveOptions = SolveOptions(),
               workers: int | None = None, scheduler: str | None = None, on_row=None) -> tuple[list[dict], bool]:
    """Rows in the order of `points`, and whether the run completed (False after Ctrl-C)."""
    workers = workers or default_workers(len(points))
    rows: list[dict | None] = [None] * len(points)
    complete = True
    try:
        if scheduler is None and workers == 1:
            _in_process(wb, scenario, overrides, points, options, rows, on_row)
        elif scheduler is not None:
            _on_dask(wb, scenario, overrides, points, options, workers, scheduler, rows, on_row)
        else:
            _in_pool(wb, scenario, overrides, points, options, workers, rows, on_row)
    except KeyboardInterrupt:
        complete = False
    return [r for r in rows if r is not None], complete


def _in_process(wb, scenario, overrides, points, options, rows, on_row):
    index = {id(p): i for i, p in enumerate(points)}

    def record(result):
        rows[index[id(result.point)]] = result.row
        if on_row:
            on_row([result.row])

    solve_points(wb, scenario, overrides, points, options, on_result=record)


def _in_pool(wb, scenario, overrides, points, options, workers, rows, on_row):
    placed = _placed_chunks(points, workers)
    with ProcessPoolExecutor(max_workers=len(placed)) as pool:
        futures = {pool.submit(solve_chunk, wb, scenario, overrides, c, options): s for s, c in placed}
        try:
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    _store(rows, futures[f], f.result(), on_row)
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _on_dask(wb, scenario, overrides, points, options, workers, address, rows, on_row):
    from dask.distributed import Client, as_completed

    placed = _placed_chunks(points, workers)
    with Client(address, timeout="30s") as client:
        futures = [client.submit(solve_chunk, wb, scenario, overrides, c, options, pure=False) for _, c in placed]
        where = {f.key: s for f, (s, _) in zip(futures, placed)}
        try:
            for f in as_completed(futures):
                _store(rows, where[f.key], f.result(), on_row)
        except KeyboardInterrupt:
            client.cancel(futures)
            raise
