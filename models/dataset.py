"""The typed, validated dataset the formulation consumes (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

CLEAN, MIXED = "clean", "mixed"
MONEY = 1e-6  # the model counts money in millions of USD; reports convert back


@dataclass(frozen=True)
class Settings:
    """The case's settings; their defaults are decided by the workbook schema, not here."""

    first_year: int
    last_year: int
    discount_rate: float
    max_restricted_share: float
    independence_year: int | None
    restricted_blocs: frozenset[str]
    protected_blocs: frozenset[str]
    budget_blocs: frozenset[str] | None
    budget_usd: float | None
    annual_budget_usd: float | None
    restricted_cost_factor: float
    unmet_penalty_usd_per_t: float
    shortfall_penalty_usd_per_t: float
    default_transport_usd_per_t: float

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def first_independence_year(self) -> int:
        return self.first_year if self.independence_year is None else self.independence_year


@dataclass(frozen=True)
class Stage:
    id: str
    order: int
    yield_: float = 1.0


@dataclass(frozen=True)
class Facility:
    node: str
    stage: int
    existing_tpa: float = 0.0
    max_tpa: float | None = None
    capex_usd_per_tpa: float | None = None
    fixed_om_usd_per_tpa_yr: float = 0.0
    opex_usd_per_t: float = 0.0
    lead_time_years: int = 0
    lifetime_years: float = 25.0
    available_from_year: int | None = None
    max_build_tpa_per_year: float | None = None
    source: str = ""
    place: str = ""  # the workbook row it came from, e.g. "facilities!A7"


@dataclass(frozen=True)
class Route:
    from_node: str
    to_node: str
    stage: int | None
    cost_usd_per_t: float = 0.0
    allowed: bool = True


@dataclass(frozen=True)
class TradeRule:
    from_bloc: str | None = None
    to_bloc: str | None = None
    stage: int | None = None
    element: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    allowed: bool = True
    tariff_usd_per_t: float = 0.0
    place: str = ""

    def matches(self, from_bloc: str, to_bloc: str, stage: int, element: str | None, year: int) -> bool:
        """Does this rule cover a flow? `element` is None for stage-1 bundles."""
        if from_bloc == to_bloc:
            return False
        if self.element is not None and self.element != element:
            return False
        return ((self.from_bloc is None or self.from_bloc == from_bloc)
                and (self.to_bloc is None or self.to_bloc == to_bloc)
                and (self.stage is None or self.stage == stage)
                and (self.first_year is None or year >= self.first_year)
                and (self.last_year is None or year <= self.last_year))


@dataclass(frozen=True)
class BlocBudget:
    bloc: str
    budget_usd: float
    place: str = ""


def _frozen(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Dataset:
    """One case, ready to model: settings, network, costs and demand.

    `capex_factor`/`opex_factor` (per bloc) and `demand_factor` are the
    scenario multipliers of workbook.md; the model applies them as mutable
    parameters so sweeps can change them without a rebuild.
    """

    settings: Settings
    nodes: Mapping[str, str]  # node -> bloc
    stages: tuple[Stage, ...]  # sorted by order
    facilities: Mapping[tuple[str, int], Facility]
    composition: Mapping[str, Mapping[str, float]]
    demand: Mapping[tuple[str, str, int], float]  # (node, element, year) -> t
    routes: tuple[Route, ...] = ()
    trade_rules: tuple[TradeRule, ...] = ()
    bloc_budgets: tuple[BlocBudget, ...] = ()
    demand_factor: float = 1.0
    capex_factor: Mapping[str, float] = field(default_factory=dict)
    opex_factor: Mapping[str, float] = field(default_factory=dict)
    setting_places: Mapping[str, str] = field(default_factory=dict)  # key -> "settings!B7" or "--set key"

    def __post_init__(self):
        for name in ("nodes", "facilities", "composition", "demand", "capex_factor", "opex_factor",
                     "setting_places"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "composition",
                           _frozen({n: _frozen(s) for n, s in self.composition.items()}))

    @property
    def last_stage(self) -> int:
        return len(self.stages)

    @property
    def blocs(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.nodes.values())))

    @property
    def restricted(self) -> frozenset[str]:
        return frozenset(n for n, b in self.nodes.items() if b in self.settings.restricted_blocs)

    @property
    def budget_blocs(self) -> frozenset[str]:
        chosen = self.settings.budget_blocs
        if chosen is None:
            return frozenset(b for b in self.blocs if b not in self.settings.restricted_blocs)
        return chosen

    @property
    def elements(self) -> tuple[str, ...]:
        found = {e for shares in self.composition.values() for e in shares}
        found |= {e for (_, e, _) in self.demand}
        return tuple(sorted(found))

    def stage_yield(self, order: int) -> float:
        return self.stages[order - 1].yield_

    def demand_in_horizon(self) -> dict[tuple[str, str, int], float]:
        years = self.settings.years
        return {key: d for key, d in self.demand.items() if key[2] in years and d > 0}
