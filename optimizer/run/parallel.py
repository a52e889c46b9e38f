"""Run independent tasks (sweep points, risk draws) in this process, in worker processes, or on a
dask.distributed cluster. Worker processes take tasks one at a time and keep their built model
between tasks (warm re-solves); they die with the parent, and an interrupt keeps every finished task."""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..base.errors import InputError, Issue
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, deferred_signals, forked_worker
from ..workbook.cases import Overrides
from ..workbook.validate import Workbook
from .signals import Stalled
from .sweep import solve_point

if TYPE_CHECKING:
    import socket

    from distributed import Client
    from distributed import Future as DaskFuture

PR_SET_PDEATHSIG = 1
CONNECT_SECONDS = 3  # --scheduler: to connect and to hear the scheduler's handshake
IDLE_SECONDS = 120.0  # --scheduler: with no task of the run finished or running on a worker this long, stop
POLL_SECONDS = 1.0
AHEAD = 64  # worker processes: points queued per worker beyond the one it runs (bounds submission, not speed)
CHUNK_POINTS = 64  # --scheduler: at most this many points a chunk (a stop loses only the chunks in flight)
_worker: dict[str, Any] = {}  # in a worker process: the job and its warm model
Row = dict[str, Any]
OnRow = Callable[[list[Row]], object] | None  # told of each stored chunk's rows


class Job(Protocol):
    """Work made of independent tasks; `run` may keep a built model in `cache` between tasks."""

    def run(self, task: Any, cache: dict[Any, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SweepJob:
    wb: Workbook
    scenario: str | None
    overrides: Overrides
    options: SolveOptions = DEFAULT_OPTIONS

    def run(self, task: dict[str, Any], cache: dict[Any, Any]) -> dict[str, Any]:
        return solve_point(self.wb, self.scenario, self.overrides, task, self.options, cache).row


def _same(job: Job) -> Job:
    return job


def solve_chunk(job: Job, chunk: list[Any]) -> list[Row]:
    cache: dict[Any, Any] = {}
    return [job.run(task, cache) for task in chunk]


def chunks_of(points: list[Any], n: int) -> list[list[Any]]:
    """n contiguous chunks, so neighbouring points stay in one warm worker."""
    size, extra = divmod(len(points), n)
    result: list[list[Any]] = []
    start = 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            result.append(points[start:end])
        start = end
    return result


def _placed_chunks(points: list[Any], n: int) -> list[tuple[int, list[Any]]]:
    """(index of the first point, chunk) for n contiguous chunks."""
    placed: list[tuple[int, list[Any]]] = []
    start = 0
    for chunk in chunks_of(points, n):
        placed.append((start, chunk))
        start += len(chunk)
    return placed


def _store(rows: list[Row | None], start: int, chunk_rows: list[Row], on_row: OnRow) -> None:
    rows[start : start + len(chunk_rows)] = chunk_rows
    if on_row:
        on_row(chunk_rows)


def default_workers(points: int) -> int:
    return max(1, min(os.cpu_count() or 1, points))


def run_points(
    wb: Workbook,
    scenario: str | None,
    overrides: Iterable[tuple[str, str]],
    points: list[Row],
    options: SolveOptions = DEFAULT_OPTIONS,
    workers: int | None = None,
    scheduler: str | None = None,
    on_row: OnRow = None,
) -> tuple[list[Row], bool]:
    """Rows of sweep points in the order of `points`, and whether the run completed."""
    return run_tasks(SweepJob(wb, scenario, tuple(overrides), options), points, workers, scheduler, on_row)


def run_tasks(
    job: Job, tasks: list[Any], workers: int | None = None, scheduler: str | None = None, on_row: OnRow = None
) -> tuple[list[Row], bool]:
    """Rows in the order of `tasks`, and whether the run completed (False after Ctrl-C, SIGTERM or a stalled
    scheduler, `signals.Stalled`; the rows of finished tasks are kept)."""
    workers = workers or default_workers(len(tasks))
    rows: list[Row | None] = [None] * len(tasks)
    complete = True
    try:
        if scheduler is None and workers == 1:
            _in_process(job, tasks, rows, on_row)
        elif scheduler is not None:
            _on_dask(job, tasks, workers, scheduler, rows, on_row)
        else:
            _in_pool(job, tasks, workers, rows, on_row)
    except KeyboardInterrupt:
        complete = False
    return [r for r in rows if r is not None], complete


def _in_process(job: Job, tasks: list[Any], rows: list[Row | None], on_row: OnRow) -> None:
    cache: dict[Any, Any] = {}
    for i, task in enumerate(tasks):
        _store(rows, i, [job.run(task, cache)], on_row)


def die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when its parent ends (however it ends)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _start_worker(parent: int, job: Job) -> None:
    die_with_parent(parent)
    forked_worker()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent handles it
    _worker.update(job=job, cache={})


def _worker_task(task: Any) -> Row:
    job: Job = _worker["job"]
    return job.run(task, _worker["cache"])


def _in_pool(job: Job, points: list[Any], workers: int, rows: list[Row | None], on_row: OnRow) -> None:
    """Points submitted a window at a time (AHEAD per worker beyond those running), each finished one
    making room for the next; a signal only stops the submitting and the waiting (never inside the
    executor's locks) and is raised once the loop has let go of them."""
    stop = threading.Event()
    workers = min(workers, len(points))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(), job))
    try:
        with deferred_signals(stop.set):
            _Window(pool, points, stop).run(workers * (1 + AHEAD), rows, on_row)
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown()


class _Window:
    """The points in flight: at most `size` submitted and not yet stored."""

    def __init__(self, pool: ProcessPoolExecutor, points: list[Any], stop: threading.Event) -> None:
        self.pool, self.stop = pool, stop
        self.finished: queue.SimpleQueue[Future[Row]] = queue.SimpleQueue()
        self.pending = iter(enumerate(points))
        self.index: dict[Future[Row], int] = {}  # future -> the index of its point

    def submit_next(self) -> None:
        item = next(self.pending, None)
        if item is not None and not self.stop.is_set():
            future = self.pool.submit(_worker_task, item[1])
            self.index[future] = item[0]
            future.add_done_callback(self.finished.put)

    def run(self, size: int, rows: list[Row | None], on_row: OnRow) -> None:
        for _ in range(size):
            self.submit_next()
        while self.index:
            future = _next_finished(self.finished, self.stop)
            if future is None:
                return
            _store(rows, self.index.pop(future), [future.result()], on_row)
            self.submit_next()


def _next_finished(finished: queue.SimpleQueue[Future[Row]], stop: threading.Event) -> Future[Row] | None:
    while not stop.is_set():
        try:
            return finished.get(timeout=0.1)
        except queue.Empty:
            pass
    return None


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and kill the workers now."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.kill()
    for p in processes:
        p.join(5)


def _scheduler_error(address: str, why: object, expected: str = "") -> InputError:
    expected = expected or "the address of a running dask scheduler (e.g. tcp://host:8786)"
    return InputError([Issue("--scheduler", expected, f"{address!r} ({why})")])


def reachable(address: str) -> None:
    """Fail fast on a TCP or TLS address where nothing listens (before dask's own retries), or where what
    listens does not greet within CONNECT_SECONDS of the first try (connect, TLS handshake and the first
    byte of dask's handshake, which a scheduler writes first)."""
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls"):
        return
    try:
        _greeting(parts.hostname or "localhost", parts.port or 8786, parts.scheme == "tls")
    except TimeoutError:
        raise _scheduler_error(address, f"no answer within {CONNECT_SECONDS} s of connecting") from None
    except (OSError, ValueError) as exc:
        raise _scheduler_error(address, exc) from None


def _greeting(host: str, port: int, tls: bool) -> None:
    """Connect and read one byte, all within CONNECT_SECONDS; with `tls`, through a TLS handshake first.
    A TLS alert (say, for want of a client certificate) is an answer: dask's own security settings decide."""
    import socket
    import ssl

    deadline = time.monotonic() + CONNECT_SECONDS
    with socket.create_connection((host, port), timeout=CONNECT_SECONDS) as raw:
        raw.settimeout(max(0.01, deadline - time.monotonic()))
        if not tls:
            _first_byte(raw)
            return
        probe = ssl.create_default_context()
        probe.check_hostname, probe.verify_mode = False, ssl.CERT_NONE  # only asks whether TLS answers; sends nothing
        try:
            with probe.wrap_socket(raw, server_hostname=host) as wrapped:
                wrapped.settimeout(max(0.01, deadline - time.monotonic()))
                _first_byte(wrapped)
        except ssl.SSLEOFError:
            raise OSError("the connection was closed without a TLS handshake") from None
        except ssl.SSLError:
            return


def _first_byte(sock: socket.socket) -> None:
    if not sock.recv(1):
        raise OSError("the connection was closed without a dask handshake")


def _connect(client_class: type[Client], address: str) -> Client:
    reachable(address)
    try:
        return client_class(address, timeout=f"{CONNECT_SECONDS}s")
    except Exception as exc:  # whatever answers there is not a dask scheduler
        raise _scheduler_error(address, exc) from None


def _on_dask(job: Job, points: list[Any], workers: int, address: str, rows: list[Row | None], on_row: OnRow) -> None:
    """Contiguous chunks of at most CHUNK_POINTS points (at least `workers` chunks), each solved warm on one
    worker; the job is sent once, as a task the chunks depend on."""
    from dask.distributed import Client

    placed = _placed_chunks(points, max(workers, -(-len(points) // CHUNK_POINTS)))
    with _connect(Client, address) as client:
        shared = client.submit(_same, job, pure=False)  # not scatter: that fails at once on a scheduler without workers
        futures = [client.submit(solve_chunk, shared, c, pure=False) for _, c in placed]
        where = {f.key: s for f, (s, _) in zip(futures, placed, strict=True)}
        try:
            _collect(client, futures, lambda f: _store(rows, where[f.key], f.result(), on_row), address)
        except BaseException:
            client.cancel(futures)
            raise


def _collect(
    client: Client, futures: list[DaskFuture[list[Row]]], store: Callable[[DaskFuture[list[Row]]], None], address: str
) -> None:
    """Store each chunk as it finishes. `Stalled` (an interrupt: the stored chunks are kept, the run is not
    complete, exit 2) once IDLE_SECONDS pass with no chunk of this run finished or running on a worker (a
    scheduler without workers, or whose workers left), or at the end when a chunk was lost (its worker died
    too often, `KilledWorker`, or the scheduler cancelled it) while the others went on."""
    from dask.distributed import wait

    pending, quiet_since, lost = set(futures), time.monotonic(), list[str]()
    while pending:
        try:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        for f in done:
            why = _lost(f)
            lost += [why] if why is not None else []
            if why is None:
                store(f)
        if done or _running(client, pending):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > IDLE_SECONDS:
            expected = f"a dask scheduler whose workers run the tasks (none ran or finished one for {IDLE_SECONDS:g} s)"
            raise Stalled(_scheduler_error(address, "has it any workers?", expected))
    if lost:
        expected = "a dask scheduler whose workers finish the tasks"
        raise Stalled(_scheduler_error(address, f"{len(lost)} of {len(futures)} chunks lost: {lost[0]}", expected))


def _lost(future: DaskFuture[list[Row]]) -> str | None:
    """Why a finished chunk has no rows when its worker died (KilledWorker) or it was cancelled; None when it
    has them or failed otherwise (a bug, raised when its result is read)."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        error = future.exception()
    except CancelledError:
        return "cancelled by the scheduler"
    return f"{type(error).__name__}: {error}" if isinstance(error, KilledWorker) else None


def _running(client: Client, pending: set[DaskFuture[list[Row]]]) -> bool:
    keys = {f.key for f in pending}
    return any(keys.intersection(running) for running in client.processing().values())
