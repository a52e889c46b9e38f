"""A warm re-solve resets a capex factor the model was built with (found on the reference world v3: after
its scenario announced_figures, `rechain report` gave the unconstrained plan the announced capex)."""

import shutil
from pathlib import Path

from rechain.run.warm import Models
from rechain.workbook.validate import load_workbook

TINY = Path(__file__).resolve().parents[2] / "inputs" / "examples" / "tiny"


def test_the_base_case_after_a_capex_factor_scenario_pays_its_own_capex(tmp_path):
    """tiny: 10 t of A a year from 2026 needs 10 / 0.5 = 20 t/yr of separation, built in 2025 (lead 1) at
    US$1,000 per t/yr: capex 20,000; scenario dear (capex_factor.allied 2): 40,000. Solved dear first (the
    model is built with factor 2), then the base case on the same model: 20,000."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    (folder / "scenarios.csv").write_text("scenario,key,value\ndear,capex_factor.allied,2\n")
    models = Models(load_workbook(folder))
    assert models.solve("dear", tables=False).summary["capex_usd"] == 40_000
    assert models.solve(None, tables=False).summary["capex_usd"] == 20_000
