"""The typed, validated dataset the formulation consumes (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

CLEAN, MIXED = "clean", "mixed"
LOCATION, OWNERSHIP = "location", "ownership"  # the settings' clean_by
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
    # Version 2 (model.md, "Version 2 additions")
    cost_advantage_blocs: frozenset[str] | None  # None = restricted_blocs
    ramp_up: tuple[float, ...]  # share of nameplate in the 1st, 2nd, ... operating year; () = no ramp
    must_run_until_year: int | None  # None = first_year
    embargo: Mapping[str, int]  # consumer bloc -> first year without mixed supply
    # Version 3 (model.md, "Version 3 additions")
    shortfall_at_any_price: bool = False  # least total shortfall first, then least cost (Model.solve)
    clean_by: str = LOCATION  # the bloc that decides clean: LOCATION (the node's) or OWNERSHIP (its owner's)
    allied_only_stages: frozenset[str] = frozenset()  # stage ids clean only at nodes of protected_blocs

    def __post_init__(self) -> None:
        object.__setattr__(self, "embargo", _frozen(self.embargo))

    def __hash__(self) -> int:
        return hash(tuple((f, getattr(self, f)) for f in self.__dataclass_fields__ if f != "embargo"))

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
    ramp_up: tuple[float, ...] | None = None  # None or () = the setting's
    place: str = ""  # the workbook row it came from, e.g. "stages!A3"


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
    ramp_up: tuple[float, ...] | None = None  # None or () = the stage's
    min_utilization: float = 0.0  # must-run share of existing capacity (model.md, "Must-run")


@dataclass(frozen=True)
class Circuit:
    """An element circuit of a separation facility (model.md, "Element-specific separation circuits").

    Capacity in t of separated element per year. Blank capex = no builds;
    lead time None = the facility's; available_from_year None = first_year.
    """

    existing_tpa: float = 0.0
    max_tpa: float | None = None
    capex_usd_per_tpa: float | None = None
    fixed_om_usd_per_tpa_yr: float = 0.0
    lead_time_years: int | None = None
    available_from_year: int | None = None
    max_build_tpa_per_year: float | None = None
    source: str = ""
    place: str = ""


@dataclass(frozen=True)
class Stockpile:
    """A stock of the last stage's output at a consumer (model.md, "Strategic stockpiles")."""

    initial_t: float = 0.0
    initial_provenance: str = CLEAN
    max_t: float | None = None  # None = unlimited
    holding_cost_usd_per_t_yr: float = 0.0
    place: str = ""


@dataclass(frozen=True)
class Recipe:
    """One way to make a product (model.md, "Products with alternative recipes")."""

    t_per_t: Mapping[str, float]  # element -> t of element per t of product
    extra_cost_usd_per_t: float = 0.0
    max_share: float = 1.0
    available_from_year: int | None = None  # None = first_year
    place: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "t_per_t", _frozen(self.t_per_t))

    def __hash__(self) -> int:
        return hash(
            (
                tuple(sorted(self.t_per_t.items())),
                self.extra_cost_usd_per_t,
                self.max_share,
                self.available_from_year,
                self.place,
            )
        )

    def available(self, year: int, first_year: int) -> bool:
        start = first_year if self.available_from_year is None else self.available_from_year
        return year >= start and self.max_share > 0


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
        return (
            (self.from_bloc is None or self.from_bloc == from_bloc)
            and (self.to_bloc is None or self.to_bloc == to_bloc)
            and (self.stage is None or self.stage == stage)
            and (self.first_year is None or year >= self.first_year)
            and (self.last_year is None or year <= self.last_year)
        )


@dataclass(frozen=True)
class BlocBudget:
    bloc: str
    budget_usd: float
    place: str = ""


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
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
    # Version 2 (model.md, "Version 2 additions"); empty = the v1 LP.
    node_restricted: Mapping[str, bool] = field(default_factory=dict)  # explicit flags; absent = by bloc
    availability: Mapping[tuple[str, int, int], float] = field(default_factory=dict)  # (node, order, year) -> tpa
    circuits: Mapping[tuple[str, str], Circuit] = field(default_factory=dict)  # (separator node, element)
    stockpiles: Mapping[tuple[str, str], Stockpile] = field(default_factory=dict)  # (consumer, element)
    recipes: Mapping[str, Mapping[str, Recipe]] = field(default_factory=dict)  # product -> recipe -> Recipe
    availability_places: Mapping[tuple[str, int, int], str] = field(default_factory=dict)  # "availability!A2"
    # Version 3 (model.md, "Version 3 additions")
    node_owner: Mapping[str, str] = field(default_factory=dict)  # node -> owner bloc; absent = its own bloc

    def __post_init__(self) -> None:
        for name in (
            "nodes",
            "facilities",
            "composition",
            "demand",
            "capex_factor",
            "opex_factor",
            "setting_places",
            "node_restricted",
            "availability",
            "availability_places",
            "node_owner",
            "circuits",
            "stockpiles",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "composition", _frozen({n: _frozen(s) for n, s in self.composition.items()}))
        object.__setattr__(self, "recipes", _frozen({p: _frozen(r) for p, r in self.recipes.items()}))

    @property
    def last_stage(self) -> int:
        return len(self.stages)

    @property
    def blocs(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.nodes.values())))

    @cached_property
    def clean_bloc(self) -> Mapping[str, str]:
        """The bloc that decides whether a node is clean: its own, or with clean_by = ownership its owner's
        (blank owner = its own bloc)."""
        if self.settings.clean_by != OWNERSHIP:
            return self.nodes
        return _frozen({n: self.node_owner.get(n, b) for n, b in self.nodes.items()})

    @cached_property
    def restricted(self) -> frozenset[str]:
        """R, restricted at every stage: a node's explicit `restricted` flag wins, else
        clean_bloc(n) ∈ restricted_blocs."""
        explicit, blocs = self.node_restricted, self.settings.restricted_blocs
        return frozenset(n for n, b in self.clean_bloc.items() if (explicit[n] if n in explicit else b in blocs))

    @cached_property
    def restricted_by_stage(self) -> Mapping[int, frozenset[str]]:
        """R_k, the nodes whose stage-k output is mixed: R, plus at a stage of allied_only_stages every node
        without an explicit flag whose clean_bloc is not protected. Every provenance rule reads this."""
        allied_only = self.settings.allied_only_stages
        outside = frozenset(
            n
            for n, b in self.clean_bloc.items()
            if n not in self.node_restricted and b not in self.settings.protected_blocs
        )
        return _frozen(
            {s.order: self.restricted | outside if s.id in allied_only else self.restricted for s in self.stages}
        )

    def restricted_at(self, k: int) -> frozenset[str]:
        """R_k: the nodes whose output of stage order k is mixed."""
        return self.restricted_by_stage[k]

    @property
    def cost_advantage_blocs(self) -> frozenset[str]:
        """Blocs whose nodes get φ = restricted_cost_factor (default: restricted_blocs)."""
        chosen = self.settings.cost_advantage_blocs
        return self.settings.restricted_blocs if chosen is None else chosen

    def ramp(self, n: str, k: int) -> tuple[float, ...]:
        """Ramp profile of new capacity at facility (n, k): facility, else stage, else setting."""
        return self.facilities[(n, k)].ramp_up or self.stage_ramp(k)

    def stage_ramp(self, k: int) -> tuple[float, ...]:
        """Ramp profile of stage k (and of the circuits when k = 2): stage, else setting."""
        return self.stages[k - 1].ramp_up or self.settings.ramp_up

    @property
    def budget_blocs(self) -> frozenset[str]:
        chosen = self.settings.budget_blocs
        if chosen is None:
            return frozenset(b for b in self.blocs if b not in self.settings.restricted_blocs)
        return chosen

    @property
    def elements(self) -> tuple[str, ...]:
        found = {e for shares in self.composition.values() for e in shares}
        found |= {e for (_, e, _) in self.demand if e not in self.recipes}
        found |= {e for recipes in self.recipes.values() for r in recipes.values() for e in r.t_per_t}
        return tuple(sorted(found))

    def stage_yield(self, order: int) -> float:
        return self.stages[order - 1].yield_

    def demand_in_horizon(self) -> dict[tuple[str, str, int], float]:
        """Element demand D[m,e,y] > 0 in the horizon (product demand excluded)."""
        years, products = self.settings.years, self.recipes
        return {key: d for key, d in self.demand.items() if key[2] in years and d > 0 and key[1] not in products}

    def product_demand_in_horizon(self) -> dict[tuple[str, str, int], float]:
        """Product demand D[m,p,y] > 0 in the horizon (products are the recipes' keys)."""
        years, products = self.settings.years, self.recipes
        return {key: d for key, d in self.demand.items() if key[2] in years and d > 0 and key[1] in products}
