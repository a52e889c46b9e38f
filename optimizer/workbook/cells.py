"""Parse one cell by its schema column: types, bounds and defaults."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ..base.errors import Problems, describe
from .schema import Column

MISSING = object()
TRUE_WORDS = {"true", "yes", "1", "y", "t"}
FALSE_WORDS = {"false", "no", "0", "n", "f"}


def parse_value(col: Column, value: object, place: str, problems: Problems) -> Any:  # of the column's kind
    """The typed value of a cell, its default when blank, or MISSING after
    recording an error."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if col.required:
            problems.error(place, f"{col.expectation()} ({col.name} is required)", None)
            return MISSING
        return col.default
    parsed = _convert(col.kind, value)
    if col.kind == "list" and parsed == ():
        problems.error(place, f"{col.expectation()} of at least one label (blank: the default)", value)
        return MISSING
    if parsed is MISSING:
        problems.error(place, col.expectation(), value)
        return MISSING
    if col.kind in ("int", "float"):
        if (
            (col.ge is not None and parsed < col.ge)
            or (col.gt is not None and parsed <= col.gt)
            or (col.le is not None and parsed > col.le)
        ):
            problems.error(place, col.expectation(), _as_percent(col, parsed) or value)
            return MISSING
    if col.kind == "shares" and not all(0 < share <= 1 for share in parsed):
        bad = next(share for share in parsed if not 0 < share <= 1)
        problems.error(place, col.expectation(), f"<{describe(value)} (the share {bad:g})>")
        return MISSING
    return parsed


def _as_percent(col: Column, number: float) -> str | None:
    """The found text for a share typed as a percentage (60 for 0.6)."""
    if col.le == 1 and 1 < number <= 100:
        return f"<{number:g} (a share is a fraction: {number:g} % is {number / 100:g})>"
    return None


def _convert(kind: str, value: object) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat() if kind == "text" else MISSING
    if kind == "text":
        return _text(value)
    if kind == "list":
        return tuple(part.strip() for part in str(value).split(",") if part.strip())
    if kind == "shares":
        return _shares(value)
    if kind == "bool":
        return _bool(value)
    return _number(value, whole=kind == "int")


def _shares(value: object) -> Any:
    """(0.4, 0.7, 0.9) for '0.4, 0.7, 0.9' (or a single number); MISSING if a part is not a number."""
    parts = [value] if isinstance(value, (int, float)) else [p for p in str(value).split(",") if p.strip()]
    shares = tuple(_number(p, whole=False) for p in parts)
    return MISSING if not shares or MISSING in shares else shares


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _bool(value: object) -> Any:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if isinstance(value, (int, float)):
        numbers: dict[float, str] = {1: "1", 0: "0"}
        word = numbers.get(value, word)
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else MISSING


def _number(value: object, whole: bool) -> Any:
    if isinstance(value, bool):
        return MISSING
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip().replace("_", ""))
        except ValueError:
            return MISSING
    if not isinstance(number, (int, float)) or abs(number) > 1e15 or not math.isfinite(number):
        return MISSING
    if whole:
        return int(number) if float(number) == int(number) else MISSING
    return float(number)


def implausible(col: Column, value: Any, name: str = "") -> str | None:
    """Why a legal value is almost surely a slip (a rate of 7, a year of 25), or None."""
    if col.usual is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    low, high = col.usual
    if value == 0 and col.unit == "USD":
        return None  # a budget of 0 means: build nothing
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    usual = (
        f"{low:g} to {high:g}"
        if low is not None and high is not None
        else f"at least {low:g}"
        if low is not None
        else f"at most {high:g}"
    )
    return f"{name or col.name} = {value:g} is legal but unusual (usually {usual}): {col.slip}"
