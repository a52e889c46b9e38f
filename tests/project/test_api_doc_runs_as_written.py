"""docs/api.md runs: its Python blocks, in order and in one namespace, are a worked example on the tiny
workbook whose assertions carry hand-worked values (a block that stops asserting or stops running fails)."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_every_block_of_the_api_page_runs_in_order():
    namespace: dict = {}
    for number, code in enumerate(blocks(), start=1):
        exec(compile(code, f"docs/api.md block {number}", "exec"), namespace)  # noqa: S102
    assert namespace["figures"].unmet_t == 10


def test_the_page_checks_what_it_shows():
    found = blocks()
    assert len(found) >= 5
    assert sum(code.count("assert ") for code in found) >= 10


def test_a_wrong_worked_value_fails(tmp_path):
    code = "\n".join(blocks()[:2]).replace("- 2_800) < 1e-3", "- 2_801) < 1e-3")
    try:
        exec(compile(code, "changed", "exec"), {})
    except AssertionError:
        return
    raise AssertionError("the page's worked value does not bind")
