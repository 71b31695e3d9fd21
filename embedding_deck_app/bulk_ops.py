"""One action on many embeddings (the page's selection): move, delete to the trash,
convert, tags / default target / preferred weight, favourite — and their undo.

``/bulk`` takes ``{"action": ..., "items": [body, ...]}``; each body is what the single
operation takes (``/move``'s ``{path, folder, stamp}``…), so the file work, its journal
and its checks are ``LibraryOps``'s, one file at a time. A file that fails is reported
with its sentence and the others go on. The answer merges the rows, and its ``undo`` is
one ``/bulk`` call with the inverse bodies, so the page keeps one Undo for the batch (it
sends a long selection in chunks, for progress, and undoes them last first).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any

from embedding_deck import sidecar
from embedding_deck.errors import DeckError, UnreadableFile
from embedding_deck.user_metadata import edited_tags

from .library_ops import PREFIX, LibraryOps

log = logging.getLogger(__name__)
MAX_ITEMS = 100  # per request; the page sends chunks of 20
# actions whose files the WebUI lists (its embedding database is reloaded after them)
FILE_ACTIONS = frozenset({"move", "delete", "restore", "convert"})
# what a single operation's undo route is, as a bulk action
UNDO_ACTIONS = {f"{PREFIX}/move": "move", f"{PREFIX}/trash/restore": "restore"}
EDIT_KEYS = ("preferred weight", "default target", "tags")


class BulkOps:
    """Runs one action over a list of item bodies; rows, failures and one undo."""

    def __init__(self, ops: LibraryOps) -> None:
        self.ops = ops
        self.deck = ops.deck
        self.actions: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "move": lambda b: ops.move(b.get("path"), b.get("folder"), b.get("stamp")),
            "delete": lambda b: ops.delete(b.get("path"), b.get("stamp")),
            "convert": lambda b: ops.convert(b.get("path"), b.get("stamp")),
            "restore": lambda b: ops.restore(b.get("id"), b.get("converted"), b.get("stamp")),
            "edit": self.edit,
        }

    def run(self, action: Any, items: Any) -> dict[str, Any]:
        """Do ``action`` for every body in ``items``; what changed, what failed, the undo."""
        if action != "favourite" and action not in self.actions:
            raise UnreadableFile("That action cannot be done on a selection.")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise UnreadableFile("The selection must be a list of embeddings.")
        if len(items) > MAX_ITEMS:
            raise UnreadableFile(f"At most {MAX_ITEMS} embeddings per request.")
        if action == "favourite":
            return self.favourite(items)
        merged = _Merged()
        with self.ops.batch():
            for body in items:
                self._one(merged, action, body)
        return merged.answer(sorted(self.deck.library.folders), self.deck.take_repairs())

    def _one(self, merged: _Merged, action: str, body: dict[str, Any]) -> None:
        """One item; its failure is a sentence in the answer, and the batch goes on (an
        unexpected error too: the batch's undo must not be lost with it)."""
        try:
            merged.add(self.actions[action](body))
        except DeckError as err:
            merged.fail(body, str(err))
        except Exception as err:
            log.exception("Embedding Deck: %s failed for %r", action, body.get("path"))
            merged.fail(body, f"It failed unexpectedly ({type(err).__name__}); it was left as it was.")

    # -- the actions that are not LibraryOps's ----------------------------------------------
    def edit(self, body: dict[str, Any]) -> dict[str, Any]:
        """Tags added/removed and values set in one embedding's X.json (merged, atomically)."""
        rel = body.get("path")
        entry = self.deck.entry(rel) if isinstance(rel, str) else None
        if entry is None:
            raise UnreadableFile("The path must be text.")
        if entry.error:
            raise UnreadableFile(f"This file is not a readable embedding: {entry.error}")
        json_file = sidecar.json_path_for(self.deck._abs(rel))
        try:
            user, stamp = sidecar.read_user_metadata(json_file)
        except ValueError:
            raise UnreadableFile(
                f"{os.path.basename(json_file)} is not valid JSON; fix or remove it first. Nothing changed."
            ) from None
        changes = _changes(user, body)
        if not changes:
            return {"rows": [self.deck._grid_row(entry)], "undo": None}
        made = not os.path.lexists(json_file)
        saved = self.deck.save_meta(rel, changes, stamp)
        if body.get("made") is True and _left_empty(json_file):
            # the undo of the edit that made this X.json: no empty file stays behind
            with self.deck.lock.hold():
                os.remove(json_file)
            entry = self.deck.library.refresh_one(rel)
            saved["row"] = self.deck._grid_row(entry) if entry else None
        undo_body = {"path": rel, "set": {k: c["from"] for k, c in changes.items()}}
        if made:
            undo_body["made"] = True
        return {
            "rows": [saved["row"]] if saved["row"] else [],
            "undo": {"route": f"{PREFIX}/bulk", "action": "edit", "body": undo_body},
            "notice": saved["notice"],
        }

    def favourite(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Favourites on or off for many at once (one write of the store)."""
        merged = _Merged()
        changes, undo = [], []
        for body in items:
            try:
                entry = self.deck.entry(body.get("path")) if isinstance(body.get("path"), str) else None
                if entry is None or entry.error:
                    raise UnreadableFile("This file is not a readable embedding.")
                was = entry.path in self.deck.favourite_paths
                if was != bool(body.get("on")):
                    changes.append((entry.path, entry.size, bool(body.get("on"))))
                    undo.append({"path": entry.path, "on": was})
            except DeckError as err:
                merged.fail(body, str(err))
        self.deck.favourites.set_many(changes)
        for rel, _size, on in changes:
            (self.deck.favourite_paths.add if on else self.deck.favourite_paths.discard)(rel)
        for body in items:
            entry = self.deck.library.get(body.get("path"))
            if entry is not None and not entry.error:
                merged.rows[entry.path] = self.deck._grid_row(entry)
                merged.done += 1
        merged.undo, merged.undo_action = undo, "favourite"
        return merged.answer(None, None)


def _changes(user: dict[str, Any], body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The editor-style changes ({key: {from, to}}) that ``body`` makes to ``user``."""
    changes: dict[str, dict[str, Any]] = {}
    add, remove = _texts(body.get("add_tags")), _texts(body.get("remove_tags"))
    if add or remove:
        tags = edited_tags(user.get("tags"), add, remove)
        if tags != (user.get("tags") or []):
            changes["tags"] = {"from": user.get("tags"), "to": tags}
    values = body.get("set") or {}
    if not isinstance(values, dict):
        raise UnreadableFile("The values to set must be an object.")
    for key, value in values.items():
        if key not in EDIT_KEYS:
            raise UnreadableFile(f"{key!r} cannot be changed on a selection.")
        if user.get(key) != value:
            changes[key] = {"from": user.get(key), "to": value}
    return changes


def _left_empty(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh) == {}
    except (OSError, ValueError):
        return False


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) and len(t) <= 200 for t in value):
        raise UnreadableFile("Tags must be a list of short texts.")
    return [t for t in value if t.strip()][:100]


class _Merged:
    """The answers of one batch, merged: the last row of a path wins, removed paths go."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.removed: set[str] = set()
        self.moved: dict[str, str] = {}  # old path -> new path
        self.failed: list[dict[str, str]] = []
        self.undo: list[dict[str, Any]] = []  # the inverse bodies
        self.undo_action: str | None = None
        self.notices: list[str] = []
        self.done = 0

    def add(self, result: dict[str, Any]) -> None:
        self.done += 1
        for rel in result.get("removed") or []:
            self.rows.pop(rel, None)
            self.removed.add(rel)
        for row in result.get("rows") or []:
            self.rows[row["path"]] = row
            self.removed.discard(row["path"])
        old, new = result.get("moved") or (None, None)
        if old and new and old != new:
            self.moved[old] = new
        undo = result.get("undo")
        if undo:
            self.undo_action = undo.get("action") or UNDO_ACTIONS[undo["route"]]
            self.undo.append(undo["body"])
        if result.get("notice") and result["notice"] not in self.notices:
            self.notices.append(result["notice"])

    def fail(self, body: dict[str, Any], sentence: str) -> None:
        what = body.get("path") if isinstance(body.get("path"), str) else str(body.get("id", ""))
        self.failed.append({"path": what, "error": sentence})

    def answer(self, folders: list[str] | None, repairs: str | None) -> dict[str, Any]:
        undo = None
        if self.undo:
            undo = {"route": f"{PREFIX}/bulk", "body": {"action": self.undo_action, "items": self.undo}}
        out: dict[str, Any] = {
            "removed": sorted(self.removed),
            "rows": list(self.rows.values()),
            "done": self.done,
            "moved": self.moved,
            "failed": self.failed,
            "undo": undo,
            "notice": " ".join(n for n in (*self.notices, repairs) if n) or None,
        }
        if folders is not None:
            out["folders"] = folders
        return out
