"""The Entry record: one embedding file as the rest of the program sees it. No I/O here.

``Entry.to_json()`` is the public JSON contract documented in README.md (the CLI's
``scan --json`` and the HTTP API return exactly this shape).
"""

from __future__ import annotations

import dataclasses
import operator
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

ARCH_BY_DIM = {768: "SD1", 1024: "SD2", 2048: "SDXL"}
ARCHES = ("SD1", "SD2", "SDXL", "unknown")


def arch_for_dim(dim: int | None) -> str:
    """The WebUI's family for an embedding width (the shape it compares to the model's)."""
    return ARCH_BY_DIM.get(dim or 0, "unknown")


@dataclass(slots=True)
class Parsed:
    """What a format reader learned from one file's bytes (no file-system facts)."""

    format: str
    dim: int | None = None
    vectors: int | None = None
    step: int | None = None
    checkpoint: str | None = None
    checkpoint_hash: str | None = None
    internal_name: str | None = None
    is_image: bool = False
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class Entry:
    """One embedding file: identity, what its bytes say, file facts, sidecars and preview."""

    name: str
    path: str
    folder: str
    format: str
    arch: str = "unknown"
    dim: int | None = None
    vectors: int | None = None
    step: int | None = None
    checkpoint: str | None = None
    checkpoint_hash: str | None = None
    internal_name: str | None = None
    size: int = 0
    created: float | None = None
    created_clock: str = "mtime"
    modified: float | None = None
    stamp: str | None = None
    preview: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    sidecars: list[str] = field(default_factory=list)
    collides_with: list[str] = field(default_factory=list)
    collision_winner: bool | None = None
    hidden: bool = False
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object (times as ISO 8601 in UTC)."""
        # a shallow copy is enough: the JSON encoder only reads, and asdict() is slow
        out = dict(zip(_ENTRY_FIELDS, _GET_FIELDS(self), strict=True))
        out["metadata"] = dict(self.metadata)
        out["created"] = iso_time(self.created)
        out["modified"] = iso_time(self.modified)
        return out


_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(Entry))
_GET_FIELDS = operator.attrgetter(*_ENTRY_FIELDS)


def iso_time(ts: float | None) -> str | None:
    """Seconds since the epoch → ISO 8601 with a UTC offset, or None (whole seconds)."""
    if ts is None:
        return None
    try:
        second = int(ts // 1)  # floor, as gmtime does, also before 1970
    except (OverflowError, ValueError):  # inf, nan
        return _iso_fallback(ts)
    # Files copied or unpacked together share their seconds: each second is formatted once.
    text = _ISO_BY_SECOND.get(second)
    if text is None:
        if len(_ISO_BY_SECOND) >= _ISO_CACHE_SIZE:
            _ISO_BY_SECOND.clear()
        try:
            text = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(second))
        except (OverflowError, OSError, ValueError):  # outside what gmtime covers here
            return _iso_fallback(ts)
        _ISO_BY_SECOND[second] = text
    return text


_ISO_BY_SECOND: dict[int, str] = {}
_ISO_CACHE_SIZE = 1 << 16


def _iso_fallback(ts: float) -> str | None:
    try:
        return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def family_of(e: Entry) -> str:
    """The SD version that decides compatibility: the file's width, or the editor's override
    where the width names no family (a known width wins whatever a label says)."""
    override = e.metadata.get("sd version")
    if e.arch == "unknown" and e.error is None and override in ("SD1", "SD2", "SDXL"):
        return override
    return e.arch
