"""The grammar of case keys, shared by the scenarios sheet, `--set KEY=VALUE` and
`--param KEY=SPEC`: a settings key, `demand_factor`, or `<prefix>.<label>`."""

from __future__ import annotations

import math

from ..base.errors import InputError, Issue
from .schema import SETTINGS

PREFIXES = (
    "capex_factor",
    "opex_factor",
    "capacity_factor",
    "bloc",
    "ban",
    "embargo",
    "max_share",
    "max_t",
    "initial_t",
)
NOT_SWEPT = ("bloc", "ban", "capacity_factor")
MAX_POINTS = 10_000  # largest grid a sweep accepts


def split_key(key: str) -> tuple[str, str]:
    """('capex_factor', 'allied') for 'capex_factor.allied'; (key, '') for plain keys."""
    key = key.strip()
    head, dot, rest = key.partition(".")
    if dot and head.lower() in PREFIXES:
        return head.lower(), rest.strip()
    return key.lower(), ""


def is_known_key(key: str) -> bool:
    head, rest = split_key(key)
    return head in {c.name for c in SETTINGS.columns} | {"demand_factor"} or (head in PREFIXES and bool(rest))


def parse_sets(values: list[str] | None) -> tuple[tuple[str, str], ...]:
    """`--set KEY=VALUE` options as (key, value) pairs; the keys are checked when the case is made."""
    pairs, bad = [], []
    for item in values or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            bad.append(item)
        else:
            pairs.append((key.strip(), value.strip()))
    if bad:
        raise InputError([Issue("--set", "KEY=VALUE", repr(b)) for b in bad])
    return tuple(pairs)


def parse_spec(key: str, spec: str, place: str | None = None) -> list[str]:
    """`0,5e9,1e10` (a list) or `start:stop:count` (inclusive range) → values as text; a problem is named
    at `place` (default `--param KEY`)."""
    spec, place = spec.strip(), place or f"--param {key}"
    if ":" in spec:
        return _range(place, spec)
    values = [v.strip() for v in spec.split(",") if v.strip()]
    if not values:
        raise InputError([Issue(place, "a list like 0,5e9,1e10 or a range start:stop:count", spec)])
    return values


def _range(place: str, spec: str) -> list[str]:
    parts = spec.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
        if count < 1:
            raise ValueError
    except ValueError:
        raise InputError([Issue(place, "start:stop:count with count >= 1", spec)]) from None
    if count > MAX_POINTS:
        raise InputError([Issue(place, f"at most {MAX_POINTS:,} values", f"{count:,}")])
    if count == 1:
        return [repr(start)]
    return [repr(start + (stop - start) * i / (count - 1)) for i in range(count)]


def parse_params(items: list[str]) -> dict[str, list[str]]:
    """`--param KEY=SPEC` options as key -> values, within a grid of MAX_POINTS."""
    params, issues = {}, []
    for item in items:
        key, eq, spec = item.partition("=")
        key = key.strip()
        if not eq or not is_known_key(key) or split_key(key)[0] in NOT_SWEPT:
            issues.append(
                Issue(
                    "--param",
                    "KEY=SPEC with KEY a settings key, demand_factor, capex_factor.<bloc>, opex_factor.<bloc>, "
                    "embargo.<bloc>, max_share.<product>.<recipe>, max_t.<node>.<element> or "
                    "initial_t.<node>.<element>",
                    item,
                )
            )
            continue
        try:
            params[key] = parse_spec(key, spec)
        except InputError as exc:
            issues += exc.issues
    size = math.prod(len(v) for v in params.values())
    if not issues and size > MAX_POINTS:
        counts = " x ".join(f"{len(v)} ({k})" for k, v in params.items())
        issues.append(Issue("--param", f"a grid of at most {MAX_POINTS:,} points", f"{counts} = {size:,} points"))
    if issues:
        raise InputError(issues)
    return params


def is_number(text: str) -> bool:
    try:
        return float(text) == float(text) and abs(float(text)) != float("inf")
    except ValueError:
        return False


def parse_numbers(option: str, spec: str | None) -> list[float] | None:
    """A list `0,5e9,1e10` or a range `start:stop:count` of numbers, for --budgets and --cost-factors."""
    if spec is None:
        return None
    values = parse_spec(option, spec, option)
    bad = [v for v in values if not is_number(v)]
    if bad:
        raise InputError(
            [
                Issue(
                    option, "numbers, as a list 0,5e9,1e10 or a range start:stop:count", ", ".join(repr(b) for b in bad)
                )
            ]
        )
    return [float(v) for v in values]
