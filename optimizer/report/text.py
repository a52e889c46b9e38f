"""Data shown as text, escaped for each medium: raw terminal, rich, Markdown, matplotlib."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from ..base.errors import InputError

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}]")
MINUS = "\u2212"


def missing(value: object) -> bool:
    """None, NaN, NA or NaT (a blank cell)."""
    if value is None or isinstance(value, (str, bytes, list, tuple, dict)):
        return value is None
    if isinstance(value, float):
        return math.isnan(value)
    import pandas as pd  # NA and NaT; pandas is not needed by the commands that print no tables

    return bool(pd.isna(value))


def usd(x: float | None) -> str:
    """Money in words: `$1.40 bn`, `−$1.40 bn` (the minus before the dollar), `-` when missing."""
    if x is None or missing(x):
        return "-"
    sign = MINUS if x < 0 else ""
    for div, unit in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(x) >= div:
            return f"{sign}${abs(x) / div:,.2f} {unit}"
    return f"{sign}${abs(x):,.0f}" if round(abs(x)) else "$0"


def plain(value: object) -> str:
    """Text with control characters shown as escapes (ESC as `\\x1b`), harmless in any terminal."""
    return _CONTROL.sub(
        lambda m: _NAMED.get(
            m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        str(value),
    )


def rich_text(value: object, style: str = "") -> Text:
    """A rich Text of data: never parsed as markup or emoji codes."""
    return Text(plain(value), style=style)


def rich_markup(value: object) -> str:
    """Data to interpolate into a rich markup string (prefer `rich_text`)."""
    from rich.markup import escape

    return escape(plain(value))


def say(console: Console, label: str, style: str, message: object) -> None:
    """`label: message` with the label styled and the message printed as plain data."""
    console.print(Text.assemble((label, style), ": ", plain(message)), highlight=False, soft_wrap=True)


def print_input_error(console: Console, exc: InputError) -> None:
    """An InputError's warnings and issues, one line each, safe whatever the data holds."""
    for w in exc.warnings:
        say(console, "warning", "yellow", w)
    n = len(exc.issues)
    console.print(Text.assemble(("input error", "bold red"), f" ({n} problem{'s' if n != 1 else ''}):"))
    for issue in exc.issues:
        console.print(Text(f"  - {plain(issue)}"), highlight=False, soft_wrap=True)


_MD_SPECIAL = re.compile(r"([\\`*{}\[\]|~$])")
_MD_EMPHASIS = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_MD_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9])(:)(?=//)|(?<=www)(\.)", re.IGNORECASE)  # no bare URL becomes a link
_MD_EMAIL = re.compile(r"(?<=[A-Za-z0-9.+_-])@")  # GitHub links an address whatever its escapes
WORD_JOINER = "\u2060"
_MD_LINE_START = re.compile(r"^\s*(#|[-+=](?=[-=]*\s|[-=]*$)|\d+[.)](?=\s|$))")


def markdown_text(value: object, newline: str = "<br>") -> str:
    """Data (a label, a name, free text) for any Markdown context: table cell, heading, sentence, alt text.
    No HTML (`<` as `&lt;`), no links or images (`[`, `]` escaped, bare URLs not linked), no emphasis or
    code (`*`, `_`, `` ` `` escaped), no table breaks (`|`), no headings, lists or rules at a line start, no
    math (`$`); a line break is `newline` and control characters show as escapes. No autolink either: `http\\://`,
    `www\\.`, and an invisible word joiner (U+2060) before the `@` of an e-mail address (`a@b.com`, `<a@b.com>`),
    which GitHub would link whatever its escapes."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        line = plain(line).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        line = _MD_EMPHASIS.sub(r"\\_", _MD_SPECIAL.sub(r"\\\1", line))
        line = _MD_EMAIL.sub(WORD_JOINER + "@", _MD_AUTOLINK.sub(lambda m: "\\" + m.group(), line))
        lines.append(_MD_LINE_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], line))
    return newline.join(lines)


def markdown_code(value: object) -> str:
    """Data as a Markdown code span (a file name): fenced by more backticks than it holds, on one line."""
    text = plain(value)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def mathtext(value: object) -> str:
    """Text for a matplotlib title, label, legend entry or tick: never parsed as math."""
    text = plain(value).replace("$", r"\$")
    return " " + text if text.startswith("_") else text
