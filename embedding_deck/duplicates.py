"""Embeddings whose vectors are identical: a hash of the tensor bytes, not of the file.

Computed on demand, never during the scan: each file costs its header read plus its
tensor byte ranges (``vectors.vector_digest``). Digests are cached by the file's
(device, inode, size, mtime), which a rename or a move keeps, in a small JSON file in
the cache folder, so asking again costs one ``stat`` per file.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from typing import Any

from .atomic import atomic_write_json
from .errors import DeckError
from .vectors import vector_digest

HASHED_EXTS = (".pt", ".bin", ".safetensors")
CACHE_VERSION = 1


def cache_file_for(cache_dir: str, root: str) -> str:
    """The digest cache of one embeddings folder inside ``cache_dir``."""
    digest = hashlib.sha256(os.path.abspath(root).encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(cache_dir, f"vectors-{digest[:16]}.json")


class VectorHashes:
    """Vector digests by file identity, kept in memory and in one cache file."""

    def __init__(self, cache_path: str | None = None) -> None:
        self.cache_path = cache_path
        self._digests: dict[str, str | None] = {}
        self._dirty = False
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        if not self.cache_path:
            return
        import json

        try:
            with open(self.cache_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
            digests = data.get("digests")
            if isinstance(digests, dict):
                self._digests = digests

    def save(self) -> None:
        """Write the cache file when something was hashed (a failure only costs speed)."""
        if not self.cache_path or not self._dirty:
            return
        try:
            os.makedirs(os.path.dirname(self.cache_path), exist_ok=True)
            data = {"version": CACHE_VERSION, "digests": dict(self._digests)}
            atomic_write_json(self.cache_path, data, indent=None, compact=True, durable=False)
            self._dirty = False
        except OSError:
            pass

    def digest(self, path: str) -> str | None:
        """The vector digest of a file, or None when its tensors cannot be read."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
        with self._lock:
            if key in self._digests:
                return self._digests[key]
        try:
            value: str | None = vector_digest(path)
        except (DeckError, OSError, ValueError):
            value = None
        with self._lock:
            self._digests[key] = value
            self._dirty = True
        return value

    def groups(self, files: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        """For each relative path whose vectors another file shares: those other paths.

        ``files``: (relative path, absolute path) of readable .pt/.bin/.safetensors entries.
        """
        by_digest: dict[str, list[str]] = {}
        for rel, path in files:
            if not rel.lower().endswith(HASHED_EXTS):
                continue
            digest = self.digest(path)
            if digest is not None:
                by_digest.setdefault(digest, []).append(rel)
        out: dict[str, list[str]] = {}
        for rels in by_digest.values():
            if len(rels) > 1:
                for rel in rels:
                    out[rel] = [r for r in rels if r != rel]
        return out


def summary(groups: dict[str, list[str]]) -> list[list[str]]:
    """The groups as sorted lists of paths, each once."""
    seen: set[str] = set()
    out: list[list[str]] = []
    for rel in sorted(groups):
        if rel in seen:
            continue
        group = sorted([rel, *groups[rel]])
        seen.update(group)
        out.append(group)
    return out


def plain(groups: dict[str, list[str]]) -> dict[str, Any]:
    """The route's JSON shape: ``{"groups": [[paths]], "same_vectors_as": {path: [paths]}}``."""
    return {"groups": summary(groups), "same_vectors_as": groups}
