"""Inserts and removes an embedding name in prompt text, by the rules a card click uses.

Python twin of the editing half of ``javascript/edeck_11_prompt.js`` (``insert``,
``removeAll``, ``tokenFor``, ``toggle``); finding is ``prompt_scan.find_all``. Both run the
``toggle`` rows of tests/cases/prompt.json, so the comparison's prompts are exactly what a
click would have produced. Pure text: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .prompt_scan import Occurrence, _is_name_char, find_all

DEFAULT_SEPARATOR = ", "
# The rest of "[name:when]" or "[name::when]": the name is the bracket's only prompt.
_EDIT_OPEN = re.compile(r"\[\s*\Z")
_EDIT_CLOSE = re.compile(r"\s*::?\s*(?:\d+\.?\d*|\.\d+)\s*\]")
_FOLLOWING_SEP = re.compile(r"\s*,[ \t]*")
_PRECEDING_SEP = re.compile(r",\s*\Z")
_TRAILING_BLANKS = re.compile(r"[ \t]+\Z")


@dataclass(frozen=True)
class Edit:
    """Text after an edit, and where the caret goes (-1: nothing was removed)."""

    text: str
    caret: int
    count: int = 0


def _editing_span(text: str, occ: Occurrence) -> tuple[int, int]:
    opened = _EDIT_OPEN.search(text, 0, occ.start)
    closed = _EDIT_CLOSE.match(text, occ.end) if opened else None
    if opened and closed:
        return opened.start(), closed.end()
    return occ.start, occ.end


def _remove_one(text: str, occ: Occurrence) -> Edit:
    start, end = _editing_span(text, occ)
    left, right = text[:start], text[end:]
    following = _FOLLOWING_SEP.match(right)
    preceding = _PRECEDING_SEP.search(left)
    if following and (not left.strip() or re.search(r"[(\[\n]\s*\Z", left) or not preceding):
        right = right[following.end() :]
        left = _TRAILING_BLANKS.sub("", left)
        if left and not re.search(r"[\s(\[]\Z", left) and right and not re.match(r"[\s)\]]", right):
            left += " "
    elif preceding:
        left = left[: preceding.start()]
        if not right.strip():
            right = right.lstrip(" \t")
    elif not right.strip():
        left = _TRAILING_BLANKS.sub("", left)
    elif left.endswith(" ") or left == "":
        right = right.lstrip(" ")
    return Edit(left + right, len(left), 1)


def remove_all(text: str, name: str) -> Edit:
    """Remove every occurrence of ``name`` (plain, weighted, bracketed) with its separator."""
    found = find_all(text, name)
    caret = -1
    for occ in reversed(found):
        edit = _remove_one(text, occ)
        text, caret = edit.text, edit.caret
    return Edit(text, caret, len(found))


def _settle_caret(text: str, c: int) -> int:
    while 0 < c < len(text) and _is_name_char(text[c - 1]) and _is_name_char(text[c]):
        c += 1
    w = re.match(r":[\d.\s-]*\)", text[c:])
    if w:  # just before a ":weight)", where Ctrl+Up leaves the caret
        return c + w.end()
    m = re.match(r"[\d.]*\)", text[c:])
    if m and re.search(r":[\d.\s-]*\Z", text[:c]):
        c += m.end()
    return c


def insert(text: str, caret: int | None, token: str, sep: str = DEFAULT_SEPARATOR) -> Edit:
    """Insert ``token`` at ``caret`` (None or -1: the end) with tidy separators.

    The returned caret is just after the token."""
    sep = sep or DEFAULT_SEPARATOR
    bare = sep.rstrip()
    c = len(text) if caret is None or caret < 0 or caret > len(text) else caret
    c = _settle_caret(text, c)
    left, right = text[:c], text[c:]
    left_trim = _TRAILING_BLANKS.sub("", left)
    prefix = ""
    if left_trim == "" or left_trim.endswith(("(", "[", "\n")):
        left = left_trim
    elif bare and left_trim.endswith(bare):
        left = left_trim + sep[len(bare) :]
    else:
        left, prefix = left_trim, sep
    right = right.lstrip(" \t")
    suffix = ""
    if not (right == "" or right.startswith((")", "]", "\n")) or (bare and right.startswith(bare))):
        suffix = sep
    start = len(left) + len(prefix)
    return Edit(left + prefix + token + suffix + right, start + len(token), 0)


def round_weight(weight: float) -> float:
    """Round to 2 decimals half up (JavaScript's Math.round), not Python's banker's rounding."""
    scaled = weight * 100
    return int(scaled + 0.5 if scaled >= 0 else scaled - 0.5) / 100


def format_weight(weight: float) -> str:
    """A weight as JavaScript's String() writes it: 0.8, 1.25, 2, -0.5."""
    return f"{round_weight(weight):g}"


def token_for(name: str, weight: float = 1.0) -> str:
    """``name`` at weight 1, else ``(name:w)``."""
    if round_weight(weight) == 1:
        return name
    return f"({name}:{format_weight(weight)})"


def toggle(
    text: str, caret: int | None, name: str, weight: float = 1.0, sep: str = DEFAULT_SEPARATOR
) -> Edit:
    """A card click: remove ``name`` if present, else insert it at the caret."""
    removed = remove_all(text, name)
    if removed.count:
        return removed
    return insert(text, caret, token_for(name, weight), sep)
