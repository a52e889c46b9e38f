"""The files of `rechain risk`: the draws and their summaries as risk.xlsx (native charts), risk_*.csv,
risk.md and PNGs (fan chart of clean share, probability by year, premium histogram)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .tables import Chart, usd, write_tables

HEDGE_SHEETS = ("value", "hedged_plan")
SHEETS = (
    *HEDGE_SHEETS,
    "draws",
    "summary",
    "probability_by_year",
    "earliest_year",
    "clean_share_fan",
    "premium_histogram",
)
BINS = 10


def premium_histogram(draws: pd.DataFrame) -> pd.DataFrame:
    """Draws per premium bin (optimal draws with a premium only)."""
    if "premium_usd" not in draws or "status" not in draws:
        return pd.DataFrame(columns=["premium_usd", "draws"])
    v = pd.to_numeric(draws.loc[draws["status"] == "optimal", "premium_usd"], errors="coerce").dropna()
    if v.empty:
        return pd.DataFrame(columns=["premium_usd", "draws"])
    if v.min() == v.max():
        return pd.DataFrame([(usd(float(v.min())), len(v))], columns=["premium_usd", "draws"])
    counts, edges = np.histogram(v, bins=min(BINS, max(1, v.nunique())))
    labels = [f"{usd(lo)} to {usd(hi)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    return pd.DataFrame({"premium_usd": labels, "draws": counts})


def charts(note: str) -> list[Chart]:
    return [
        Chart(
            "clean_share_fan",
            "year",
            "p50",
            "Clean share of protected demand: median and P10-P90 of the draws",
            "element",
            "year",
            "clean share",
            note,
            band=("p10", "p90"),
        ),
        Chart(
            "probability_by_year",
            "year",
            "probability",
            "Probability that the independence requirement holds, by year",
            None,
            "year",
            "share of draws",
            note,
        ),
        Chart(
            "premium_histogram",
            "premium_usd",
            "draws",
            "Premium of independence over the draws",
            None,
            "premium (system cost minus the draw's own unconstrained cost)",
            "draws",
            note,
        ),
    ]


def write_risk(out: Path, stem: str, tables: dict[str, pd.DataFrame], run: pd.DataFrame, note: str) -> list[Path]:
    sheets = {**tables, "premium_histogram": premium_histogram(tables["draws"])}
    names = [k for k in SHEETS if k in sheets]
    return write_tables(out, stem, {k: sheets[k] for k in names}, run, charts(note), "rechain risk")
