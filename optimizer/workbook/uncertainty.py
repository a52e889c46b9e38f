"""The uncertainty sheet (risk.md): typed rows with their distributions and targets, checked
against the workbook and the case, every problem collected at once.

A row's value in a draw is its distribution's inverse CDF at a uniform U (risk.md v3, "Correlated
draws"): U_j = Φ(√ρ · Z_f + √(1 − ρ) · ε_j), Z_f one standard normal per factor and draw, ε_j one per
(row, facility) and draw. Sampling needs scipy (`pip install 'rechain[risk]'`); reading and checking
the sheet does not.
"""

from __future__ import annotations

import functools
import math
import zlib
from dataclasses import dataclass, field
from statistics import NormalDist
from types import ModuleType
from typing import Any

import numpy as np

from ..base.errors import InputError, Issue, Problems
from ..models.dataset import Dataset
from .cases import make_dataset
from .cells import MISSING, parse_value
from .keys import split_key
from .read import RawSheet
from .schema import SETTINGS, UNCERTAINTY, Column
from .validate import Places, Table, Workbook, _rows

FACILITY_TARGETS = ("lead_time_delay", "capex_overrun", "failure")
DISTRIBUTIONS = ("discrete", "uniform", "triangular", "lognormal", "bernoulli")
CONTINUOUS = ("uniform", "triangular", "lognormal")
PROBABILITY_TOLERANCE = 1e-6
NOT_NUMERIC = ("bloc",)  # case keys whose value is a label, not a number
YEAR_KEYS = ("embargo", "ban")
FACTOR_KEYS = ("demand_factor", "restricted_cost_factor", "capex_factor", "opex_factor", "capacity_factor")
P1_NUMBER = Column("p1", "float", "p1 of a distribution other than discrete")  # the sheet reads p1 as text
COMMON = "common"  # the factor of a row with a correlation and no factor
TAIL = 0.001  # a lognormal's support is checked from its 0.1th to its 99.9th percentile
MULTIPLIER_CAP = 100.0  # capex_overrun and the *_factor keys: support within (0, 100]
YEAR_CAP = 9999  # drawn years (embargo, ban, year settings): support within [0, 9999]
HIGH_CELL = {"discrete": "p1", "uniform": "p2", "triangular": "p3", "lognormal": "p2", "bernoulli": "p1"}
NEEDS_SCIPY = "needs scipy: pip install 'rechain[risk]'"


def scipy_stats() -> ModuleType:
    """scipy.stats, or an InputError (exit 2) saying how to install it."""
    try:
        from scipy import stats
    except ImportError:
        raise InputError([Issue("scipy", f"the scipy package ({NEEDS_SCIPY})", "<not installed>")]) from None
    return stats  # type: ignore[no-any-return]  # scipy has no stubs in the test extra


@dataclass(frozen=True)
class Distribution:
    """One of risk.md's distributions with its parameters."""

    name: str
    params: tuple[float, ...] = ()
    values: tuple[float, ...] = ()  # discrete
    probs: tuple[float, ...] = ()  # discrete, normalised to sum to 1

    @property
    def continuous(self) -> bool:
        return self.name in CONTINUOUS

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The inverse CDF at each u in (0, 1): bernoulli 1 when u > 1 − p; discrete the first value whose
        cumulative probability (in the order written) exceeds u; the others by scipy.stats."""
        if self.name == "bernoulli":
            return (u > 1 - self.params[0]).astype(float)
        if self.name == "discrete":
            cumulative = np.cumsum(self.probs)
            index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.values) - 1)
            return np.asarray(self.values)[index]
        low, high = self.support()
        if low == high:
            return np.full(len(u), low)
        return np.asarray(_frozen(self.name, self.params).ppf(u), dtype=float)

    def central(self) -> float:
        """The median of a continuous distribution (uniform (a + b)/2; triangular a + √((b − a)(c − a)/2)
        when the mode c ≥ (a + b)/2, else b − √((b − a)(b − c)/2); lognormal its median), the most likely
        value of a discrete or bernoulli one (risk.md v3, "Readings decided"); ties go to the first listed
        value, and a bernoulli with p = 0.5 to 0."""
        p = self.params
        if self.name == "discrete":
            return self.values[int(np.argmax(self.probs))]
        if self.name == "bernoulli":
            return 1.0 if p[0] > 0.5 else 0.0
        if self.name == "uniform":
            return (p[0] + p[1]) / 2
        if self.name == "lognormal":
            return p[0]
        a, c, b = p
        if c >= (a + b) / 2:
            return a + math.sqrt((b - a) * (c - a) / 2)
        return b - math.sqrt((b - a) * (b - c) / 2)

    def support(self) -> tuple[float, float]:
        """The lowest and highest values a draw can take (a lognormal: its 0.1th and 99.9th percentiles,
        median · exp(∓ 3.09 σ))."""
        p = self.params
        if self.name in ("discrete", "bernoulli"):
            taken = self.points()
            return min(taken), max(taken)
        if self.name == "lognormal":
            z = NormalDist().inv_cdf(1 - TAIL)
            return p[0] * _exp(-z * p[1]), p[0] * _exp(z * p[1])
        return p[0], p[-1]

    def points(self) -> tuple[float, ...]:
        """The values a key target is checked at: every value drawn with a probability > 0, or a
        continuous distribution's support and median."""
        if self.name == "discrete":
            return tuple(v for v, q in zip(self.values, self.probs, strict=True) if q > 0)
        if self.name == "bernoulli":
            return tuple(v for v, q in ((0.0, 1 - self.params[0]), (1.0, self.params[0])) if q > 0)
        low, high = self.support()
        return (low, self.central(), high)

    def class_of(self, value: float) -> str:
        """A condition's class (risk.md v3, "Conditions"): the value itself for discrete and bernoulli
        ("2030", "1", "0.5"), below or at or above the median for continuous distributions."""
        if self.continuous:
            return "below median" if value < self.central() else "at or above median"
        return number_text(value)


@functools.cache
def _frozen(name: str, params: tuple[float, ...]) -> Any:  # a frozen scipy.stats distribution
    """The scipy.stats distribution of a continuous row (made once: making one is slow)."""
    stats, p = scipy_stats(), params
    if name == "uniform":
        return stats.uniform(loc=p[0], scale=p[1] - p[0])
    if name == "triangular":
        return stats.triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])
    return stats.lognorm(p[1], scale=p[0])


def number_text(value: float) -> str:
    """2030.0 as "2030", 0.25 as "0.25"."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _exp(x: float) -> float:
    return math.exp(x) if x < 700 else math.inf


@dataclass(frozen=True)
class Target:
    """A facility target (`kind` in FACILITY_TARGETS, stage order, node or None for the whole stage)
    or a case key (`kind` = "key", `key` as written)."""

    kind: str
    stage: int | None = None
    node: str | None = None
    key: str = ""
    whole: bool = False  # the key's value is a whole number (a year); samples are rounded down

    def label(self, stage_ids: dict[int, str]) -> str:
        if self.kind == "key":
            return self.key
        return ".".join(x for x in (self.kind, self.node, stage_ids[self.stage or 0]) if x)

    def text(self, value: float) -> str:
        """A key's drawn value as a --set entry: years rounded down."""
        return str(math.floor(value)) if self.whole else repr(float(value))


@dataclass(frozen=True)
class Uncertainty:
    target: Target
    distribution: Distribution
    shared: bool
    scenario: str | None
    place: str  # the row's target cell
    name: str = ""  # the target as written | the scenario: the row's stable id
    factor: str | None = None
    correlation: float = 0.0
    condition: bool = False

    @property
    def rho(self) -> float:
        """The row's correlation with its factor: shared = TRUE is ρ = 1 on a factor of its own."""
        return 1.0 if self.shared else self.correlation

    @property
    def one_value(self) -> bool:
        """Does the row take one value per draw (a key, a node-level target, a shared or ρ = 1 row)?"""
        return self.target.kind == "key" or self.target.node is not None or self.rho == 1

    @property
    def factor_name(self) -> str:
        return f"shared|{self.name}" if self.shared else f"factor|{self.factor or COMMON}"

    def uniforms(self, seed: int, i: int, n: int, factors: dict[int, float]) -> np.ndarray:
        """U_j = Φ(√ρ · Z_f + √(1 − ρ) · ε_j), j = 1 … n, in draw i. Z_f comes from the stream
        (seed, i, 0, crc32 of the factor's name) and is kept in `factors` for the other rows of the
        draw; the ε_j from (seed, i, 1, crc32 of the row's name): draw i depends only on (seed, i)."""
        rho = self.rho
        x = np.zeros(n)
        if rho > 0:
            f = zlib.crc32(self.factor_name.encode())
            if f not in factors:
                factors[f] = float(np.random.default_rng([seed, i, 0, f]).standard_normal())
            x += math.sqrt(rho) * factors[f]
        if rho < 1:
            own = np.random.default_rng([seed, i, 1, zlib.crc32(self.name.encode())])
            x += math.sqrt(1 - rho) * own.standard_normal(n)
        scipy_stats()
        from scipy.special import ndtr

        return np.asarray(ndtr(x), dtype=float)


@dataclass
class UncertaintySheet:
    rows: list[Uncertainty] = field(default_factory=list)

    def for_scenario(self, scenario: str | None) -> list[Uncertainty]:
        return [u for u in self.rows if u.scenario is None or u.scenario == scenario]


def in_precedence(rows: list[Uncertainty]) -> list[Uncertainty]:
    """The rows in the order they apply, later beating earlier: node-level over stage-level, a scenario's
    row over a row for every case, then the sheet's order."""
    ranked = sorted(
        enumerate(rows), key=lambda item: (item[1].target.node is not None, item[1].scenario is not None, item[0])
    )
    return [u for _, u in ranked]


def read_uncertainty(raw: RawSheet | None, ds: Dataset, scenarios: list[str]) -> UncertaintySheet:
    """The typed rows of the sheet for a case; InputError naming every bad cell."""
    problems = Problems()
    sheet = _read(raw, ds, scenarios, problems)
    problems.raise_if_any()
    return sheet


def check_uncertainty(
    raw: RawSheet | None, wb: Workbook, scenario: str | None, overrides: tuple[tuple[str, str], ...], ds: Dataset
) -> tuple[Uncertainty, ...]:
    """The rows of a case (`ds`, made of the scenario and overrides), after every check of the sheet,
    all problems raised at once: each row's cells and caps, a --set on a key the sheet draws, and the
    case each key row makes at every point of its support (so no draw can make an invalid case)."""
    problems = Problems()
    rows = _read(raw, ds, wb.scenario_names, problems).for_scenario(scenario)
    conflicts = set_conflicts(rows, overrides)
    problems.errors += conflicts
    clashing = {i.place.removeprefix("--set ") for i in conflicts}
    drawn = [u for u in rows if split_key(u.target.key) not in map(split_key, clashing)]
    problems.errors += [i for i in key_point_issues(wb, scenario, overrides, drawn) if i not in problems.errors]
    problems.raise_if_any()
    return tuple(rows)


def set_conflicts(rows: list[Uncertainty], overrides: tuple[tuple[str, str], ...]) -> list[Issue]:
    """A --set on a key the sheet draws (risk.md v3): an error naming both."""
    drawn = {split_key(u.target.key): u for u in rows if u.target.kind == "key"}
    issues = []
    for key, value in overrides:
        u = drawn.get(split_key(key))
        if u is not None:
            expected = f"a key the uncertainty sheet does not draw ({u.target.key} is drawn at {u.place}; drop one)"
            issues.append(Issue(f"--set {key}", expected, value))
    return issues


def key_point_issues(
    wb: Workbook, scenario: str | None, overrides: tuple[tuple[str, str], ...], rows: list[Uncertainty]
) -> list[Issue]:
    """The problems of the cases the key rows make at their support points (point k of every row at
    once, a row with fewer points repeating its last), each placed at the row's target cell."""
    from .cases import make_dataset

    keyed = {split_key(u.target.key): u for u in in_precedence(rows) if u.target.kind == "key"}
    points = [(u, u.distribution.points()) for u in keyed.values()]
    issues: list[Issue] = []
    said: set[tuple[str, str]] = set()  # one issue per cell and kind: the first point that shows it
    for k in range(max((len(p) for _, p in points), default=0)):
        entries = tuple((u.target.key, u.target.text(p[min(k, len(p) - 1)])) for u, p in points)
        try:
            make_dataset(wb, scenario, tuple(overrides) + entries)
        except InputError as exc:
            issues += [i for i in placed(exc, list(keyed.values())) if (i.place, i.expected) not in said]
            said = {(i.place, i.expected) for i in issues}
    return issues


def _read(raw: RawSheet | None, ds: Dataset, scenarios: list[str], problems: Problems) -> UncertaintySheet:
    sheet = UncertaintySheet()
    if raw is None:
        return sheet
    table: Table = _rows(UNCERTAINTY, raw, problems)
    for _, v, p in table.rows:
        row = _row(v, p, ds, scenarios, problems)
        if row is not None:
            sheet.rows.append(row)
    return sheet


def _row(v: dict[str, Any], p: Places, ds: Dataset, scenarios: list[str], problems: Problems) -> Uncertainty | None:
    target = _target(v["target"], ds, p["target"], problems)
    distribution = _distribution(v, p, problems)
    if v["scenario"] is not None and v["scenario"] not in scenarios:
        problems.error(p["scenario"], f"a scenario of the workbook ({', '.join(scenarios) or 'none'})", v["scenario"])
        return None
    if target is None or distribution is None:
        return None
    name = f"{v['target'].strip()}|{v['scenario'] or ''}"
    row = Uncertainty(
        target, distribution, bool(v["shared"]), v["scenario"], p["target"], name,
        v["factor"], float(v["correlation"]), bool(v["condition"]),
    )  # fmt: skip
    found = [check(row, v, p, ds, problems) for check in (_kind_fits, _within_caps, _factor_fits, _condition_fits)]
    return row if all(found) else None


def _kind_fits(u: Uncertainty, v: dict[str, Any], p: Places, ds: Dataset, problems: Problems) -> bool:
    if u.target.kind == "failure" and u.distribution.name != "bernoulli":
        problems.error(p["distribution"], "bernoulli (failure is 1 or 0)", v["distribution"])
        return False
    return True


def _caps(u: Uncertainty, ds: Dataset) -> tuple[float, float, str]:
    """The range a row's support must stay in, and its wording (docs/workbook.md, "Caps of drawn values")."""
    head = split_key(u.target.key)[0]
    if u.target.kind == "capex_overrun" or (u.target.kind == "key" and head in FACTOR_KEYS):
        low = 0.0 if head == "capacity_factor" else math.nextafter(0.0, 1.0)
        return low, MULTIPLIER_CAP, f"multipliers {'>= 0' if low == 0 else '> 0'} and <= {MULTIPLIER_CAP:g}"
    if u.target.kind == "lead_time_delay":
        years = ds.settings.last_year - ds.settings.first_year + 1
        return 0.0, float(years), f"delays from 0 to the horizon's {years} years"
    if u.target.whole:
        return 0.0, float(YEAR_CAP), f"whole numbers (years) from 0 to {YEAR_CAP}"
    return -math.inf, math.inf, "finite values"


def _within_caps(u: Uncertainty, v: dict[str, Any], p: Places, ds: Dataset, problems: Problems) -> bool:
    """The row's support (a lognormal's 0.1th to 99.9th percentile) within its caps, checked at its cell."""
    low, high = u.distribution.support()
    cap_low, cap_high, words = _caps(u, ds)
    shown = f"<support {low:.4g} ... {high:.4g}>"
    if not math.isfinite(low) or low < cap_low:
        problems.error(p["p1"], f"{words} ({u.target.kind if u.target.kind != 'key' else u.target.key})", shown)
        return False
    if not math.isfinite(high) or high > cap_high:
        tail = " (a lognormal's 99.9th percentile)" if u.distribution.name == "lognormal" else ""
        problems.error(p[HIGH_CELL[u.distribution.name]], f"{words}{tail}", shown)
        return False
    return True


def _factor_fits(u: Uncertainty, v: dict[str, Any], p: Places, ds: Dataset, problems: Problems) -> bool:
    """shared = TRUE is ρ = 1 on a factor of its own: no factor or correlation beside it."""
    if u.shared and (u.factor is not None or u.correlation > 0):
        column = "factor" if u.factor is not None else "correlation"
        problems.error(p[column], "a blank factor and correlation with shared = TRUE (shared is correlation 1 on a "
                       "factor of its own)", v[column])  # fmt: skip
        return False
    return True


def _condition_fits(u: Uncertainty, v: dict[str, Any], p: Places, ds: Dataset, problems: Problems) -> bool:
    if u.condition and not u.one_value:
        problems.error(
            p["condition"],
            "a row that takes one value per draw for condition = TRUE (a case key, a node-level target, "
            "shared = TRUE or correlation 1)",
            "<a stage-level row that draws each facility's own value>",
        )
        return False
    return True


def _target(text: str, ds: Dataset, place: str, problems: Problems) -> Target | None:
    head, _, rest = text.strip().partition(".")
    if head in FACILITY_TARGETS:
        return _facility_target(head, rest, ds, place, problems)
    key_head, key_rest = split_key(text)
    column = next((c for c in SETTINGS.columns if c.name == key_head), None)
    numeric_setting = column is not None and column.kind in ("int", "float")
    scenario_key = key_head == "demand_factor" or (key_head in _numeric_prefixes() and bool(key_rest))
    if not (numeric_setting or scenario_key):
        problems.error(
            place,
            "lead_time_delay|capex_overrun|failure.[<node>.]<stage>, or a numeric settings or scenario key "
            "(demand_factor, restricted_cost_factor, capex_factor.<bloc>, capacity_factor.<node>, embargo.<bloc>, ...)",
            text,
        )
        return None
    whole = (column is not None and column.kind == "int") or key_head in YEAR_KEYS
    return Target("key", key=text.strip(), whole=whole)


def _numeric_prefixes() -> tuple[str, ...]:
    from .keys import PREFIXES

    return tuple(p for p in PREFIXES if p not in NOT_NUMERIC) + ("embargo", "max_share", "max_t", "initial_t")


def _facility_target(kind: str, rest: str, ds: Dataset, place: str, problems: Problems) -> Target | None:
    orders = {s.id: s.order for s in ds.stages}
    if rest in orders:
        return Target(kind, orders[rest])
    for i, ch in enumerate(rest):
        if ch == "." and rest[:i] in ds.nodes and rest[i + 1 :] in orders:
            node, order = rest[:i], orders[rest[i + 1 :]]
            if (node, order) not in ds.facilities:
                problems.error(place, f"a node with a {rest[i + 1 :]} facility", f"{kind}.{rest}")
                return None
            return Target(kind, order, node)
    stages = ", ".join(orders)
    problems.error(
        place, f"{kind}.<stage> or {kind}.<node>.<stage> with a known node and stage ({stages})", kind + "." + rest
    )
    return None


def _distribution(v: dict[str, Any], p: Places, problems: Problems) -> Distribution | None:
    name = str(v["distribution"]).strip().lower()
    if name not in DISTRIBUTIONS:
        problems.error(p["distribution"], " | ".join(DISTRIBUTIONS), v["distribution"])
        return None
    if name == "discrete":
        return _discrete(v["p1"], p["p1"], problems)
    p1 = parse_value(P1_NUMBER, v["p1"], p["p1"], problems)
    if p1 is MISSING:
        return None
    needed = {"uniform": 2, "triangular": 3, "lognormal": 2, "bernoulli": 1}[name]
    params = [p1, v["p2"], v["p3"]][:needed]
    for value, col in zip(params, ("p1", "p2", "p3"), strict=False):
        if value is None:
            if all(issue.place != p[col] for issue in problems.errors):  # not a cell that did not parse
                problems.error(p[col], f"a number ({name} needs p1 ... p{needed})", None)
            return None
    return _checked(name, tuple(float(x) for x in params), p, problems)


def _checked(name: str, params: tuple[float, ...], p: Places, problems: Problems) -> Distribution | None:
    if name == "uniform" and params[0] > params[1]:
        problems.error(p["p2"], f"high >= low ({params[0]:g})", params[1])
        return None
    if name == "triangular" and not params[0] <= params[1] <= params[2]:
        problems.error(p["p2"], f"low <= mode <= high ({params[0]:g} <= mode <= {params[2]:g})", params[1])
        return None
    if name == "lognormal" and params[0] <= 0:
        problems.error(p["p1"], "a median > 0", params[0])
        return None
    if name == "lognormal" and params[1] < 0:
        problems.error(p["p2"], "a sigma >= 0", params[1])
        return None
    if name == "bernoulli" and not 0 <= params[0] <= 1:
        problems.error(p["p1"], "a probability in [0, 1]", params[0])
        return None
    return Distribution(name, params)


def _discrete(text: object, place: str, problems: Problems) -> Distribution | None:
    values, probs = [], []
    for part in str(text or "").split(","):
        value, colon, prob = part.partition(":")
        try:
            if not colon:
                raise ValueError
            values.append(float(value))
            probs.append(float(prob))
        except ValueError:
            problems.error(place, "value:prob, value:prob, ... (e.g. 0:0.7, 2:0.3)", text)
            return None
    if any(not math.isfinite(x) for x in values + probs) or any(q < 0 for q in probs):
        problems.error(place, "finite values and probabilities >= 0", text)
        return None
    total = sum(probs)
    if abs(total - 1) > PROBABILITY_TOLERANCE:
        problems.error(place, "probabilities that sum to 1 (within 1e-6)", f"<a sum of {total:.6g} in {text!r}>")
        return None
    return Distribution("discrete", (), tuple(values), tuple(q / total for q in probs))


def placed(exc: InputError, rows: list[Uncertainty]) -> list[Issue]:
    """A key target's value that makes no valid case: the issue names the row's cell, not --set."""
    places = {u.target.key: u.place for u in rows if u.target.kind == "key"}
    issues = []
    for issue in exc.issues:
        key = issue.place.removeprefix("--set ")
        issues.append(Issue(places[key], issue.expected, issue.found) if key in places else issue)
    return issues


def raise_on_key_problems(exc: InputError, rows: list[Uncertainty]) -> None:
    raise InputError(placed(exc, rows), exc.warnings) from None


def case_issues(wb: Workbook, raw: RawSheet | None, warnings: list[str]) -> list[Issue]:
    """The problems of the base case and of every scenario, the uncertainty sheet's in each included."""
    issues: list[Issue] = []
    for scenario in [None, *wb.scenario_names]:
        try:
            check_uncertainty(raw, wb, scenario, (), make_dataset(wb, scenario, warnings=warnings))
        except InputError as exc:
            issues += [i for i in exc.issues if i not in issues]
    return issues
