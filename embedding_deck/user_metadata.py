"""X.json written by us: the editable keys, the editor's rules for their values, and the merge.

Reading sidecars (for the grid, and X.json with its stamp for the editor) is ``sidecar.py``;
everything that *changes* an X.json lives here: ``clean_changes`` checks what the page
sent (known keys only, values of the right type), ``merge_changes`` re-reads the file,
applies only the changed keys and replaces the file atomically.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from . import sidecar
from .atomic import atomic_write_json
from .errors import StaleWrite, UnreadableFile

EDITABLE_KEYS = (
    "description",
    "notes",
    "activation text",
    "preferred weight",
    "default target",
    "tags",
    "sd version",
)
SD_VERSION_STR = {"SD1": "SdVersion.SD1", "SD2": "SdVersion.SD2", "SDXL": "SdVersion.SDXL"}
TEXT_KEYS = ("description", "notes", "activation text")
MAX_TEXT = 100_000


# ---- the editor's rules ---------------------------------------------------------------
def clean_changes(changes: Any) -> dict[str, dict[str, Any]]:
    """Validate the editor's changes: known keys only, values of the right type."""
    if not isinstance(changes, dict):
        raise UnreadableFile("The editor sent no changes.")
    out = {}
    for key, change in changes.items():
        if key not in EDITABLE_KEYS or not isinstance(change, dict):
            raise UnreadableFile(f"{key!r} cannot be edited here.")
        out[key] = {"from": change.get("from"), "to": clean_value(key, change.get("to"))}
    return out


def clean_value(key: str, value: Any) -> Any:
    """One value checked and normalised for its key; UnreadableFile with a sentence if not."""
    if value is None or value == "":
        return None
    if key in TEXT_KEYS:
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


def edited_tags(current: Any, add: list[str], remove: list[str]) -> list[str]:
    """``current`` tags with ``add`` appended (unless present) and ``remove`` taken out,
    both compared without case; the order of the tags kept is kept."""
    tags = [t for t in current if isinstance(t, str)] if isinstance(current, list) else []
    gone = {t.strip().lower() for t in remove}
    out = [t for t in tags if t.strip().lower() not in gone]
    have = {t.strip().lower() for t in out}
    for tag in (t.strip() for t in add):
        if tag and tag.lower() not in have and tag.lower() not in gone:
            out.append(tag)
            have.add(tag.lower())
    return out


# ---- merging and writing ----------------------------------------------------------------
def merge_changes(
    path: str, changes: dict[str, dict[str, Any]], base_stamp: str | None
) -> tuple[dict[str, Any], str | None]:
    """Re-read X.json, apply only the user's changed keys, write atomically.

    ``changes`` maps a key to ``{"from": value when the editor opened, "to": new value}``.
    Returns (written dict, a notice sentence or None). Raises StaleWrite when another
    program changed one of the same keys since the editor opened; ValueError (a sentence)
    when the file on disk is unusable. Keys nobody edited are kept exactly as they are.
    """
    with _lock_for(path):
        return _merge_locked(path, changes, base_stamp)


_locks: dict[str, Any] = {}
_locks_guard = threading.Lock()


def _lock_for(path: str) -> Any:
    # Read-merge-write must not interleave between two saves in this process (the WebUI
    # serves requests from a thread pool); otherwise the later write drops the other's key.
    key = os.path.realpath(path)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _merge_locked(
    path: str, changes: dict[str, dict[str, Any]], base_stamp: str | None
) -> tuple[dict[str, Any], str | None]:
    current, stamp = sidecar.read_user_metadata(path)
    notice = None
    if stamp != base_stamp:
        clashes = [k for k, c in changes.items() if current.get(k) != c.get("from")]
        if clashes:
            raise StaleWrite(
                f"{os.path.basename(path)} was changed by another program while you edited "
                f"({', '.join(clashes)}). Nothing was saved; reopen the editor to see its version."
            )
        notice = (
            f"{os.path.basename(path)} had been changed by another program; your edits were "
            "merged into its new contents."
        )
    for key, change in changes.items():
        value = change.get("to")
        if value is None or value == "" or value == []:
            current.pop(key, None)
        else:
            current[key] = value
        if key == "sd version":
            # Forge's own SD/XL filter reads sd_version_str on every card.
            if value in SD_VERSION_STR:
                current["sd_version_str"] = SD_VERSION_STR[value]
            else:
                current.pop("sd_version_str", None)
    atomic_write_json(path, current, indent=4)
    return current, notice
