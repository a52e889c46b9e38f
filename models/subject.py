"""What a case is about, as the report and its tables name it: deadlines, blocs, cost factor, how a
shortfall is priced and the features the case does not use. Read from a Dataset; run and report both
use it (run.findings picks its cases from it, report.findings writes its sentences with it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .dataset import Dataset, Settings
from .figures import shortfall_price_label


def deadlines(first_year: int, last_year: int) -> tuple[int, ...]:
    """Up to three deadlines, from first_year + 5 (or the middle of a shorter horizon) to last_year."""
    start = first_year + min(5, (last_year - first_year) // 2)
    return tuple(sorted({round(start + (last_year - start) * i / 2) for i in range(3)}))


def _names(blocs: Iterable[str]) -> str:
    return " and ".join(sorted(blocs)) or "none"


def price_label(settings: Settings) -> str:
    """How a shortage is priced: "at any price" or the penalty in USD per kg."""
    return shortfall_price_label(
        {
            "shortfall_at_any_price": settings.shortfall_at_any_price,
            "shortfall_penalty_usd_per_kg": settings.shortfall_penalty_usd_per_t / 1000,
        }
    )


def unused_features(ds: Dataset) -> tuple[str, ...]:
    """What the case could express but does not (model.md, "Version 2 additions")."""
    ramps = ds.settings.ramp_up or any(st.ramp_up for st in ds.stages) or any(f.ramp_up for f in ds.facilities.values())
    found = {
        "separation circuits (every separator yields every element of its feed)": ds.circuits,
        "ramp-up (new plants run at nameplate from their first year)": ramps,
        "must-run floors for existing plants": any(f.min_utilization for f in ds.facilities.values()),
        "stockpiles": ds.stockpiles,
        "recipes (no thrifting or substitution)": ds.recipes,
        "nodes marked restricted one by one (clean is decided by bloc)": ds.node_restricted,
    }
    return tuple(what for what, used in found.items() if not used)


@dataclass(frozen=True)
class Subject:
    """What the workbook says the report is about."""

    first_year: int
    last_year: int
    discount_rate: float
    cost_factor: float
    restricted: str
    protected: str
    advantaged: str  # the blocs the cost factor applies to
    budget: str
    deadlines: tuple[int, ...]
    unused: tuple[str, ...] = ()  # model features the workbook does not use
    price: str = ""  # how a shortfall is priced: "at any price" or the penalty per kg

    @classmethod
    def of(cls, ds: Dataset) -> Subject:
        """The subject of the base case `ds`."""
        s = ds.settings
        return cls(
            s.first_year,
            s.last_year,
            s.discount_rate,
            s.restricted_cost_factor,
            _names(s.restricted_blocs),
            _names(s.protected_blocs),
            _names(ds.cost_advantage_blocs),
            _names(ds.budget_blocs),
            deadlines(s.first_year, s.last_year),
            unused_features(ds),
            price_label(s),
        )

    @property
    def year(self) -> int:
        """The deadline the sensitivity tables use: the middle one."""
        return self.deadlines[len(self.deadlines) // 2]

    @property
    def discounting(self) -> str:
        if not self.discount_rate:
            return "undiscounted"
        return f"discounted at {self.discount_rate:.1%} a year to {self.first_year}"

    @property
    def case(self) -> str:
        return f"cost factor {self.cost_factor:g} for {self.advantaged}, {self.discounting}"
