"""Safe, deterministic outputs."""

import os
import shutil
import subprocess
import sys

import openpyxl
import pytest
from rechain.base.files import atomic_path
from rechain.report.writers import write_csv


def sheets(path, skip=("summary", "run")):
    book = openpyxl.load_workbook(path)
    return {
        name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames if name not in skip
    }


def test_same_input_same_tables(tmp_path, rechain):
    """Two runs (this process and a child with another hash seed, at once) of a generated world with three
    blocs, four stages, six elements and trade between nodes give identical result tables (timings aside)."""
    from rechain.workbook.generate import world, write_world

    case = tmp_path / "world.xlsx"
    write_world(case, world(10, 4, 6, seed=3))
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    child = subprocess.Popen(
        [sys.executable, "-m", "rechain.cli", "solve", str(case), "--out", str(tmp_path / "b"), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONHASHSEED": seed},
    )
    done = rechain("solve", case, "--out", tmp_path / "a", "--json")
    assert done.returncode == 0, done.stderr
    _, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    tables = sheets(tmp_path / "a" / "results.xlsx")
    assert len(tables["flows"]) > 20 and len(tables["builds"]) > 1
    assert tables == sheets(tmp_path / "b" / "results.xlsx")


def test_formula_like_text_stays_text(examples, tmp_path, rechain):
    """A node named '=Mine' is written to Excel as text and to CSV with a leading apostrophe."""
    case = tmp_path / "case"
    shutil.copytree(examples / "tiny", case)
    for name in ("nodes", "facilities", "composition"):
        f = case / f"{name}.csv"
        f.write_text(f.read_text().replace("Mine,", "=Mine,"))
    out = tmp_path / "out"
    done = rechain("solve", case, "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    ws = openpyxl.load_workbook(out / "results.xlsx")["capacity"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=Mine"]
    assert cells and all(c.data_type == "s" for c in cells)
    import pandas as pd

    write_csv(tmp_path / "t.csv", pd.DataFrame({"node": ["=Mine", "@x", "+1", "-2", "ok"]}))
    assert (tmp_path / "t.csv").read_text().splitlines()[1:] == ["'=Mine", "'@x", "'+1", "'-2", "ok"]


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "results.xlsx"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_output_over_input_is_refused(examples, tmp_path, rechain):
    case = tmp_path / "case.xlsx"
    from rechain.inputs import reference_workbook

    shutil.copy(reference_workbook(), case)
    before = case.read_bytes()
    done = rechain("solve", case, "--write-model", case)
    assert done.returncode == 2 and "refusing" in done.stderr
    assert case.read_bytes() == before
