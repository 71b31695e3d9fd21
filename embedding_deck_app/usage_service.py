"""Usage statistics for one deck: counts per embedding, the live count of each image the
WebUI saves, and *Read my history* (the backfill of the outputs folders, on a thread,
with progress and Cancel). The database is ``usage.sqlite`` in the data folder
(``embedding_deck/usage.py``). Counts reach an embedding by its short hash (a renamed
file keeps them) or, for a use recorded without a hash, by its name.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from embedding_deck.errors import DeckError
from embedding_deck.usage import UsageDB

DB_FILE = "usage.sqlite"


class UsageService:
    """The usage counts of a deck and its one backfill job."""

    def __init__(self, deck: Any) -> None:
        self.deck = deck
        self.db = UsageDB(os.path.join(deck.host.cache_dir, DB_FILE))
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._status: dict[str, Any] = {"state": "idle"}

    def folders(self) -> list[str]:
        """Where the user's images are (the WebUI's outputs folders; --outputs-dir)."""
        of = getattr(self.deck.host, "history_dirs", None)
        return [f for f in (of() if of else []) if os.path.isdir(f)]

    # ---- counts -------------------------------------------------------------------------
    def counts(self, entries: list[Any]) -> dict[str, dict[str, Any]]:
        """path -> {uses, positive, negative, last} for the embeddings used at least once."""
        rows = self.db.rows()
        if not rows:
            return {}
        by_name = {e.name.lower(): e for e in entries if not e.error}
        out: dict[str, dict[str, Any]] = {}
        unplaced = []
        for row in rows:
            entry = by_name.get(row["name"].lower())
            if entry is not None and (not row["shorthash"] or self._short(entry) in (None, row["shorthash"])):
                _add(out, entry.path, row)
            elif row["shorthash"]:
                unplaced.append(row)
        if unplaced:  # renamed since: found by the file's hash — only hashes already known,
            # so a grid never waits for hashing (the backfill hashes the rest on its thread)
            wanted = {r["shorthash"]: r for r in unplaced}
            for entry in entries:
                if not entry.error and entry.path not in out:
                    row = wanted.get(self._short(entry) or "")
                    if row is not None:
                        _add(out, entry.path, row)
        return out

    def _short(self, entry: Any) -> str | None:
        full = self.deck.cached_sha256(entry.path)
        return full[:12] if full else None

    def _hash_library(self) -> None:
        """Hash the files no count has reached yet (after a backfill, on its thread)."""
        entries = self.deck.entries()
        placed = set(self.counts(entries))
        for entry in entries:
            if self._stop.is_set():
                return
            if not entry.error and entry.path not in placed:
                try:
                    self.deck.sha256(entry.path)
                except (DeckError, OSError):
                    continue

    def image_saved(self, path: str, infotext: str | None) -> None:
        """The WebUI saved an image (script_callbacks.on_image_saved): count its uses once."""
        try:
            self.db.record_image(path, infotext)
        except Exception:  # noqa: BLE001 - counting must never break the WebUI's saving
            pass

    # ---- Read my history ----------------------------------------------------------------
    def start_backfill(self) -> dict[str, Any]:
        folders = self.folders()
        if not folders:
            raise DeckError("There is no outputs folder to read (the standalone server takes --outputs-dir).")
        if self._thread is not None and self._thread.is_alive():
            return self.status()
        self._stop.clear()
        self._status = {
            "state": "running",
            "read": 0,
            "images": 0,
            "started": time.time(),
        }
        self._thread = threading.Thread(
            target=self._backfill, args=(folders,), name="edeck-usage", daemon=True
        )
        self._thread.start()
        return self.status()

    def _backfill(self, folders: list[str]) -> None:
        def progress(read: int, images: int) -> None:
            self._status.update(read=read, images=images)

        try:
            skip = [self.deck.compare_outputs_dir()]  # comparison tiles are not the user's uses
            done = self.db.backfill(folders, self._stop.is_set, progress, skip)
        except Exception as err:  # noqa: BLE001 - say why, keep what was counted
            self._status.update(state="failed", message=f"{type(err).__name__}: {err}")
            return
        if not self._stop.is_set() and any(r["shorthash"] for r in self.db.rows()):
            self._hash_library()  # so counts reach files renamed since they were used
        state = "cancelled" if self._stop.is_set() else "done"
        self._status.update(state=state, finished=time.time(), **done)

    def cancel(self) -> dict[str, Any]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)
        return self.status()

    def status(self) -> dict[str, Any]:
        """The backfill's progress; with ``folders``: how many outputs folders there are to read."""
        return {**self._status, "folders": len(self.folders())}


def _add(out: dict[str, dict[str, Any]], path: str, row: dict[str, Any]) -> None:
    now = out.setdefault(path, {"uses": 0, "positive": 0, "negative": 0, "last": 0.0})
    now["uses"] += row["total"]
    now["positive"] += row["positive"]
    now["negative"] += row["negative"]
    now["last"] = max(now["last"], row["last"])
