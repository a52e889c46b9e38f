"""Interrupts: SIGTERM raised as an exception like Ctrl-C, and the exit code that tells them apart.
(Signals that arrive during a HiGHS solve are deferred by models.highs.deferred_signals.)"""

from __future__ import annotations

import signal

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
