"""Errors to exit codes: one line for every kind of error, the JSON document of it with --json, and the
exit code (see `rechain.cli`'s docstring for the codes)."""

from __future__ import annotations

import errno
import functools
import os
import sys
import time
from typing import Any

import typer
from rich.console import Console

from .base.errors import InputError, OutputError
from .run.signals import INTERRUPTED, install_sigterm, interrupt_exit_code, stall_error

EXIT_INTERNAL, EXIT_INPUT, EXIT_NOT_SOLVED, EXIT_SHORTFALL = 1, 2, 3, 4
FILE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM, errno.EPIPE}
)
EXPECTED = {"N": "a whole number", "SECONDS": "a number of seconds", "YEAR": "a year"}

state = {"debug": False, "json": False}


@functools.cache
def err() -> Console:
    """The console of messages and progress (stderr); made on first use (rich costs start-up time)."""
    return Console(stderr=True, highlight=False)


def say(message: str) -> None:
    from .report.text import plain

    err().print(plain(message), markup=False, highlight=False, soft_wrap=True)


def print_input_error(exc: InputError) -> None:
    from .report.text import print_input_error

    print_input_error(err(), exc)


def stopped() -> str:
    """Why a run ended before its last point, in a word or three."""
    return "stopped on the scheduler" if stall_error() is not None else "interrupted"


def emit_json(payload: dict[str, Any]) -> None:
    """One JSON document on stdout, flushed (a full disk is then an OSError here, not at exit)."""
    from .report.writers import to_json

    sys.stdout.write(to_json(payload) + "\n")
    sys.stdout.flush()


def emit_error_json(payload: dict[str, Any]) -> None:
    """The JSON document of an error; a stdout that cannot take it leaves the message on stderr alone."""
    try:
        emit_json(payload)
    except OSError:
        drop_stdout()


def drop_stdout() -> None:
    """Point stdout at the null device, so that nothing is left to fail when Python flushes it at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a stdout without a file descriptor (tests) has none to drop
        pass


def os_error(exc: OSError) -> int:
    """A file or stream that cannot be written or read (disk full, read-only, closed pipe): one line, exit 2."""
    where = exc.filename if exc.filename is not None else "stdout"
    say(f"output error: {where}: cannot write ({exc.strerror or exc})")
    if exc.filename is not None and state["json"]:
        emit_error_json({"status": "output_error", "message": f"{where}: cannot write ({exc.strerror or exc})"})
    if exc.filename is None:  # a stream: stdout, which Python would otherwise fail to flush again at exit
        drop_stdout()
    return EXIT_INPUT


def flushed(code: int) -> int:
    """The exit code once stdout is flushed: a full disk or closed pipe turns 0 into exit 2."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        return os_error(exc) if code == 0 else code
    return code


def input_error(exc: InputError) -> int:
    print_input_error(exc)
    if state["json"]:
        emit_error_json({"status": "input_error", "issues": [vars(i) for i in exc.issues], "warnings": exc.warnings})
    return EXIT_INPUT


def output_error(exc: OutputError) -> int:
    say(f"output error: {exc}")
    if state["json"]:
        emit_error_json({"status": "output_error", "message": str(exc)})
    return EXIT_INPUT


def expected(param: Any) -> str:
    """What an option takes, in words: its metavar's meaning and its bounds (`a whole number >= 1`)."""
    metavar = param.metavar or param.name
    what = f"one of {metavar}" if "|" in metavar else EXPECTED.get(metavar, metavar)
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return f"{what} from {low} to {high}"
    return what + (f" >= {low}" if low is not None else "") + (f" <= {high}" if high is not None else "")


def found(exc: Any) -> str | None:
    """The text given to an option that typer refused (it keeps it in pydantic's error)."""
    errors = getattr(exc.__cause__, "errors", None)
    first = errors()[0] if callable(errors) and errors() else {}
    return None if "input" not in first else repr(str(first["input"]))


def usage_message(exc: Any) -> str:
    """One line: `--mode: expected one of replan|commit|hedge, found 'foo'` for a refused value (no Python
    type, no validator's wording); click's own first line otherwise."""
    param = getattr(exc, "param", None)
    if param is not None and is_click(exc, "BadParameter") and not is_click(exc, "MissingParameter"):
        name = param.opts[0] if param.param_type_name == "option" else (param.metavar or param.name)
        given = found(exc)
        return f"{name}: " + (exc.message if given is None else f"expected {expected(param)}, found {given}")
    return exc.format_message().splitlines()[0] if exc.format_message() else "bad arguments"


def usage_error(exc: Any) -> int:
    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "rechain"
    message = usage_message(exc)
    say(f"usage error: {message} (see {where} -h)")
    if state["json"]:
        emit_error_json({"status": "usage_error", "message": message})
    return EXIT_INPUT


def is_click(exc: BaseException, kind: str) -> bool:
    """Click's exceptions, whether from click itself or the copy typer vendors."""
    return any(c.__name__ == kind and "click" in c.__module__ for c in type(exc).__mro__)


def run(app: typer.Typer, args: list[str]) -> int:
    """The exit code of one command line: the command's, or that of the error it raised."""
    start = time.perf_counter()
    try:
        code = app(args=args, prog_name="rechain", standalone_mode=False)
        code = code if isinstance(code, int) else 0
        return interrupt_exit_code() if code == INTERRUPTED else code  # typer turns Ctrl-C into 130
    except InputError as exc:
        return input_error(exc)
    except OutputError as exc:
        return output_error(exc)
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        say("interrupted")
        return interrupt_exit_code()
    except typer.Abort:
        return interrupt_exit_code()
    except Exception as exc:
        code = click_exit(exc)
        if code is not None:
            return code
        if state["debug"]:
            raise
        return internal_error(exc, time.perf_counter() - start)


def click_exit(exc: Exception) -> int | None:
    """The exit code of click's errors and of a file or stream that cannot be written; None otherwise."""
    if is_click(exc, "ClickException"):
        return usage_error(exc)
    if is_click(exc, "Abort"):
        return interrupt_exit_code()
    if isinstance(exc, OSError) and exc.errno in FILE_ERRNOS and not state["debug"]:
        return os_error(exc)
    return None


def internal_error(exc: Exception, seconds: float) -> int:
    say(f"internal error: {type(exc).__name__}: {exc} (after {seconds:.1f} s; run with --debug for the traceback)")
    if state["json"]:
        emit_error_json({"status": "internal_error", "message": f"{type(exc).__name__}: {exc}"})
    return EXIT_INTERNAL


def main(app: typer.Typer, argv: list[str] | None = None) -> None:
    """`--debug` anywhere, one clear line for every kind of error, the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    state["debug"] = "--debug" in args
    state["json"] = "--json" in args
    args = [a for a in args if a != "--debug"]
    if not args:
        say("usage error: no command given (see rechain -h for the commands)")
        sys.exit(EXIT_INPUT)
    install_sigterm()
    sys.exit(flushed(run(app, args)))
