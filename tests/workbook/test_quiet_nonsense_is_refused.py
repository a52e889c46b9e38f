"""Quiet nonsense (issue 22): inputs that used to give a plausible answer without a word now give an
error or a warning, and a full disk gives one line, never a traceback.

The cases are the tiny example (Mine -> Plant -> Buyer, one bloc `allied`) and the v2 example (two
separators with circuit rows, TSepA and Sep); each test says what a reader should see and why."""

import errno
import os
import shutil
import subprocess
import sys

import pytest
from rechain.base.errors import InputError
from rechain.run.risk import load_risk

from risk_world import world
from worked import issues_of, warnings_of

LIST_SETTINGS = ("restricted_blocs", "protected_blocs", "budget_blocs", "cost_advantage_blocs")
NOTHING = (",", " , ", ",,", ", ,")


@pytest.fixture
def tiny(examples, tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(examples / "tiny", folder)
    return folder


def with_setting(folder, key: str, value: str):
    """The tiny settings sheet with one more row: key on row 5, so its value is settings!B5."""
    text = (folder / "settings.csv").read_text()
    (folder / "settings.csv").write_text(text.rstrip("\n") + f'\n{key},"{value}"\n')
    return folder


@pytest.mark.parametrize("key", LIST_SETTINGS)
@pytest.mark.parametrize("value", NOTHING)
def test_a_list_of_nothing_names_its_cell(tiny, key, value):
    """`restricted_blocs = ","` splits into no label at all: read as an empty set it would make every
    bloc clean (a false 100 % clean plan). It is an input error at settings!B5 (header on row 1, the
    tiny sheet's three settings on rows 2-4)."""
    issues = issues_of(with_setting(tiny, key, value))
    assert [(i.place, "at least one label" in i.expected) for i in issues] == [("settings!B5", True)]


@pytest.mark.parametrize("key", LIST_SETTINGS)
def test_a_list_of_nothing_in_set_names_the_option(tiny, key):
    issues = issues_of(tiny, overrides=((key, " , "),))
    assert [(i.place, "at least one label" in i.expected) for i in issues] == [(f"--set {key}", True)]


def test_a_list_of_nothing_in_a_scenario_names_its_cell(tiny):
    """A scenario row `restricted_blocs = ,` on row 2 of the scenarios sheet: the value is in column C."""
    (tiny / "scenarios.csv").write_text('scenario,key,value\nopen,restricted_blocs,","\n')
    issues = issues_of(tiny, scenario="open")
    assert [(i.place, "at least one label" in i.expected) for i in issues] == [("scenarios!C2", True)]


@pytest.mark.parametrize("value", [";", "china;allied"])
def test_a_list_with_another_separator_is_not_a_bloc(tiny, value):
    """`;` is not the list separator: the one label it gives is not a bloc of the nodes sheet."""
    issues = issues_of(with_setting(tiny, "restricted_blocs", value))
    assert [(i.place, "a bloc of the nodes sheet" in i.expected) for i in issues] == [("settings!B5", True)]


def test_the_cli_refuses_a_list_of_nothing(tiny, rechain):
    done = rechain("solve", tiny, "--set", "restricted_blocs=,")
    assert done.returncode == 2 and "--set restricted_blocs" in done.stderr and "Traceback" not in done.stderr


def risk_world(tmp_path, sheet: str | None):
    """The risk world of test_risk with its uncertainty sheet renamed (None: removed)."""
    folder = world(tmp_path, "failure.separation,bernoulli,0.5,,,\n")
    if sheet is None:
        (folder / "uncertainty.csv").unlink()
    else:
        (folder / "uncertainty.csv").rename(folder / f"{sheet}.csv")
    return folder


@pytest.mark.parametrize("sheet", [None, "uncertanty", "uncertainties", "Uncertainity"])
def test_risk_without_its_sheet_is_an_input_error(tmp_path, rechain, sheet):
    """Without the uncertainty sheet every draw is the base case and every probability 0 or 1: exit 2,
    naming the sheet that was probably meant."""
    folder = risk_world(tmp_path, sheet)
    with pytest.raises(InputError) as caught:
        load_risk(folder, None, ())
    (issue,) = caught.value.issues
    assert "'uncertainty'" in issue.expected
    assert (sheet is None) == ("did you mean" not in issue.found)
    if sheet is not None:
        assert f"'{sheet}'" in issue.found
    done = rechain("risk", folder, "--draws", "2")
    assert done.returncode == 2 and "uncertainty" in done.stderr and "Traceback" not in done.stderr


def test_risk_reads_a_sheet_named_with_spaces_and_capitals(tmp_path):
    """`Uncertainty ` (a trailing space, a capital) is the uncertainty sheet: its one row is drawn."""
    _, rows, _ = load_risk(risk_world(tmp_path, "Uncertainty "), None, ())
    assert [u.target.kind for u in rows] == ["failure"]


def test_an_empty_uncertainty_sheet_draws_nothing_and_says_so(tmp_path, rechain):
    """A sheet that is there but has no row is a deliberate deterministic run: allowed, with a warning."""
    folder = world(tmp_path, "")
    done = rechain("risk", folder, "--draws", "2", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "every draw is the base case" in done.stderr


def test_the_report_without_an_uncertainty_sheet_still_runs(tmp_path):
    """`rechain report` has its own outlook note for a workbook without the sheet: not an error there."""
    _, rows, _ = load_risk(risk_world(tmp_path, None), None, (), required=False)
    assert rows == ()


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


WRITERS = {
    "solve": lambda tiny, out: ("solve", tiny, "--out", out),
    "solve --write-model": lambda tiny, out: ("solve", tiny, "--write-model", out / "m.lp"),
    "sweep": lambda tiny, out: ("sweep", tiny, "--param", "demand_factor=1,2", "--workers", "1", "--out", out),
    "frontier": lambda tiny, out: ("frontier", tiny, "--points", "2", "--budget-points", "2", "--out", out),
    "scenarios": lambda tiny, out: ("scenarios", tiny, "--workers", "1", "--out", out),
    "template": lambda tiny, out: ("template", out / "t.xlsx"),
    "generate": lambda tiny, out: ("generate", out / "g.xlsx", "--nodes", "3", "--years", "2"),
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_full_disk_is_one_line_and_exit_2(tiny, tmp_path, rechain, monkeypatch, command):
    """Every file is moved into place by os.replace once written; a disk that fills up there (ENOSPC)
    is an output error: exit 2, one line naming the cause, no traceback, no file left behind."""
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(os, "replace", full_disk)
    done = rechain(*WRITERS[command](tiny, out))
    assert done.returncode == 2, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if "No space left" in line]) == 1
    assert list(out.iterdir()) == []


def test_a_full_disk_in_risk_and_report(tmp_path, rechain, monkeypatch):
    folder = world(tmp_path, "failure.separation,bernoulli,0.5,,,\n")
    monkeypatch.setattr(os, "replace", full_disk)
    for args in (
        ("risk", folder, "--draws", "2", "--workers", "1", "--out", tmp_path / "r"),
        ("report", folder, "--draws", "0", "--workers", "1", "--out", tmp_path / "f"),
    ):
        done = rechain(*args)
        assert done.returncode == 2, done.stderr
        assert "No space left on device" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [("solve", "--json"), ("solve",)])
def test_a_full_stdout_is_one_line_and_exit_2(examples, args):
    """stdout on a full device (/dev/full takes no byte): the printed summary cannot be written, so the
    command fails with exit 2 and one line on stderr, never 0 with nothing printed, never a traceback."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "rechain.cli", *args, str(examples / "tiny")],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["template", "generate"])
def test_a_device_is_never_replaced(tmp_path, rechain, command):
    """A pipe (like /dev/full, a device) given as the file to write is refused even with --force: as
    root, replacing it would take the device away from every other program."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = rechain(command, fifo, "--force")
    assert done.returncode == 2 and "device, pipe or socket" in done.stderr
    assert not fifo.is_file() and fifo.exists()


def test_write_model_onto_a_device_is_refused(examples, tmp_path, rechain):
    fifo = tmp_path / "model.lp"
    os.mkfifo(fifo)
    done = rechain("solve", examples / "tiny", "--write-model", fifo)
    assert done.returncode == 2 and "device, pipe or socket" in done.stderr
    assert not fifo.is_file()


def with_new_separator(examples, tmp_path):
    """The v2 example with a third separator, NewSep (facilities row 8), that has no circuit rows."""
    folder = tmp_path / "v2"
    shutil.copytree(examples / "v2", folder)
    with (folder / "nodes.csv").open("a") as f:
        f.write("NewSep,allied,,\n")
    with (folder / "facilities.csv").open("a") as f:
        f.write("NewSep,separation,10,,0,0,1,,,\n")
    return folder


def test_a_separator_without_circuits_beside_ones_with_them_is_warned(examples, tmp_path):
    """v2: TSepA and Sep have circuit rows, so each separates only its circuits' elements. A third
    separator NewSep (facilities row 8) without any separates every element without a limit, Dy and Tb
    too: legal (model.md), but easily a forgotten row, so a warning names its facility row."""
    folder = with_new_separator(examples, tmp_path)
    found = [w for w in warnings_of(folder) if "circuit rows" in w]
    assert len(found) == 1 and found[0].startswith("facilities!A8:") and "'NewSep'" in found[0]
    assert "Sep, TSepA" in found[0]
    assert not [w for w in warnings_of(examples / "v2") if "circuit rows" in w]


def test_no_circuit_rows_anywhere_is_not_warned(examples):
    """Without any circuit row every separator separates every element (v1): nothing to warn about."""
    assert not [w for w in warnings_of(examples / "tiny") if "circuit rows" in w]


def test_the_circuit_warning_reaches_validate(examples, tmp_path, rechain):
    folder = with_new_separator(examples, tmp_path)
    done = rechain("validate", folder, "--strict")
    assert done.returncode == 2 and "facilities!A8" in done.stderr


@pytest.mark.parametrize("option, spec", [("--budgets", ","), ("--cost-factors", " , "), ("--budgets", "1:2:0")])
def test_a_number_list_of_nothing_names_its_option(examples, rechain, option, spec):
    """`--budgets ,` lists no number (and `1:2:0` no point): an input error at the option itself."""
    done = rechain("frontier", examples / "tiny", option, spec)
    assert done.returncode == 2 and f"- {option}:" in done.stderr and "--param" not in done.stderr
