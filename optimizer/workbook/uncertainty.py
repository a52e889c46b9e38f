"""The uncertainty sheet (risk.md): typed rows with their distributions and targets, checked
against the workbook and the case, every problem collected at once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, Problems
from ..models.dataset import Dataset
from .cells import MISSING, parse_value
from .keys import split_key
from .read import RawSheet
from .schema import SETTINGS, UNCERTAINTY, Column
from .validate import Table, _rows

FACILITY_TARGETS = ("lead_time_delay", "capex_overrun", "failure")
DISTRIBUTIONS = ("discrete", "uniform", "triangular", "lognormal", "bernoulli")
PROBABILITY_TOLERANCE = 1e-6
NOT_NUMERIC = ("bloc",)  # case keys whose value is a label, not a number
YEAR_KEYS = ("embargo", "ban")
P1_NUMBER = Column("p1", "float", "p1 of a distribution other than discrete")  # the sheet reads p1 as text


@dataclass(frozen=True)
class Distribution:
    """One of risk.md's distributions with its parameters."""

    name: str
    params: tuple[float, ...] = ()
    values: tuple[float, ...] = ()  # discrete
    probs: tuple[float, ...] = ()  # discrete

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p = self.params
        if self.name == "discrete":
            return np.asarray(self.values)[rng.choice(len(self.values), size=n, p=np.asarray(self.probs))]
        if self.name == "uniform":
            return rng.uniform(p[0], p[1], n)
        if self.name == "triangular":
            return np.full(n, p[0]) if p[0] == p[2] else rng.triangular(p[0], p[1], p[2], n)
        if self.name == "lognormal":
            return p[0] * np.exp(p[1] * rng.standard_normal(n))
        return (rng.random(n) < p[0]).astype(float)

    def central(self) -> float:
        """The median or most likely value (risk.md, mode `commit`); ties go to the first listed value,
        and a bernoulli with p = 0.5 to 0."""
        p = self.params
        if self.name == "discrete":
            return self.values[int(np.argmax(self.probs))]
        if self.name == "uniform":
            return (p[0] + p[1]) / 2
        if self.name == "triangular":
            return p[1]
        if self.name == "lognormal":
            return p[0]
        return 1.0 if p[0] > 0.5 else 0.0


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


@dataclass(frozen=True)
class Uncertainty:
    target: Target
    distribution: Distribution
    shared: bool
    scenario: str | None
    place: str  # the row's target cell


@dataclass
class UncertaintySheet:
    rows: list[Uncertainty] = field(default_factory=list)

    def for_scenario(self, scenario: str | None) -> list[Uncertainty]:
        return [u for u in self.rows if u.scenario is None or u.scenario == scenario]


def read_uncertainty(raw: RawSheet | None, ds: Dataset, scenarios: list[str]) -> UncertaintySheet:
    """The typed rows of the sheet for a case; InputError naming every bad cell."""
    problems = Problems()
    if raw is None:
        return UncertaintySheet()
    table: Table = _rows(UNCERTAINTY, raw, problems)
    sheet = UncertaintySheet()
    for _, v, p in table.rows:
        target = _target(v["target"], ds, p["target"], problems)
        distribution = _distribution(v, p, problems)
        if v["scenario"] is not None and v["scenario"] not in scenarios:
            problems.error(
                p["scenario"], f"a scenario of the workbook ({', '.join(scenarios) or 'none'})", v["scenario"]
            )
            continue
        if target is None or distribution is None:
            continue
        if target.kind == "failure" and distribution.name != "bernoulli":
            problems.error(p["distribution"], "bernoulli (failure is 1 or 0)", v["distribution"])
            continue
        if target.kind in ("capex_overrun",) and _can_be_nonpositive(distribution):
            problems.error(p["p1"], "a distribution of multipliers > 0 (capex_overrun)", v["p1"])
            continue
        sheet.rows.append(Uncertainty(target, distribution, bool(v["shared"]), v["scenario"], p["target"]))
    problems.raise_if_any()
    return sheet


def _can_be_nonpositive(d: Distribution) -> bool:
    if d.name == "discrete":
        return min(d.values) <= 0
    if d.name == "lognormal":
        return False
    return d.params[0] <= 0


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


def _distribution(v: dict, p, problems: Problems) -> Distribution | None:
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
            problems.error(p[col], f"a number ({name} needs p1 ... p{needed})", None)
            return None
    return _checked(name, tuple(float(x) for x in params), p, problems)


def _checked(name: str, params: tuple[float, ...], p, problems: Problems) -> Distribution | None:
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
    if abs(sum(probs) - 1) > PROBABILITY_TOLERANCE:
        problems.error(place, "probabilities that sum to 1 (within 1e-6)", f"<a sum of {sum(probs):.6g} in {text!r}>")
        return None
    return Distribution("discrete", (), tuple(values), tuple(probs))


def raise_on_key_problems(exc: InputError, rows: list[Uncertainty]) -> None:
    """A key target's value that makes no valid case: the error names the row's cell, not --set."""
    places = {u.target.key: u.place for u in rows if u.target.kind == "key"}
    issues = []
    for issue in exc.issues:
        key = issue.place.removeprefix("--set ")
        if key in places:
            issue = type(issue)(places[key], issue.expected, issue.found)
        issues.append(issue)
    raise InputError(issues, exc.warnings) from None
