"""Refuse .xlsx archives that would expand beyond sane limits (zip bombs)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..base.errors import InputError, Issue
from .limits import max_unpacked_bytes

MAX_RATIO = 200


def check_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError([Issue(path.name, "a readable .xlsx workbook", f"a damaged zip archive ({exc})")]) from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        found = (
            "a Word or PowerPoint file"
            if any(n.startswith("word/") or n.startswith("ppt/") for n in names)
            else "a zip archive without a workbook"
        )
        raise InputError([Issue(path.name, "an .xlsx workbook", found)])
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > max_unpacked_bytes() or (unpacked > 50 * 1024 * 1024 and unpacked / packed > MAX_RATIO):
        raise InputError(
            [
                Issue(
                    path.name,
                    f"a workbook that unpacks to at most {max_unpacked_bytes() / 2**20:g} MiB "
                    f"at a ratio of at most {MAX_RATIO}:1",
                    f"{unpacked / 2**20:.0f} MiB at {unpacked / packed:.0f}:1",
                )
            ]
        )
