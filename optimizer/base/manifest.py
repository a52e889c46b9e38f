"""What a run read and ran with: the input's checksum, the versions, the options; written beside the results."""

from __future__ import annotations

import hashlib
import platform
from datetime import UTC, datetime
from pathlib import Path


def sha256(path: Path) -> str:
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for f in files:
        digest.update(f.name.encode() if path.is_dir() else b"")
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("rechain", "pyomo", "highspy"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def manifest(input_path: Path, stamp: bool = True, **fields: object) -> dict[str, object]:
    """What a run read and ran with; `stamp`: also when it was written (outputs then differ run to run)."""
    man = {"input": Path(input_path).name, "input_sha256": sha256(input_path), **fields, "versions": versions()}
    if stamp:
        man["written_utc"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return man
