"""The search box's query syntax: pure, twin of ``javascript/edeck_14_syntax.js``.

Words are ANDed and each must occur in the name, path, description or notes (as before
the syntax existed). On top: ``"exact phrase"``, ``-word`` (NOT), ``a OR b``, and fields
``name:`` ``desc:`` ``notes:`` ``tag:`` ``folder:`` ``arch:sdxl`` ``vectors:>8`` (also
``>=``, ``<``, ``<=``, ``=``), ``used:0`` (uses, the same way), ``fav:yes``, any of them
negated and quoted (``-name:"bad hand"``).
Nothing is ever refused: a part that cannot be read becomes a *problem* sentence and the
rest still applies; ``explain`` says in words what was understood. Both twins are tested
against the same table (``tests/cases/query.json``, key ``syntax``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FIELDS = ("name", "desc", "notes", "tag", "folder", "arch", "vectors", "used", "fav")
NUMERIC = {"vectors": "vectors", "used": "uses"}  # field -> the row's number (missing: 0 uses)
YES, NO = ("yes", "true", "1", "on"), ("no", "false", "0", "off")
ARCHES = {"sd1": "SD1", "sd15": "SD1", "sd1.5": "SD1", "sd2": "SD2", "sd21": "SD2", "sd2.1": "SD2",
          "sdxl": "SDXL", "xl": "SDXL", "unknown": "unknown"}  # fmt: skip
_FIELD = re.compile(r"^([A-Za-z]+):")
_NUMBER = re.compile(r"^(>=|<=|>|<|=)?(\d+)$")


@dataclass
class Term:
    """One condition: a field (``text`` for the plain search), its value, negated or not."""

    field: str
    value: Any
    neg: bool = False
    op: str = ""


@dataclass
class Parsed:
    """AND of groups, each an OR of terms; what could not be read; whether syntax was used."""

    groups: list[list[Term]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    syntax: bool = False


def _tokens(text: str, problems: list[str]) -> list[tuple[str, str, bool]]:
    """(raw, text, quoted) per token: raw as typed, text with the quotes taken out; a quote
    left open is closed at the end."""
    out: list[tuple[str, str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start, buf, quoted = i, [], False
        while i < n and not text[i].isspace():
            if text[i] == '"':
                quoted = True
                end = text.find('"', i + 1)
                if end == -1:
                    problems.append('A closing " was added at the end.')
                    end = n
                buf.append(text[i + 1 : end])
                i = end + 1
            else:
                buf.append(text[i])
                i += 1
        out.append((text[start:i], "".join(buf), quoted))
    return out


def _term(raw: str, token: str, problems: list[str]) -> Term | None:
    neg = raw.startswith("-") and len(raw) > 1  # "-x" outside quotes; a quoted "-x" is text
    if neg:
        raw, token = raw[1:], token[1:]
    match = _FIELD.match(raw)  # a field only as typed outside quotes: "name:x" is text
    if not match:
        return Term("text", token.lower(), neg)
    name, value = match.group(1).lower(), token[match.end() :]
    if name not in FIELDS:
        problems.append(f'There is no field "{name}:"; it was searched as text.')
        return Term("text", token.lower(), neg)
    if not value:
        problems.append(f'"{name}:" needs a value; it was left out.')
        return None
    if name == "arch":
        arch = ARCHES.get(value.lower().replace(" ", ""))
        if arch is None:
            problems.append(f'arch: is sd1, sd2, sdxl or unknown; "{value}" was left out.')
            return None
        return Term("arch", arch, neg)
    if name in NUMERIC:
        number = _NUMBER.match(value.replace(" ", ""))
        if not number:
            problems.append(f'{name}: takes a number such as 8, >8 or <=4; "{value}" was left out.')
            return None
        return Term(name, int(number.group(2)), neg, number.group(1) or "=")
    if name == "fav":
        if value.lower() not in YES + NO:
            problems.append(f'fav: is yes or no; "{value}" was left out.')
            return None
        return Term("fav", value.lower() in YES, neg)
    if name == "folder":
        value = value.strip("/")
    return Term(name, value.lower(), neg)


def parse(text: str) -> Parsed:
    """The query in the search box as AND-ed OR-groups, with sentences for what was odd."""
    parsed = Parsed()
    tokens = _tokens(text or "", parsed.problems)
    join_next = False
    for i, (raw, token, quoted) in enumerate(tokens):
        if raw == "OR":
            if not parsed.groups or i == len(tokens) - 1 or join_next:
                parsed.problems.append("OR needs a term on each side; it was left out.")
                continue
            join_next, parsed.syntax = True, True
            continue
        term = _term(raw, token, parsed.problems)
        if term is None:
            join_next = False
            continue
        if quoted or term.neg or term.field != "text":
            parsed.syntax = True
        if join_next:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        join_next = False
    return parsed


def _haystack(row: dict[str, Any]) -> str:
    parts = [
        row.get("name") or "",
        row.get("path") or "",
        row.get("description") or "",
        row.get("notes") or "",
    ]
    return "\n".join(parts).lower()


def _holds(term: Term, row: dict[str, Any], hay: str) -> bool:
    kind, value = term.field, term.value
    if kind == "text":
        return value in hay
    if kind in ("name", "notes"):
        return value in (row.get(kind) or "").lower()
    if kind == "desc":
        return value in (row.get("description") or "").lower()
    if kind == "tag":
        return any(value == str(t).lower() for t in row.get("tags") or [])
    if kind == "folder":
        folder = (row.get("folder") or "").lower()
        return folder == value or folder.startswith(value + "/")
    if kind == "arch":
        return row.get("arch") == value
    if kind == "fav":
        return bool(row.get("fav")) == value
    number = row.get(NUMERIC[kind], 0 if kind == "used" else None)
    if number is None:
        return False
    return {"=": number == value, ">": number > value, ">=": number >= value,
            "<": number < value, "<=": number <= value}[term.op]  # fmt: skip


def test(parsed: Parsed, row: dict[str, Any]) -> bool:
    """True when the row (a grid row's fields) meets every group."""
    hay = _haystack(row)
    return all(any(_holds(t, row, hay) != t.neg for t in group) for group in parsed.groups)


def _describe(term: Term) -> str:
    said = {
        "text": f'"{term.value}"',
        "name": f'name contains "{term.value}"',
        "desc": f'description contains "{term.value}"',
        "notes": f'notes contain "{term.value}"',
        "tag": f'tag is "{term.value}"',
        "folder": f'in folder "{term.value}"',
        "arch": f"SD version is {term.value}",
        "vectors": f"vectors {term.op} {term.value}",
        "used": f"uses {term.op} {term.value}",
        "fav": "a favourite" if term.value else "not a favourite",
    }[term.field]
    return ("NOT " if term.neg else "") + said


def explain(parsed: Parsed) -> str:
    """What the query was understood as, in words ("" for an empty query)."""
    parts = []
    for group in parsed.groups:
        said = " OR ".join(_describe(t) for t in group)
        parts.append(f"({said})" if len(group) > 1 else said)
    return " AND ".join(parts)
