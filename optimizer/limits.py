"""Size guards, configurable through environment variables (read at each use)."""

from __future__ import annotations

import os

from .errors import InputError, Issue

DEFAULTS = {"RECHAIN_MAX_FILE_MB": 200.0, "RECHAIN_MAX_ROWS": 2_000_000.0, "RECHAIN_MAX_UNPACKED_MB": 1024.0}


def limit(name: str) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return DEFAULTS[name]
    try:
        value = float(raw)
        if value > 0:
            return value
    except ValueError:
        pass
    raise InputError([Issue(f"environment variable {name}", "a positive number", repr(raw))])


def max_file_bytes() -> int:
    return int(limit("RECHAIN_MAX_FILE_MB") * 2**20)


def max_rows() -> int:
    return int(limit("RECHAIN_MAX_ROWS"))


def max_unpacked_bytes() -> int:
    return int(limit("RECHAIN_MAX_UNPACKED_MB") * 2**20)
