"""Builds Entry records from walk candidates and parsed file facts; marks name collisions.

Pure functions over data the index already gathered; no file is read here.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from typing import Any

from .entry import Entry, Parsed, arch_for_dim
from .scan import Candidate, stem_of

OS_ERROR_SENTENCES = {
    "not a regular file": "This is not a regular file (a device, socket or pipe).",
}


def build_entry(cand: Candidate, parsed: Parsed, record: dict[str, Any], stem: str) -> Entry:
    """The Entry for a readable (or reader-rejected) file (``stem``: its name without the
    extension): identity, facts, file times."""
    name = stem
    if parsed.is_image and parsed.internal_name:
        name = parsed.internal_name
    return Entry(
        name=name,
        path=cand.rel,
        folder=cand.folder.rel,
        format=parsed.format,
        arch=arch_for_dim(parsed.dim) if parsed.error is None else "unknown",
        dim=parsed.dim,
        vectors=parsed.vectors,
        step=parsed.step,
        checkpoint=parsed.checkpoint,
        checkpoint_hash=parsed.checkpoint_hash,
        internal_name=parsed.internal_name,
        size=cand.st.st_size,
        created=record.get("created"),
        created_clock=record.get("clock", "mtime"),
        modified=cand.st.st_mtime,
        stamp=f"{cand.st.st_size}:{cand.st.st_mtime_ns}",
        hidden=is_hidden(cand.rel),
        warnings=list(parsed.warnings),
        error=parsed.error,
    )


def error_entry(cand: Candidate, sentence: str) -> Entry:
    """The Entry for a candidate that could not even be opened: the sentence says why."""
    st = cand.st
    return Entry(
        name=stem_of(cand.name),
        path=cand.rel,
        folder=cand.folder.rel,
        format=os.path.splitext(cand.name)[1].lower().lstrip(".") or "unknown",
        size=st.st_size if st and not cand.is_dir else 0,
        modified=st.st_mtime if st else None,
        created=st.st_mtime if st else None,
        stamp=f"{st.st_size}:{st.st_mtime_ns}" if st and not cand.is_dir else None,
        hidden=is_hidden(cand.rel),
        error=sentence,
    )


def renamed_entry(cand: Candidate, parsed: Parsed) -> Entry:
    """The Entry for ``X.pt.corrupted``: the WebUI renamed it; our own reading says why."""
    reason = parsed.error or (
        "The deck reads it without an error, so the WebUI's loader refused it for its own reasons "
        "(a format or torch version it does not take, or a passing failure)."
    )
    said = f"Renamed to {cand.name} by the WebUI, which could not load it, so no list shows it any more."
    entry = error_entry(cand, f"{said} {reason}")
    entry.format = parsed.format
    return entry


def stat_sentence(err: OSError | None) -> str:
    """A user sentence for an OSError met while stat-ing a candidate."""
    if err is None:
        return "The file cannot be read."
    if err.strerror in OS_ERROR_SENTENCES:
        return OS_ERROR_SENTENCES[err.strerror]
    if err.errno == errno.ELOOP:
        return "The file is a symbolic link that loops back on itself."
    if err.errno == errno.ENOENT:
        return "The file is a symbolic link to something that does not exist."
    if err.errno in (errno.EACCES, errno.EPERM):
        return "Permission denied: the WebUI's user cannot read this file."
    return f"The file cannot be read ({err.strerror})."


def mark_collisions(entries: list[Entry]) -> None:
    """Fill collides_with / collision_winner for entries sharing a prompt name."""
    first: dict[str, Entry] = {}
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.collision_winner is not None:  # marked by an earlier call
            entry.collides_with = []
            entry.collision_winner = None
        if entry.error is None:
            # a list only for names seen twice: 10,000 unique names cost no allocation
            seen = first.setdefault(entry.name, entry)
            if seen is not entry:
                groups.setdefault(entry.name, [seen]).append(entry)
    for group in groups.values():
        # The WebUI registers files in walk order; the last one replaces the others.
        for entry in group:
            entry.collides_with = [e.path for e in group if e is not entry]
            entry.collision_winner = entry is group[-1]


def mark_collisions_of(
    entries: Iterable[Entry], names: set[str], walk_key: Callable[[str], Any] | None = None
) -> None:
    """mark_collisions for the entries with one of ``names`` only (after one file changed:
    only its old and new names can have gained or lost a collision). ``walk_key(path)``
    puts a group in the walk's order (the winner is the last), when entries are not."""
    group = [e for e in entries if e.name in names]
    if walk_key is not None and len({e.name for e in group}) < len(group):  # a name is shared
        group.sort(key=lambda e: walk_key(e.path))
    mark_collisions(group)


def join(folder: str, name: str) -> str:
    """A relative path from a relative folder ("" = root) and a name."""
    return f"{folder}/{name}" if folder else name


def is_hidden(rel: str) -> bool:
    """True when some part of the relative path is a dot-name."""
    # some path part starts with a dot
    return rel.startswith(".") or "/." in rel
