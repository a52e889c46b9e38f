"""A zero drawn apart on a log x axis (budgets from $0 to $300 bn): the same rule for the PNG and its Excel twin.

When x holds 0 and positive values spanning more than `LOG_SPAN` times (and nothing negative), the axis is
logarithmic from the decade at least half a decade below the smallest positive x, and the zero is drawn there,
unjoined to the line and labelled as zero (`$0 (no budget)` for a budget)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

LOG_SPAN = 100


def zero_position(values: ArrayLike) -> float | None:
    """Where x = 0 is drawn: 10^floor(log10(p) − ½) for the smallest positive x `p` (so $1.6 bn puts $0 at
    $100 m, $5 bn at $1 bn), or None when the axis needs no zero apart."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    positive = v[v > 0]
    if not len(positive) or (v < 0).any() or not (v == 0).any() or positive.max() / positive.min() <= LOG_SPAN:
        return None
    return 10.0 ** math.floor(math.log10(positive.min()) - 0.5)


def log_top(values: ArrayLike) -> float:
    """The axis end: the decade at or above the largest x ($300 bn: $1,000 bn)."""
    return 10.0 ** math.ceil(math.log10(float(np.nanmax(np.asarray(values, dtype=float)))))


def zero_label(x_name: str, money: bool) -> str:
    """The zero's tick label: `$0 (no budget)` on a budget axis, `$0` on another money axis, `0` otherwise."""
    if not money:
        return "0"
    return "$0 (no budget)" if "budget" in x_name else "$0"


def excel_zero_format(apart: float, label: str, money: bool) -> str:
    """An Excel number format showing the zero's position as its label, other ticks in $ m or $ bn (money)
    or as numbers."""
    rest = '[>=1000000000]"$"#,##0,,," bn";"$"#,##0,," m"' if money else "General"
    return f'[<={apart:.15g}]"{label}";{rest}'
