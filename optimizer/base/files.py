"""Files written safely: never over an input, all of a set or none, no temporary file left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import OutputError

MIN_FREE_BYTES = 5 << 20


RESULT_NAMES = ("results.xlsx", "summary.json")  # rechain solve
RESULT_STEMS = ("sweep", "frontier", "scenarios", "risk", "findings", "compare")  # <stem>.<ext> and <stem>_<name>.<ext>
RESULT_SUFFIXES = (".xlsx", ".csv", ".md", ".png", ".json")
SHOWN_RESULTS = 3


def check_outputs(targets: list[Path], inputs: list[Path], out: Path | None = None, force: bool = False) -> None:
    """Before any work: every file to be written is not an input, not inside an input folder, and lies in a
    folder that is (or can be made) a writable folder with some free space; without `force`, the folder
    `out` holds no other run's results (`earlier_results`). Raises OutputError."""
    sources = [Path(s).resolve() for s in inputs]
    files = [Path(t).resolve() for t in targets]
    for path in files:
        for source in sources:
            if path == source or source in path.parents or path in source.parents:
                raise OutputError(f"{path}: refusing to write over the input {source}")
        if path.is_dir():
            raise OutputError(f"{path}: is a folder, expected a file to write")
        if path.exists() and not path.is_file():
            raise OutputError(f"{path}: is a device, pipe or socket, expected a file to write (never replaced)")
    for folder in sorted({p.parent for p in files}):
        _check_folder(folder)
    if out is not None and not force:
        _refuse_earlier_results(Path(out), sources)


def earlier_results(folder: Path, inputs: Iterable[Path] = ()) -> list[str]:
    """Names of the files in `folder` that some rechain command writes (an earlier run's results, of this
    command or another): `results.xlsx`, `summary.json`, and `<stem>.<ext>` or `<stem>_<anything>.<ext>` for
    the stems sweep, frontier, scenarios, risk, findings and compare, <ext> one of xlsx, csv, md, png, json. The
    `inputs` do not count."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    skip = {Path(s).resolve() for s in inputs}
    return sorted(p.name for p in folder.iterdir() if _is_result(p.name) and p.is_file() and p.resolve() not in skip)


def _is_result(name: str) -> bool:
    stem, suffix = os.path.splitext(name)
    if name in RESULT_NAMES:
        return True
    return suffix in RESULT_SUFFIXES and any(stem == s or stem.startswith(f"{s}_") for s in RESULT_STEMS)


def _existing(folder: Path) -> Path:
    """The folder itself or its nearest existing ancestor; OutputError if that is a file."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{folder}: cannot be a folder, {existing} is a file")
    return existing


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _existing(folder)
        raise OutputError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None


def _refuse_earlier_results(out: Path, inputs: list[Path]) -> None:
    """One line naming the folder and what of an earlier run is in it."""
    found = earlier_results(out, inputs)
    if found:
        more = f" and {len(found) - SHOWN_RESULTS} more" if len(found) > SHOWN_RESULTS else ""
        raise OutputError(
            f"{out}: holds another run's results ({', '.join(found[:SHOWN_RESULTS])}{more}); "
            "pass --force to write there anyway (files of the same name are replaced), or choose another --out"
        )


def _check_folder(folder: Path) -> None:
    existing = _existing(folder)
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write there ({exc.strerror or exc})") from None
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        raise OutputError(f"{folder}: disk almost full ({free >> 10} KiB free)")


def _failed(path: Path, exc: OSError, replaced: int) -> OutputError:
    kept = "earlier results are unchanged" if not replaced else f"{replaced} file(s) of the set were already replaced"
    return OutputError(f"{path}: cannot write ({exc.strerror or exc}); {kept}")


@contextlib.contextmanager
def atomic_files(paths: list[Path]) -> Iterator[list[Path]]:
    """Yield one temporary path beside each of `paths`; rename them all into place only once every one is
    written. Any OSError becomes an OutputError; temporary files never stay behind."""
    paths, temps, replaced = [Path(p) for p in paths], [], 0
    current: Path | None = paths[0] if paths else Path()
    try:
        for path in paths:
            current = path
            _make_folder(path.parent)
            fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
            os.close(fd)
            temps.append(Path(name))
        current = None
        yield list(temps)
        for tmp, path in zip(temps, paths, strict=True):
            current = path
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            replaced += 1
    except OSError as exc:
        _remove(temps)
        if current is None:  # while writing: name the target whose temporary file failed, else the folder
            current = dict(zip(map(str, temps), paths, strict=True)).get(str(exc.filename), paths[0].parent)
        raise _failed(current, exc, replaced) from None
    except BaseException:
        _remove(temps)
        raise


def _remove(temps: list[Path]) -> None:
    for tmp in temps:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it into place only on success."""
    with atomic_files([path]) as (tmp,):
        yield tmp
