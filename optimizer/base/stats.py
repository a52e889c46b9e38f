"""Statistics both the draws (rechain.run.risk) and the sentences about them (rechain.report) use."""

from __future__ import annotations

import functools

CONFIDENCE = 0.90


@functools.cache
def wilson(met: int, draws: int) -> tuple[float, float]:
    """The 90 % Wilson interval of met / draws: with p̂ = met/n and z = Φ⁻¹(0.95) = 1.6449,
    centre (p̂ + z²/2n) / (1 + z²/n) ± z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)."""
    from scipy.stats import binomtest

    ci = binomtest(met, draws).proportion_ci(CONFIDENCE, "wilson")
    return float(ci.low), float(ci.high)
