"""Interrupts: SIGTERM and a stalled scheduler raised as exceptions like Ctrl-C (so the finished work is
kept), and the exit code that tells them apart. (Signals that arrive during a HiGHS solve are deferred
by models.highs.deferred_signals.)"""

from __future__ import annotations

import signal
from types import FrameType
from typing import NoReturn, TypedDict

from ..base.errors import InputError

INTERRUPTED, TERMINATED, STALLED = 130, 143, 2  # exit codes after SIGINT, SIGTERM and a stalled scheduler
_received: _Received = {"sigterm": False, "stalled": None}


class _Received(TypedDict):
    sigterm: bool
    stalled: InputError | None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so that the same clean-up runs."""


def _raise_terminated(signum: int, frame: FrameType | None) -> NoReturn:
    _received["sigterm"] = True
    raise Terminated()


class Stalled(KeyboardInterrupt):
    """The scheduler's workers made no progress for too long (`run.parallel.IDLE_SECONDS`) or lost a chunk:
    raised where Ctrl-C would be, so that the finished tasks are kept; the run then ends as the input error
    `error` (exit 2)."""

    def __init__(self, error: InputError) -> None:
        _received["stalled"] = error
        super().__init__(str(error))


def stall_error() -> InputError | None:
    """The input error of a stalled scheduler in this run, if one stalled."""
    return _received["stalled"]


def interrupt_exit_code() -> int:
    """143 once SIGTERM has arrived, else 2 once a scheduler stalled, else 130 (Ctrl-C)."""
    return TERMINATED if _received["sigterm"] else STALLED if _received["stalled"] else INTERRUPTED


def install_sigterm() -> None:
    """Turn SIGTERM into Terminated in this process (main thread only), with nothing received yet."""
    _received.update({"sigterm": False, "stalled": None})
    signal.signal(signal.SIGTERM, _raise_terminated)
