"""Size guards, configurable through environment variables (read at each use)."""

from __future__ import annotations

import os

from ..base.errors import InputError, Issue

DEFAULTS = {"RECHAIN_MAX_FILE_MB": 200.0, "RECHAIN_MAX_ROWS": 2_000_000.0, "RECHAIN_MAX_UNPACKED_MB": 1024.0}


def limit(name: str) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return DEFAULTS[name]
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if 0 < value <= 1e12:  # also refuses nan and inf
        return value
    raise InputError(
        [Issue(f"environment variable {name}", f"a positive number up to 1e12 (unset, {DEFAULTS[name]:g})", repr(raw))]
    )


def max_file_bytes() -> int:
    return int(limit("RECHAIN_MAX_FILE_MB") * 2**20)


def max_rows() -> int:
    return max(1, int(limit("RECHAIN_MAX_ROWS")))


def max_unpacked_bytes() -> int:
    return int(limit("RECHAIN_MAX_UNPACKED_MB") * 2**20)
