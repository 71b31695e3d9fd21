"""The Deck: one Library bound to one Host, shaped into what the routes and the UI serve."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Any

from embedding_deck import Library, fileops, journal, orphans, previews, sidecar, user_metadata
from embedding_deck.entry import Entry, family_of
from embedding_deck.errors import DeckError, NotFound, StaleWrite, UnreadableFile
from embedding_deck.favourites import Favourites
from embedding_deck.formats.torch_pickle import A1111_REFUSES_GLOBAL, A1111_REFUSES_ZIP
from embedding_deck.index import cache_file_for
from embedding_deck.journal import OS_CAUSES
from embedding_deck.locks import Busy, LibraryLock
from embedding_deck.paths import check_rel, listed_path, same_real_folder
from embedding_deck.saved_searches import SavedSearches
from embedding_deck.scan import CORRUPTED, is_candidate
from embedding_deck.thumbs import thumbnail

from .civitai_bulk import CivitaiBulk
from .civitai_lookup import CivitaiLookup
from .host import Host
from .host_reload import HostReload
from .preview_batch import PreviewBatch
from .usage_service import UsageService

log = logging.getLogger("embedding_deck")
QUICK_RELOAD_SECONDS = 0.05  # a host that reloads this fast answers within the refresh
REPAIR_WAIT_SECONDS = 1.0  # a scan does not wait longer for another process's operation

GRID_TEXT_LIMIT = 2000
# "A1111 1.10 refuses this file: …": a verdict on A1111's loader, which Forge does not share
A1111_REFUSAL = A1111_REFUSES_ZIP.partition(":")[0]
assert A1111_REFUSES_GLOBAL.startswith(A1111_REFUSAL + ":")
HOSTS_LOADING_NEWER_PT = frozenset({"forge"})
_NO_PATHS: list[str] = []  # shared by every row without duplicates; only ever read


class Deck:
    """Scans on demand, and answers grid, entry and thumbnail requests for one folder."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.library = Library(host.embeddings_dir, cache_file_for(host.cache_dir, host.embeddings_dir))
        self._scanned = False
        self._lock = threading.Lock()
        # Every write to the folder holds this lock, which other processes respect too.
        self.lock = LibraryLock(host.embeddings_dir)
        self.trash_dir = os.path.join(host.cache_dir, "trash")
        self.journal = fileops.journal_for(host.embeddings_dir, self.trash_dir)
        self.repairs: list[str] = []  # repair sentences the page has not shown yet
        self._hashes: dict[tuple[str, int, int], str] = {}
        self.reloader = HostReload(self._reload_and_look)
        # Image decoding and encoding hold the GIL in stretches: many at once in the thread
        # pool starve the event loop's thread (the WebUI's own), so they take turns.
        self._image_work = threading.Lock()
        self.upload_slots = threading.BoundedSemaphore(2)
        # path -> other paths with identical vectors, once the duplicates were asked for
        self.same_vectors: dict[str, list[str]] = {}
        self.civitai = CivitaiLookup(self)
        self.civitai_bulk = CivitaiBulk(self)
        self.preview_batch = PreviewBatch(self)
        self.favourites = Favourites(host.cache_dir, self.sha256)
        self.favourite_paths: set[str] = set()
        self.searches = SavedSearches(host.cache_dir)
        self.usage = UsageService(self)
        self.usage_counts: dict[str, dict[str, Any]] = {}

    def _reload_and_look(self) -> str:
        """The host's reload, and a sentence for the files it renamed to .corrupted meanwhile."""
        before = self._renamed_by_host()
        message = self.host.reload_embeddings()
        renamed = sorted(self._renamed_by_host() - before)
        if renamed:
            message = f"{message} {renamed_sentence(renamed)}"
        return message

    def _renamed_by_host(self) -> set[str]:
        root = self.library.root
        found = set()
        for folder, names in orphans.walk_files(root):
            found.update(
                os.path.join(folder, n) for n in names if n.lower().endswith(CORRUPTED) and is_candidate(n)
            )
        return {os.path.relpath(p, root).replace(os.sep, "/") for p in found}

    def reload_host(self) -> dict[str, Any]:
        """Start the host's own reload in the background (one at a time); its status."""
        self.reloader.start()
        return self.reloader.wait(QUICK_RELOAD_SECONDS)

    def folder_problem(self) -> str | None:
        """A sentence when the embeddings folder cannot be used, else None."""
        root = self.host.embeddings_dir
        if not os.path.exists(root):
            return f"The embeddings folder {root} does not exist. Create it, or point the WebUI at yours."
        if not os.path.isdir(root):
            return f"{root} is not a folder."
        if not os.access(root, os.R_OK | os.X_OK):
            return f"The embeddings folder {root} cannot be read (permission denied)."
        return None

    def scan(self, repair: bool = False) -> list[Entry]:
        """Rescan (cheap when nothing changed); the first scan, and ``repair``, first finish
        or roll back what a crash left behind."""
        if repair or not self._scanned:
            self.repair(sweep=True)
        with self._lock:
            entries = self.library.scan()
            self._scanned = True  # only now: a request meanwhile must not see an empty index
            return entries

    def repair(self, sweep: bool = False, wait: float = REPAIR_WAIT_SECONDS) -> list[str]:
        """Finish or roll back interrupted operations (and, with ``sweep``, resolve orphaned
        temporary files); each repair is logged and kept for the page to show once."""
        if self.folder_problem():
            return []
        try:
            with self.lock.hold(wait):
                notes = journal.recover(self.journal)
                if sweep:
                    notes += orphans.sweep(self.library.root, self.trash_dir)
        except Busy:
            return []  # another process is mid-operation; the next look repairs
        except OSError as err:
            notes = [
                f"An interrupted file operation could not be repaired yet ({err.strerror}: {err.filename}); "
                "nothing was deleted, and it is tried again at the next Refresh."
            ]
        for note in notes:
            log.warning("Embedding Deck: %s", note)
        if notes:
            # The WebUI loaded its list before the repair put files back under their names.
            self.reloader.start()
        self.repairs += notes
        return notes

    def take_repairs(self) -> str | None:
        """The repair sentences not shown yet, once."""
        notes, self.repairs = self.repairs, []
        return " ".join(notes) or None

    def entries(self) -> list[Entry]:
        """The current entries, scanning once on first use."""
        if not self._scanned:
            return self.scan()
        return list(self.library.entries.values())

    def grid(self) -> dict[str, Any]:
        """The compact payload the grid JavaScript renders."""
        problem = self.folder_problem()
        if problem:
            return {"error": problem, "entries": [], "folders": [], "family": self.host.model_family()}
        try:
            entries = self.entries()
        except OSError as err:
            return {
                "error": f"The embeddings folder cannot be listed ({err.strerror}).",
                "entries": [],
                "folders": [],
            }
        self.refresh_favourites(entries)
        self.usage_counts = self.usage.counts(entries)
        payload = {
            "error": None,
            "family": self.host.model_family(),
            "folders": sorted(self.library.folders),
            "entries": [self._grid_row(e) for e in entries],
            "message": self.take_repairs(),
        }
        if not entries:  # the empty state tells where to put files; otherwise not needed
            payload["root"] = self.host.embeddings_dir
        return payload

    def compare_outputs_dir(self) -> str:
        """Where comparisons (and generated previews) keep their tiles."""
        from .compare_jobs import service_for

        return service_for(self).outputs_dir()

    def refresh_favourites(self, entries: list[Entry] | None = None) -> None:
        """Which files are favourites now (favourites moved or renamed are found by hash)."""
        listed = entries if entries is not None else self.entries()
        self.favourite_paths = self.favourites.paths((e.path, e.size) for e in listed if not e.error)

    def set_favourite(self, rel: str, on: Any) -> dict[str, Any]:
        """Make an embedding a favourite, or not; its grid row."""
        entry = self.entry(rel)
        if entry.error:
            raise UnreadableFile(f"This file is not a readable embedding: {entry.error}")
        if self.favourites.set(rel, entry.size, bool(on)):
            self.favourite_paths.add(rel)
        else:
            self.favourite_paths.discard(rel)
        return {"row": self._grid_row(entry)}

    def _grid_row(self, e: Entry) -> dict[str, Any]:
        meta = e.metadata
        civitai = meta.get("civitai") if isinstance(meta.get("civitai"), dict) else {}
        return {
            "name": e.name,
            "path": e.path,
            "folder": e.folder,
            "format": e.format,
            "arch": family_of(e),
            "vectors": e.vectors,
            "size": e.size,
            "created": e.created,
            "modified": e.modified,
            "preview": e.preview,
            "preview_v": self._preview_version(e),
            "description": _text(meta.get("description")),
            "notes": _text(meta.get("notes")),
            "civitai": bool(civitai),
            "newer": civitai.get("newer"),
            "nsfw": bool(civitai.get("nsfw")),
            "error": e.error,
            **self._host_warnings(e),
            "stamp": e.stamp,
            "same_vectors_as": self.same_vectors.get(e.path, _NO_PATHS),
            "collides_with": e.collides_with,
            "winner": e.collision_winner,
            "hidden": e.hidden,
            "weight": _preferred_weight(meta),
            "target": "positive" if meta.get("default target") == "positive" else "negative",
            **_tags(meta),
            **({"fav": True} if e.path in self.favourite_paths else {}),
            **_usage(self.usage_counts.get(e.path)),
        }

    def _host_warnings(self, e: Entry) -> dict[str, Any]:
        """The warnings about the host the user runs; other hosts' verdicts apart.

        ``refused`` is the sentence why this host will not load the file (it skips it)."""
        if not e.warnings:
            return {"warnings": e.warnings, "other_hosts": _NO_PATHS, "refused": None}
        mine, others, refused = [], [], None
        for w in e.warnings:
            if w.startswith(A1111_REFUSAL):
                if self.host.name in HOSTS_LOADING_NEWER_PT:
                    others.append(w)
                    continue
                refused = refused or w
            mine.append(w)
        return {"warnings": mine, "other_hosts": others, "refused": refused}

    def skip_reason(self, e: Entry, family: str | None) -> str | None:
        """Why the WebUI skips this embedding in a generation, or None when it uses it."""
        refused = self._host_warnings(e)["refused"]
        if refused:
            return refused
        arch = family_of(e)
        if family and arch != family:
            if arch == "unknown":
                return "Its width fits no SD1, SD2 or SDXL model, so the WebUI skips it."
            return f"An {arch} embedding: the loaded checkpoint is {family}, so the WebUI skips it."
        return None

    def _preview_version(self, e: Entry) -> int | None:
        if not e.preview:
            return None
        try:
            return os.stat(os.path.join(self.library.root, e.preview)).st_mtime_ns
        except OSError:
            return None

    def entry(self, rel: str) -> Entry:
        """One listed entry by relative path; NotFound when the folder has no such file.

        A path the index does not know costs one listing of its folder (if that folder is
        part of the library), never a rescan of the whole library.
        """
        check_rel(rel)
        if not self._scanned:
            self.scan()
        entry = self.library.get(rel)
        if entry is None:
            folder = rel.rpartition("/")[0]
            if folder in self.library.folders:
                entry = self.library.refresh_one(rel)
        if entry is None:
            raise NotFound(f"No embedding at {rel}.")
        return entry

    def _abs(self, rel: str) -> str:
        """The listed embedding's path, checked on disk now (it may have gone since the scan).

        Listed paths are the WebUI's own walk (symlinked folders and files followed), so
        the path is joined, not resolved: a linked shared folder is written through its link.
        """
        self.entry(rel)  # listed, or NotFound
        path = listed_path(self.library.root, rel)
        if not os.path.isfile(path):
            self.library.refresh_one(rel)
            raise NotFound("That embedding is no longer in the folder; the list was refreshed.")
        return path

    def meta(self, rel: str) -> dict[str, Any]:
        """Everything the editor shows: the entry, X.json as it is now, and notes."""
        path = self._abs(rel)
        entry = self.library.refresh_one(rel) or self.entry(rel)
        json_file = sidecar.json_path_for(path)
        try:
            user, stamp = sidecar.read_user_metadata(json_file)
            json_error = None
        except ValueError as err:
            user, stamp, json_error = {}, "unreadable", str(err)
        return {
            "entry": entry.to_json(),
            "row": self._grid_row(entry),
            "user": user,
            "stamp": stamp,
            "json_error": json_error,
            "json_file": os.path.relpath(json_file, self.library.root).replace(os.sep, "/"),
            "sha256": self._hashes.get(self._hash_key(path)),
            "preview_note": _builtin_preview_note(path, entry),
            "standalone": self.host.name == "standalone",
            "description_source": None if "description" in user else _description_file(entry),
        }

    def save_meta(self, rel: str, changes: Any, stamp: Any) -> dict[str, Any]:
        """Merge the user's changed fields into X.json; the updated grid row and a notice."""
        path = self._abs(rel)
        clean = user_metadata.clean_changes(changes)
        if stamp == "unreadable":
            raise UnreadableFile(
                "X.json is not valid JSON; fix or remove it before saving. It was left as it is."
            )
        try:
            with self.lock.hold():
                _written, notice = user_metadata.merge_changes(sidecar.json_path_for(path), clean, stamp)
        except StaleWrite:
            raise
        except ValueError as err:
            raise UnreadableFile(str(err)) from None
        except OSError as err:
            raise DeckError(_write_failure(os.path.basename(sidecar.json_path_for(path)), err)) from None
        entry = self.library.refresh_one(rel)
        return {"row": self._grid_row(entry) if entry else None, "notice": notice}

    def sha256(self, rel: str) -> str:
        """The file's SHA-256 (the WebUI's hash), computed once per file version."""

        path = self._abs(rel)
        entry = self.entry(rel)
        if entry.error:
            raise UnreadableFile(f"No hash for a file that is not a readable embedding: {entry.error}")
        key = self._hash_key(path)
        if key not in self._hashes:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            self._hashes[key] = digest.hexdigest()
        return self._hashes[key]

    def cached_sha256(self, rel: str) -> str | None:
        """The file's SHA-256 if it was computed for this version of the file, else None."""
        try:
            return self._hashes.get(self._hash_key(self._abs(rel)))
        except (DeckError, OSError):
            return None

    def carry_hash(self, old_rel: str, new_rel: str) -> None:
        """After a rename or move (same bytes, same mtime): the hash is known under the new path."""
        for key, digest in list(self._hashes.items()):
            if key[0] == listed_path(self.library.root, old_rel):
                try:
                    new_key = self._hash_key(self._abs(new_rel))
                except (DeckError, OSError):
                    return
                if new_key[1:] == key[1:]:
                    self._hashes[new_key] = digest
                return

    def _hash_key(self, path: str) -> tuple[str, int, int]:
        st = os.stat(path)
        return (path, st.st_size, st.st_mtime_ns)

    def upload_preview(self, rel: str, data: bytes) -> dict[str, Any]:
        """Decode, re-encode and write X.preview.png (an old one goes to the trash)."""
        self._abs(rel)
        with self._image_work:
            png = previews.encode_preview(previews.decode_upload(data))
        with self.lock.hold():
            self.repair()
            path = self._abs(rel)
            try:
                fileops.replace_file(
                    self.library.root, self.trash_dir, self._preview_rel(rel), png, "preview"
                )
            except DeckError:
                raise
            except OSError as err:
                raise DeckError(_write_failure(os.path.basename(self._preview_rel(rel)), err)) from None
        entry = self.library.refresh_one(rel)
        return {"row": self._grid_row(entry) if entry else None, "notice": _builtin_preview_note(path, entry)}

    def delete_preview(self, rel: str) -> dict[str, Any]:
        """Move our X.preview.png to the trash so the default preview shows again."""
        with self.lock.hold():
            self.repair()
            self._abs(rel)
            try:
                item = fileops.trash_file(
                    self.library.root, self.trash_dir, self._preview_rel(rel), "preview"
                )
            except DeckError:
                raise
            except OSError as err:
                raise DeckError(_write_failure(os.path.basename(self._preview_rel(rel)), err)) from None
        entry = self.library.refresh_one(rel)
        notice = None if item else "There was no X.preview.png to delete."
        return {"row": self._grid_row(entry) if entry else None, "notice": notice, "trash_id": item}

    @staticmethod
    def _preview_rel(rel: str) -> str:
        return os.path.splitext(rel)[0] + previews.PREVIEW_SUFFIX

    def thumb(self, rel: str, width: int) -> tuple[bytes, str]:
        """Thumbnail bytes and ETag for a listed entry's preview (nothing else is served).

        A preview beside the embedding must really lie in the embedding's folder: a preview
        that is a symlink leading elsewhere is refused.
        """
        entry = self.entry(rel)
        if not entry.preview:
            raise NotFound("This embedding has no preview.")
        path = listed_path(self.library.root, entry.preview)
        folder = os.path.dirname(listed_path(self.library.root, rel))
        if entry.preview != entry.path and not same_real_folder(path, folder):
            raise NotFound("The preview is a link to a file outside the embedding's folder; it is not shown.")
        if not os.path.isfile(path):
            raise NotFound("The preview file is gone; refresh the list.")
        try:
            with self._image_work:
                return thumbnail(path, width, os.path.join(self.host.cache_dir, "thumbs"))
        except OSError:
            raise UnreadableFile("The preview image cannot be read.") from None


def renamed_sentence(paths: list[str]) -> str:
    """What the toolbar says after a reload that renamed files to .corrupted."""
    names = ", ".join(os.path.basename(p) for p in paths[:5]) + (" …" if len(paths) > 5 else "")
    return (
        f"It renamed {len(paths)} file(s) it could not load to .corrupted ({names}); "
        "press Refresh to see them as cards, with Restore name and Delete."
    )


def _usage(counts: dict[str, Any] | None) -> dict[str, Any]:
    # sent only for embeddings used at least once
    if not counts:
        return {}
    return {"uses": counts["uses"], "used_pos": counts["positive"], "used_neg": counts["negative"],
            "last_used": counts["last"]}  # fmt: skip


def _tags(meta: dict[str, Any]) -> dict[str, Any]:
    # sent only when there are some (rows of 10,000 files add up)
    tags = meta.get("tags")
    return {"tags": tags} if isinstance(tags, list) and tags else {}


def _description_file(entry: Entry) -> str | None:
    """The X.txt / X.description.txt the description comes from (first found, as A1111)."""
    stem = os.path.splitext(os.path.basename(entry.path))[0].lower()
    names = {os.path.basename(s).lower(): os.path.basename(s) for s in entry.sidecars}
    for suffix in sidecar.TEXT_SUFFIXES:
        if stem + suffix in names and entry.metadata.get("description"):
            return names[stem + suffix]
    return None


def _write_failure(what: str, err: OSError) -> str:
    why = OS_CAUSES.get(err.errno or 0) or err.strerror or type(err).__name__
    return f"Could not write {what} ({why}); every file was left as it was."


def _builtin_preview_note(path: str, entry: Entry | None) -> str | None:
    """A sentence when the WebUI's own page will show another picture than our preview."""
    if entry is None or not entry.preview or ".preview." not in entry.preview.lower():
        return None
    stem = os.path.splitext(path)[0]
    for ext in ("png", "jpg", "jpeg", "webp", "gif"):
        plain = f"{stem}.{ext}"
        if os.path.exists(plain):
            name = os.path.basename(plain)
            return (
                f"The WebUI's own Textual Inversion page shows {name} instead of this preview "
                f"(it prefers {name} over the .preview file); rename {name} to see it there too."
            )
    return None


def _preferred_weight(meta: dict[str, Any]) -> float:
    # A1111's editors store "preferred weight" with 0 meaning "not set".
    value = meta.get("preferred weight")
    try:
        weight = float(value)
    except (TypeError, ValueError):
        return 1.0
    return weight if weight > 0 else 1.0


def _text(value: Any) -> str:
    return value[:GRID_TEXT_LIMIT] if isinstance(value, str) else ""
