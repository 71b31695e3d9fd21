"""Validation of the metadata editor's changes: known keys only, values of the right type.

Everything that reaches X.json from the page passes through ``clean_changes``.
"""

from __future__ import annotations

from typing import Any

from embedding_deck import sidecar
from embedding_deck.errors import UnreadableFile

_TEXT_KEYS = ("description", "notes", "activation text")
MAX_TEXT = 100_000


def clean_changes(changes: Any) -> dict[str, dict[str, Any]]:
    """Validate the editor's changes: known keys only, values of the right type."""
    if not isinstance(changes, dict):
        raise UnreadableFile("The editor sent no changes.")
    out = {}
    for key, change in changes.items():
        if key not in sidecar.EDITABLE_KEYS or not isinstance(change, dict):
            raise UnreadableFile(f"{key!r} cannot be edited here.")
        out[key] = {"from": change.get("from"), "to": clean_value(key, change.get("to"))}
    return out


def clean_value(key: str, value: Any) -> Any:
    """One value checked and normalised for its key; UnreadableFile with a sentence if not."""
    if value is None or value == "":
        return None
    if key in _TEXT_KEYS:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise UnreadableFile(f"{key} must be text of at most {MAX_TEXT:,} characters.")
        return value
    if key == "preferred weight":
        try:
            weight = float(value)
        except (TypeError, ValueError):
            raise UnreadableFile("The preferred weight must be a number, such as 0.8.") from None
        if not -10 <= weight <= 10:
            raise UnreadableFile("The preferred weight must be between -10 and 10.")
        return weight
    if key == "default target":
        if value not in ("negative", "positive"):
            raise UnreadableFile("The default target is negative or positive.")
        return value
    if key == "sd version":
        if value not in ("SD1", "SD2", "SDXL"):
            raise UnreadableFile("The SD version override is SD1, SD2 or SDXL (or empty for automatic).")
        return value
    if key == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) and len(t) <= 200 for t in value):
            raise UnreadableFile("Tags must be a list of short texts.")
        return [t.strip() for t in value if t.strip()][:100]
    raise UnreadableFile(f"{key!r} cannot be edited here.")
