"""The workbook schema: every sheet, column and setting, described once.

Validation, the `template` workbook's header comments and docs/workbook.md
are all derived from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from ..base.docs import rewrite_from_argv, spliced


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int | float | bool | text | list | shares (a list of shares, each in (0, 1])
    description: str
    unit: str = ""
    required: bool = False
    default: object = None
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    example: object = None
    usual: tuple[float | None, float | None] | None = None  # legal beyond these, but almost surely a slip
    slip: str = ""  # the likely slip, said to the user when a value is not usual

    def expectation(self) -> str:
        """Human wording of what a cell must hold, for error messages."""
        words = {
            "int": "a whole number",
            "float": "a number",
            "bool": "TRUE or FALSE",
            "text": "text",
            "list": "a comma-separated list",
            "shares": "a comma-separated list of shares, each > 0 and <= 1",
        }[self.kind]
        bounds = []
        if self.ge is not None:
            bounds.append(f">= {self.ge:g}")
        if self.gt is not None:
            bounds.append(f"> {self.gt:g}")
        if self.le is not None:
            bounds.append(f"<= {self.le:g}")
        return words + (" " + " and ".join(bounds) if bounds else "")


class Usual(TypedDict):
    """A column's usual range and the slip a value outside it likely is (Column's `usual` and `slip`)."""

    usual: tuple[float | None, float | None]
    slip: str


YEAR_RANGE = Usual(usual=(1900, 2200), slip="years are written in full, e.g. 2025")
RATE_RANGE = Usual(usual=(None, 0.3), slip="a rate is a fraction: 7 % is 0.07")
FACTOR_RANGE = Usual(usual=(None, 10), slip="a factor multiplies: +50 % is 1.5, -50 % is 0.5")
BUDGET_RANGE = Usual(usual=(1e6, None), slip="budgets are in USD, not millions or billions: 2 billion is 2e9")
DURATION_RANGE = Usual(usual=(None, 100), slip="a duration in years, not a calendar year")


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    description: str
    required: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def header(self) -> tuple[str, ...]:
        """The column names, in the order a workbook writes them."""
        return tuple(c.name for c in self.columns)


SETTINGS_HEADER = ("key", "value")  # the settings sheet lists one setting per row
SETTINGS_NOTE = "meaning"  # a free-text column the template adds; not read

SETTINGS = Sheet(
    "settings",
    (
        Column("first_year", "int", "first modelled year", "year", required=True, example=2025, **YEAR_RANGE),
        Column(
            "last_year", "int", "last modelled year (>= first_year)", "year", required=True, example=2035, **YEAR_RANGE
        ),
        Column("discount_rate", "float", "real discount rate", "1/yr", default=0.0, ge=0, example=0.07, **RATE_RANGE),
        Column(
            "max_restricted_share",
            "float",
            "alpha: share of protected demand that may be non-clean (1 = no requirement)",
            "share",
            default=1.0,
            ge=0,
            le=1,
            example=1,
        ),
        Column(
            "independence_year",
            "int",
            "first year the independence requirement applies (default first_year)",
            "year",
            example=2030,
            **YEAR_RANGE,
        ),
        Column(
            "restricted_blocs", "list", "blocs whose nodes make material mixed", default=("china",), example="china"
        ),
        Column(
            "protected_blocs",
            "list",
            "blocs whose demand the requirement covers",
            default=("allied",),
            example="allied",
        ),
        Column(
            "budget_blocs",
            "list",
            "blocs whose capex the budget covers (default: all blocs not restricted)",
            example="allied",
        ),
        Column(
            "budget_usd",
            "float",
            "total nominal capex cap over the horizon (blank = none)",
            "USD",
            ge=0,
            **BUDGET_RANGE,
        ),
        Column(
            "annual_budget_usd", "float", "nominal capex cap in each year (blank = none)", "USD", ge=0, **BUDGET_RANGE
        ),
        Column(
            "restricted_cost_factor",
            "float",
            "multiplies capex, fixed O&M and opex at restricted nodes",
            "factor",
            default=1.0,
            gt=0,
            example=1,
            **FACTOR_RANGE,
        ),
        Column(
            "unmet_penalty_usd_per_t",
            "float",
            "cost of each t of unmet demand",
            "USD/t",
            default=1e7,
            gt=0,
            example=1e7,
        ),
        Column(
            "shortfall_penalty_usd_per_t",
            "float",
            "cost of each t of independence shortfall",
            "USD/t",
            default=1e7,
            gt=0,
            example=1e7,
        ),
        Column(
            "shortfall_at_any_price",
            "bool",
            "TRUE: least total independence shortfall first (what is physically possible), then the least cost "
            "at that shortfall; FALSE: shortfall costs shortfall_penalty_usd_per_t",
            default=False,
            example=False,
        ),
        Column(
            "default_transport_usd_per_t",
            "float",
            "cost of an arc between two different nodes not listed in routes",
            "USD/t",
            default=0.0,
            ge=0,
            example=50,
        ),
        Column(
            "cost_advantage_blocs",
            "list",
            "blocs whose nodes pay restricted_cost_factor (default: restricted_blocs)",
            example="china",
        ),
        Column(
            "ramp_up",
            "shares",
            "share of nameplate new capacity gives in its 1st, 2nd, ... operating year, 1 after (blank = no ramp)",
            "share",
            default=(),
            example="0.4, 0.7, 0.9",
        ),
        Column(
            "must_run_until_year",
            "int",
            "last year of the min_utilization floors (default first_year)",
            "year",
            example=2027,
            **YEAR_RANGE,
        ),
        Column(
            "clean_by",
            "text",
            "location: a node is restricted by its own bloc; ownership: by its owner's bloc (nodes.owner, blank = "
            "its own)",
            default="location",
            example="location",
        ),
        Column(
            "allied_only_stages",
            "list",
            "stage ids whose output is clean only at nodes of protected_blocs (e.g. separation, metal, magnet: "
            "allied processing only); blank = none",
            default=(),
        ),
    ),
    "One setting per row under the header `key | value`.",
    required=True,
)
EMBARGO = Column(
    "embargo.<bloc>",
    "int",
    "from this year on, consumers of the bloc named in the key receive no mixed material at the last stage",
    "year",
    example=2030,
    **YEAR_RANGE,
)
KEYED_SETTINGS = {"embargo": EMBARGO}  # settings keys `<prefix>.<label>`, one row per label

BUILD_FROM = Column(  # facilities and circuits
    "available_from_year",
    "int",
    "first year construction may start (default first_year)",
    "year",
    example=2025,
    **YEAR_RANGE,
)

NODES = Sheet(
    "nodes",
    (
        Column("node", "text", "unique node id (a country, region or site)", required=True, example="USA"),
        Column("bloc", "text", "bloc label, e.g. china, allied, non_allied", required=True, example="allied"),
        Column("country", "text", "country name", example="United States"),
        Column("region", "text", "region", example="North America"),
        Column("note", "text", "free text, e.g. the alignment assumption", example="treaty ally"),
        Column(
            "restricted",
            "bool",
            "TRUE: the node's output is mixed, FALSE: clean, whatever its bloc (blank = by restricted_blocs)",
            example=False,
        ),
        Column(
            "owner",
            "text",
            "bloc of the company that owns the node's facilities (blank = its bloc); read when clean_by = ownership",
            example="allied",
        ),
    ),
    "One row per node.",
    required=True,
)

STAGES = Sheet(
    "stages",
    (
        Column("stage", "text", "unique stage id", required=True, example="mining"),
        Column("order", "int", "position in the chain, 1 ... k (each once)", required=True, ge=1, example=1),
        Column(
            "yield", "float", "output t per input t (not used for order 1)", "t/t", default=1.0, gt=0, le=1, example=1
        ),
        Column("description", "text", "free text", example="ore extraction"),
        Column(
            "ramp_up",
            "shares",
            "ramp-up of new capacity at this stage, as the setting (blank = the setting's)",
            "share",
            default=(),
            example="0.5, 0.8",
        ),
    ),
    "One row per stage; order 1 is extraction, order 2 separation.",
    required=True,
)

FACILITIES = Sheet(
    "facilities",
    (
        Column("node", "text", "node hosting the stage", required=True, example="USA"),
        Column("stage", "text", "stage id", required=True, example="mining"),
        Column("existing_tpa", "float", "capacity in service at the start", "t/yr", default=0.0, ge=0, example=1000),
        Column("max_tpa", "float", "maximum total capacity (>= existing; blank = unlimited)", "t/yr", ge=0),
        Column(
            "capex_usd_per_tpa",
            "float",
            "investment per t/yr of new capacity (blank = no new capacity can be built; 0 = free expansion)",
            "USD per t/yr",
            ge=0,
            example=20000,
        ),
        Column(
            "fixed_om_usd_per_tpa_yr",
            "float",
            "fixed O&M per t/yr of capacity in service, per year",
            "USD per t/yr per yr",
            default=0.0,
            ge=0,
            example=500,
        ),
        Column(
            "opex_usd_per_t",
            "float",
            "operating cost per t of input processed",
            "USD/t",
            default=0.0,
            ge=0,
            example=2000,
        ),
        Column(
            "lead_time_years",
            "int",
            "years from construction start to operation",
            "yr",
            default=0,
            ge=0,
            example=3,
            **DURATION_RANGE,
        ),
        Column(
            "lifetime_years",
            "float",
            "economic life, for the salvage value",
            "yr",
            default=25.0,
            gt=0,
            example=25,
            **DURATION_RANGE,
        ),
        BUILD_FROM,
        Column(
            "max_build_tpa_per_year",
            "float",
            "new capacity that may start in one year (blank = unlimited)",
            "t/yr",
            ge=0,
        ),
        Column("source", "text", "where the figures come from", example="USGS MCS 2025"),
        Column(
            "ramp_up",
            "shares",
            "ramp-up of new capacity here, as the setting (blank = the stage's)",
            "share",
            default=(),
            example="0.5",
        ),
        Column(
            "min_utilization",
            "float",
            "share of existing capacity that must run until must_run_until_year",
            "share",
            default=0.0,
            ge=0,
            le=1,
            example=0.5,
        ),
    ),
    "One row per (node, stage) that may host that stage.",
    required=True,
)

COMPOSITION = Sheet(
    "composition",
    (
        Column("node", "text", "a node with a stage-1 facility", required=True, example="USA"),
        Column("element", "text", "element or element group", required=True, example="NdPr"),
        Column(
            "share",
            "float",
            "share of the element in the REO extracted (a node's shares sum to 1)",
            "share",
            required=True,
            ge=0,
            le=1,
            example=1,
        ),
    ),
    "Element shares of the REO extracted at each stage-1 node.",
    required=True,
)

DEMAND = Sheet(
    "demand",
    (
        Column("node", "text", "consumer node", required=True, example="USA"),
        Column(
            "element",
            "text",
            "element or element group, or a product of the recipes sheet",
            required=True,
            example="NdPr",
        ),
        Column("year", "int", "year", "year", required=True, example=2025, **YEAR_RANGE),
        Column("demand_t", "float", "demand for the output of the last stage", "t", required=True, ge=0, example=500),
        Column(
            "scenario",
            "text",
            "blank = the base path; a name = this row only under that scenario, whose rows then give every year "
            "of its (node, element)",
        ),
    ),
    "Demand for the last stage's output, per consumer, element and year.",
    required=True,
)

ROUTES = Sheet(
    "routes",
    (
        Column("from_node", "text", "origin node", required=True, example="USA"),
        Column("to_node", "text", "destination node", required=True, example="China"),
        Column("stage", "text", "the stage whose output moves (blank = every stage)"),
        Column("cost_usd_per_t", "float", "transport cost", "USD/t", default=0.0, ge=0, example=80),
        Column("allowed", "bool", "FALSE removes the arc", default=True, example=True),
    ),
    "Directional transport arcs and their cost; unlisted pairs cost the default.",
)

TRADE_RULES = Sheet(
    "trade_rules",
    (
        Column("from_bloc", "text", "source bloc (blank = any)", example="china"),
        Column("to_bloc", "text", "destination bloc (blank = any)", example="allied"),
        Column("stage", "text", "shipping stage (blank = any)"),
        Column("element", "text", "element (blank = any; an element never matches stage-1 bundles)", example="NdPr"),
        Column("first_year", "int", "first year covered (blank = any)", "year", **YEAR_RANGE),
        Column("last_year", "int", "last year covered (blank = any)", "year", **YEAR_RANGE),
        Column("allowed", "bool", "FALSE bans the matching flows", default=True, example=True),
        Column("tariff_usd_per_t", "float", "tariff added to the arc cost", "USD/t", default=0.0, ge=0, example=500),
        Column("scenario", "text", "blank = every case; a name = only in that scenario"),
        Column("note", "text", "free text", example="a tariff on imports from china"),
    ),
    "Bans and tariffs on flows between blocs.",
)

BUDGETS = Sheet(
    "budgets",
    (
        Column("bloc", "text", "bloc whose capex is capped", required=True, example="allied"),
        Column(
            "budget_usd",
            "float",
            "nominal capex cap over the horizon",
            "USD",
            required=True,
            ge=0,
            example=1e10,
            **BUDGET_RANGE,
        ),
        Column("scenario", "text", "blank = every case; a name = only in that scenario"),
    ),
    "Per-bloc nominal capex caps.",
)

SCENARIOS = Sheet(
    "scenarios",
    (
        Column("scenario", "text", "scenario name", required=True, example="china_free"),
        Column(
            "key",
            "text",
            "settings key or scenario key (demand_factor, capex_factor.<bloc>, ...)",
            required=True,
            example="max_restricted_share",
        ),
        Column("value", "text", "the value", required=True, example="0"),
        Column(
            "description",
            "text",
            "one line on what the scenario does, shown in outputs (the first non-blank of its rows)",
            example="no Chinese-touched material for allied demand",
        ),
    ),
    "Named overrides applied with --scenario NAME.",
)

AVAILABILITY = Sheet(
    "availability",
    (
        Column("node", "text", "node of a facility", required=True, example="USA"),
        Column("stage", "text", "stage of that facility", required=True, example="mining"),
        Column("year", "int", "year", "year", required=True, example=2030, **YEAR_RANGE),
        Column(
            "max_tpa",
            "float",
            "most the facility may process in that year, on top of its capacity",
            "t/yr",
            required=True,
            ge=0,
            example=800,
        ),
    ),
    "Per-year throughput ceilings of facilities (feed, depletion, quotas, outages).",
)

CIRCUITS = Sheet(
    "circuits",
    (
        Column("node", "text", "node with a separation (order 2) facility", required=True, example="USA"),
        Column("element", "text", "element the circuit separates", required=True, example="NdPr"),
        Column(
            "existing_tpa", "float", "circuit capacity in service at the start", "t/yr", default=0.0, ge=0, example=500
        ),
        Column(
            "max_tpa",
            "float",
            "maximum total circuit capacity (>= existing; blank = unlimited)",
            "t/yr",
            ge=0,
            example=2000,
        ),
        Column(
            "capex_usd_per_tpa",
            "float",
            "investment per t/yr of new circuit capacity (blank = no new capacity can be built)",
            "USD per t/yr",
            ge=0,
            example=5000,
        ),
        Column(
            "fixed_om_usd_per_tpa_yr",
            "float",
            "fixed O&M per t/yr of circuit capacity in service, per year",
            "USD per t/yr per yr",
            default=0.0,
            ge=0,
            example=100,
        ),
        Column(
            "lead_time_years",
            "int",
            "years from construction start to operation (default: the facility's)",
            "yr",
            ge=0,
            example=2,
            **DURATION_RANGE,
        ),
        BUILD_FROM,
        Column(
            "max_build_tpa_per_year",
            "float",
            "new circuit capacity that may start in one year (blank = unlimited)",
            "t/yr",
            ge=0,
        ),
        Column("source", "text", "where the figures come from", example="company report"),
    ),
    "Element circuits of separation facilities: a separator with circuits separates only their elements.",
)

STOCKPILES = Sheet(
    "stockpiles",
    (
        Column("node", "text", "consumer node with demand for the element", required=True, example="USA"),
        Column("element", "text", "element stocked (the last stage's output)", required=True, example="NdPr"),
        Column("initial_t", "float", "stock at the start of first_year", "t", default=0.0, ge=0, example=100),
        Column(
            "initial_provenance",
            "text",
            "clean or mixed: the provenance of the initial stock",
            default="clean",
            example="clean",
        ),
        Column("max_t", "float", "most the stock may hold (>= initial_t; blank = unlimited)", "t", ge=0, example=1000),
        Column(
            "holding_cost_usd_per_t_yr",
            "float",
            "cost of holding one t over one year",
            "USD/t/yr",
            default=0.0,
            ge=0,
            example=50,
        ),
    ),
    "Strategic stockpiles at consumers, one per (node, element).",
)

RECIPES = Sheet(
    "recipes",
    (
        Column(
            "product", "text", "product, demanded in the demand sheet (not an element)", required=True, example="NdFeB"
        ),
        Column("recipe", "text", "one way to make the product", required=True, example="standard"),
        Column("element", "text", "element the recipe uses", required=True, example="NdPr"),
        Column("t_per_t", "float", "t of the element per t of product", "t/t", required=True, ge=0, example=0.3),
        Column(
            "extra_cost_usd_per_t",
            "float",
            "cost per t of product made this way (the same on every row of the recipe)",
            "USD/t",
            default=0.0,
            ge=0,
            example=0,
        ),
        Column(
            "max_share",
            "float",
            "most of the product's demand this recipe may make (the same on every row of the recipe)",
            "share",
            default=1.0,
            ge=0,
            le=1,
            example=1,
        ),
        Column(
            "available_from_year",
            "int",
            "first year the recipe may be used (default first_year; the same on every row of the recipe)",
            "year",
            example=2025,
            **YEAR_RANGE,
        ),
    ),
    "Products with alternative recipes: one row per (product, recipe, element).",
)

SOURCES = Sheet(
    "sources",
    (
        Column("item", "text", "what the figure is", example="USA mining capacity"),
        Column("source", "text", "where it came from", example="USGS MCS 2025"),
    ),
    "Free text, not read by the solver.",
)

UNCERTAINTY = Sheet(
    "uncertainty",
    (
        Column(
            "target",
            "text",
            "lead_time_delay, capex_overrun or failure + .STAGE or .NODE.STAGE; or a numeric case key",
            required=True,
            example="capex_overrun.mining",
        ),
        Column(
            "distribution",
            "text",
            "discrete, uniform, triangular, lognormal or bernoulli",
            required=True,
            example="triangular",
        ),
        Column(
            "p1",
            "text",
            "discrete: value:prob, ... · uniform, triangular: low · lognormal: median · bernoulli: probability of 1",
            example="1",
        ),
        Column("p2", "float", "uniform: high · triangular: mode · lognormal: sigma of the log", example=1.2),
        Column("p3", "float", "triangular: high", example=1.8),
        Column(
            "shared",
            "bool",
            "one value for every facility of the stage (a systemic shock; correlation 1 on a factor of its own)",
            default=False,
        ),
        Column(
            "factor",
            "text",
            "name of a common shock the row's draws share (blank = common when correlation > 0)",
            example="market",
        ),
        Column(
            "correlation",
            "float",
            "rho: weight of the factor in each draw (0 = independent, 1 = one value for all)",
            default=0.0,
            ge=0,
            le=1,
            example=0.5,
        ),
        Column(
            "condition",
            "bool",
            "an external event: summaries are also given per outcome class of this row",
            default=False,
        ),
        Column("scenario", "text", "blank = always; a name = only with --scenario NAME"),
        Column("note", "text", "free text, e.g. the record behind the figures", example="Eneabba, Kalgoorlie"),
    ),
    "Uncertain quantities, read by `rechain risk` only (risk.md).",
)

COMPARATORS = Sheet(
    "comparators",
    (
        Column(
            "element",
            "text",
            "element of the composition or demand sheet the premium is for",
            required=True,
            example="NdPr",
        ),
        Column(
            "comparator",
            "text",
            "short label of the public comparator",
            required=True,
            example="US price floor over China's price",
        ),
        Column(
            "premium_low_usd_per_kg",
            "float",
            "premium over China's price (the low end of a range)",
            "USD/kg",
            required=True,
            example=59,
        ),
        Column(
            "premium_high_usd_per_kg",
            "float",
            "the high end of the range (>= the low end; blank = the low end)",
            "USD/kg",
            example=59,
        ),
        Column("source", "text", "where the figures come from, with the derivation", example="110 - 51 (DoD-MP deal)"),
    ),
    "Public per-kg premiums over China's price, shown beside the model's by `rechain report` only (a rechain "
    "extension).",
)

CLAIMS = Sheet(
    "claims",
    (
        Column("claim", "text", "the claim as made", required=True, example="34 countries met in Washington"),
        Column("evidence", "text", "what the public record shows", required=True, example="54 countries + the EC"),
        Column("verdict", "text", "free text, e.g. not found, unverified", required=True, example="not found as 34"),
        Column("scenario", "text", "blank = none; a name = the scenario that models the claim"),
        Column("source", "text", "where the evidence comes from", example="State Dept release"),
    ),
    "Claims stated against evidence by `rechain report` only (a rechain extension).",
)

VALIDATION = Sheet(
    "validation",
    (
        Column("stage", "text", "stage id of the stages sheet", required=True, example="separation"),
        Column("bloc", "text", "bloc of the nodes sheet whose share is observed", required=True, example="china"),
        Column("year", "int", "year of the figure (observed or projected)", required=True, example=2025, **YEAR_RANGE),
        Column(
            "share",
            "float",
            "the bloc's share of the stage's world output that year",
            required=True,
            ge=0,
            le=1,
            example=0.91,
        ),
        Column("source", "text", "where the figure comes from", example="IEA commentary, 23 Oct 2025"),
        Column("note", "text", "free text, e.g. observed or projected, repost or primary", example="observed"),
    ),
    "Observed and projected shares of a bloc in a stage's output, shown beside the model's by `rechain report` "
    "only (a rechain extension).",
)

SHEETS: tuple[Sheet, ...] = (
    SETTINGS,
    NODES,
    STAGES,
    FACILITIES,
    COMPOSITION,
    DEMAND,
    ROUTES,
    TRADE_RULES,
    BUDGETS,
    SCENARIOS,
    AVAILABILITY,
    CIRCUITS,
    STOCKPILES,
    RECIPES,
    UNCERTAINTY,
    COMPARATORS,
    CLAIMS,
    VALIDATION,
    SOURCES,
)
SHEET_BY_NAME = {s.name: s for s in SHEETS}


def reference_markdown() -> str:
    """The per-column reference of docs/workbook.md, generated from these tables."""
    lines = []
    for sheet in SHEETS:
        lines += [
            f"### Columns of `{sheet.name}`{'' if sheet.required else ' (optional sheet)'}",
            "",
            sheet.description,
            "",
            "| column | type | unit | required | default | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for c in sheet.columns + (tuple(KEYED_SETTINGS.values()) if sheet is SETTINGS else ()):
            default = (
                ""
                if c.default in (None, ())
                else ", ".join(c.default)
                if isinstance(c.default, tuple)
                else f"{c.default:g}"
                if isinstance(c.default, float)
                else str(c.default)
            )
            lines.append(
                f"| `{c.name}` | {c.expectation()} | {c.unit} | {'yes' if c.required else ''} | "
                f"{default} | {c.description} |"
            )
        lines.append("")
    return "\n".join(lines)


MARK, END = "<!-- schema-reference -->", "<!-- /schema-reference -->"


def with_reference(doc: str) -> str:
    """docs/workbook.md with its generated column reference brought up to date."""
    return spliced(doc, MARK, END, reference_markdown())


if __name__ == "__main__":  # python -m rechain.workbook.schema docs/workbook.md
    rewrite_from_argv(with_reference)
