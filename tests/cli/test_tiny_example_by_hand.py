"""The tiny example solved through the CLI; figures worked out by hand."""

import json

import pytest


def test_tiny_json(examples, rechain):
    """Mine (100 tpa, opex 10) -> Plant (build at 1000 USD/tpa, lead time 1, yield 0.5, opex 20) -> 10 t/yr.

    2025: nothing is separated yet, 10 t unmet (penalty 1e7 each = 1e8).
    2026-27: 20 t ore/yr -> build 20 tpa in 2025 = 20,000 capex; opex 2 x (20x10 + 20x20) = 1,200;
    salvage: U = 2027 - 2026 + 1 = 2 of 25 years, rho = 0.92 -> 18,400.
    System cost = 20,000 + 1,200 - 18,400 = 2,800.
    """
    done = rechain("solve", examples / "tiny", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "optimal"
    assert summary["system_cost_usd"] == pytest.approx(2800, abs=1e-3)
    assert summary["unmet_t"] == pytest.approx(10)
    assert summary["objective_usd"] == pytest.approx(2800 + 1e8, rel=1e-9)
    assert summary["capex_usd"] == pytest.approx(20000)
