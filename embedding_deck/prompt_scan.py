"""Finds embedding names in prompt text, with their weights: the prompt report's engine.

Twin of ``javascript/edeck_11_prompt.js`` (finding only); both run tests/cases/prompt.json.
Names match case-insensitively and on name boundaries (letters, digits, ``_`` and ``-``
continue a name). ``(name:1.2)``, ``((name))`` and ``[name]`` give the weight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entry import Entry

_WEIGHT_CLOSE = re.compile(r"\s*:\s*(-?(?:\d+\.?\d*|\.\d+))\s*\)")
_TOKEN = re.compile(r"[\w-]+")


def _is_name_char(ch: str) -> bool:
    return bool(ch) and (ch.isalnum() or ch in "_-")


@dataclass(frozen=True)
class Occurrence:
    """One place a name occurs: the span of its whole form and the weight it carries."""

    start: int
    end: int
    weight: float


def _wrapper(text: str, a: int, b: int) -> Occurrence:
    weight, explicit = 1.0, False
    while True:
        before = text[a - 1] if a > 0 else ""
        if before == "(":
            m = None if explicit else _WEIGHT_CLOSE.match(text, b)
            if m:
                weight, explicit = float(m.group(1)), True
                a, b = a - 1, m.end()
                continue
            if text[b : b + 1] == ")":
                weight, a, b = weight * 1.1, a - 1, b + 1
                continue
        elif before == "[" and text[b : b + 1] == "]":
            weight, a, b = weight / 1.1, a - 1, b + 1
            continue
        # JS Math.round(x * 100) / 100 rounds half up; Python's round() is banker's.
        return Occurrence(a, b, int(weight * 100 + 0.5 if weight >= 0 else weight * 100 - 0.5) / 100)


def find_all(text: str, name: str) -> list[Occurrence]:
    """Every occurrence of ``name`` in ``text``, left to right."""
    if not name:
        return []
    hay, needle = text.lower(), name.lower()
    out: list[Occurrence] = []
    start = 0
    while True:
        i = hay.find(needle, start)
        if i == -1:
            return out
        j = i + len(needle)
        start = i + 1
        left_ok = not (i > 0 and _is_name_char(text[i - 1]) and _is_name_char(name[0]))
        right_ok = not (j < len(text) and _is_name_char(text[j]) and _is_name_char(name[-1]))
        if left_ok and right_ok:
            occ = _wrapper(text, i, j)
            out.append(occ)
            start = occ.end


@dataclass(frozen=True)
class Found:
    """An embedding found in a prompt: which entry, its weight, what it costs."""

    name: str
    path: str
    weight: float
    vectors: int


def scan_prompt(text: str, entries: list[Entry]) -> list[Found]:
    """Embeddings (readable, one per prompt name: the file the WebUI keeps) in ``text``."""
    by_name: dict[str, Entry] = {}
    for entry in entries:
        if entry.error is None and (entry.collision_winner is not False):
            by_name[entry.name.lower()] = entry
    lowered = text.lower()
    present = {m.group(0) for m in _TOKEN.finditer(lowered)}
    found = []
    for key, entry in by_name.items():
        # names made of word characters are looked up in the token set; others searched
        if (_TOKEN.fullmatch(key) and key not in present) or key not in lowered:
            continue
        for occ in find_all(text, entry.name):
            found.append(Found(entry.name, entry.path, occ.weight, entry.vectors or 0))
    return sorted(found, key=lambda f: text.lower().find(f.name.lower()))
