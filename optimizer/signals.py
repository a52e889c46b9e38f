"""Interrupts: SIGTERM raised as an exception like Ctrl-C, and signals that
arrive during a HiGHS solve stop the solve and are raised after it."""

from __future__ import annotations

import contextlib
import signal
import threading


INTERRUPTED, TERMINATED = 130, 143  # exit codes after SIGINT and SIGTERM
_received = {"sigterm": False}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so that the same clean-up runs."""


def _raise_terminated(signum, frame):
    _received["sigterm"] = True
    raise Terminated()


def interrupt_exit_code() -> int:
    """143 once SIGTERM has arrived, else 130 (Ctrl-C)."""
    return TERMINATED if _received["sigterm"] else INTERRUPTED


def install_sigterm() -> None:
    """Turn SIGTERM into Terminated in this process (main thread only)."""
    signal.signal(signal.SIGTERM, _raise_terminated)


@contextlib.contextmanager
def deferred_signals(on_signal):
    """While the block runs, SIGINT and SIGTERM only call on_signal(); when it
    ends, the first one is raised again under the previous handlers. Signals
    the process ignores stay ignored; outside the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def record(signum, frame):
        if not caught:
            caught.append(signum)
        on_signal()

    previous = {}
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
