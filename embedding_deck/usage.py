"""How often each embedding was used, from the WebUI's own record of a generation.

A use is a name listed in the infotext's ``TI hashes`` (the WebUI writes only the
embeddings it actually used there, each with its short hash, the SHA-256's first 12 hex
digits); it counts as positive and/or negative by where the name stands in the prompts.
Counts live in a small SQLite database in the extension's data folder (WAL, a busy
timeout: several WebUIs may count at once), keyed by short hash when there is one — a
renamed file keeps its history — else by name. ``backfill`` reads the images already
in the outputs folders (``infotext_read``: text chunks and EXIF only), once per file
version: the ``seen`` table remembers size and mtime, so a second pass reads only new files.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .compare_plan import parse_infotext
from .infotext_read import read_infotext

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")
_HASH = re.compile(r"^[0-9a-f]{10,64}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uses (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, shorthash TEXT,
    positive INTEGER NOT NULL DEFAULT 0, negative INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0, last REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS seen (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER);
"""


_UPSERT = (
    "INSERT INTO uses (key, name, shorthash, positive, negative, total, last) VALUES (?,?,?,?,?,1,?) "
    "ON CONFLICT(key) DO UPDATE SET name=excluded.name, positive=positive+excluded.positive, "
    "negative=negative+excluded.negative, total=total+1, last=max(last, excluded.last)"
)


@dataclass(frozen=True)
class Use:
    """One embedding in one generation."""

    name: str
    shorthash: str | None
    positive: bool
    negative: bool


class PromptMemory:
    """The ``TI hashes`` last seen for each (prompt, negative prompt).

    The WebUI encodes a prompt again only when it changed: a second generation with the
    same prompts reuses the cached conditioning, and its infotext has no ``TI hashes``
    although the same embeddings were used. Such an image takes the hashes remembered
    for its prompts (bounded: the oldest prompts are forgotten)."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._known: dict[tuple[str, str], str] = {}

    def hashes(self, prompts: tuple[str, str], listed: str) -> str:
        if listed:
            self._known.pop(prompts, None)
            self._known[prompts] = listed
            if len(self._known) > self.limit:
                del self._known[next(iter(self._known))]
            return listed
        return self._known.get(prompts, "")


def uses_in(infotext: str, memory: PromptMemory | None = None) -> list[Use]:
    """The embeddings a generation used, from its infotext's ``TI hashes`` (or, through
    ``memory``, from the last generation with the same prompts)."""
    parsed = parse_infotext(infotext)
    listed = parsed.get("params", {}).get("TI hashes", "")
    prompt, negative = parsed.get("prompt", ""), parsed.get("negative_prompt", "")
    if memory is not None:
        listed = memory.hashes((prompt, negative), listed)
    if not listed:
        return []
    out: dict[str, Use] = {}
    for item in listed.strip('"').split(","):
        name, _, short = item.strip().rpartition(":")
        name, short = name.strip(), short.strip().lower()
        if not name:
            continue
        where = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE)
        use = Use(
            name,
            short if _HASH.match(short) else None,
            bool(where.search(prompt)),
            bool(where.search(negative)),
        )
        out.setdefault((use.shorthash or name.lower()), use)  # the WebUI may list one twice
    return list(out.values())


class UsageDB:
    """The counts; one connection per call (cheap) so threads and processes never share one."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._ready = False  # the file is made on first use, not when a deck starts
        self.memory = PromptMemory()  # for the images the WebUI saves while it runs

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction on a fresh connection, closed after (no file stays open)."""
        if not self._ready:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            if not self._ready:
                _prepare(db)
                self._ready = True
            with db:  # commit, or roll back on an error
                yield db
        finally:
            db.close()

    def record(self, uses: Iterable[Use], when: float | None = None) -> None:
        """Count one generation's uses (one transaction)."""
        stamp = time.time() if when is None else when
        with self._connect() as db:
            self._add(db, uses, stamp)

    @staticmethod
    def _add(db: sqlite3.Connection, uses: Iterable[Use], when: float) -> None:
        for use in uses:
            key = use.shorthash or "name:" + use.name.lower()
            db.execute(_UPSERT, (key, use.name, use.shorthash, int(use.positive), int(use.negative), when))

    def record_image(self, path: str, infotext: str | None) -> int:
        """Count a just-saved image once (the backfill will not count it again); its uses.
        ``path`` may be relative to the working directory (the WebUI's default outputs)."""
        path = os.path.abspath(path)
        uses = uses_in(infotext, self.memory) if infotext else []
        try:
            st = os.stat(path)
        except OSError:
            st = None
        with self._connect() as db:
            if st is not None:
                if db.execute("SELECT 1 FROM seen WHERE path=?", (path,)).fetchone():
                    return 0
                db.execute(
                    "INSERT OR REPLACE INTO seen (path, size, mtime_ns) VALUES (?,?,?)",
                    (path, st.st_size, st.st_mtime_ns),
                )
            self._add(db, uses, time.time())
        return len(uses)

    def rows(self) -> list[dict]:
        if not self._ready and not os.path.exists(self.path):
            return []  # nothing counted yet: no file made just to say so
        with self._connect() as db:
            cur = db.execute("SELECT name, shorthash, positive, negative, total, last FROM uses")
            keys = ("name", "shorthash", "positive", "negative", "total", "last")
            return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]

    def backfill(
        self,
        folders: Iterable[str],
        should_stop: Callable[[], bool] = lambda: False,
        progress: Callable[[int, int], None] | None = None,
        skip: Iterable[str] = (),
    ) -> dict[str, int]:
        """Read the images not read before (or changed since); counts of what was done.
        ``skip``: folders left out (the deck's own comparison tiles are not uses)."""
        done = {"images": 0, "read": 0, "with_uses": 0}
        with self._connect() as db:
            seen = {p: (s, m) for p, s, m in db.execute("SELECT path, size, mtime_ns FROM seen")}
        batch: list[tuple[str, int, int, list[Use], float]] = []
        memory = PromptMemory()  # files are read in name order: the WebUI's numbers, in time
        for path, st in _images(folders, [os.path.abspath(s) for s in skip]):
            done["images"] += 1
            if should_stop():
                break
            before = seen.get(path)
            if before == (st.st_size, st.st_mtime_ns):
                continue
            text = read_infotext(path)
            # a file read before and changed since (its metadata edited) is not counted twice
            uses = uses_in(text, memory) if text and before is None else []
            done["read"] += 1
            done["with_uses"] += bool(uses)
            batch.append((path, st.st_size, st.st_mtime_ns, uses, st.st_mtime))
            if len(batch) >= 500:
                self._flush(batch)
                if progress:
                    progress(done["read"], done["images"])
        self._flush(batch)
        return done

    def _flush(self, batch: list[tuple[str, int, int, list[Use], float]]) -> None:
        if not batch:
            return
        with self._connect() as db:
            for path, size, mtime_ns, uses, when in batch:
                self._add(db, uses, when)
                db.execute(
                    "INSERT OR REPLACE INTO seen (path, size, mtime_ns) VALUES (?,?,?)",
                    (path, size, mtime_ns),
                )
        batch.clear()


def _prepare(db: sqlite3.Connection, wait: float = 30.0) -> None:
    """WAL mode and the tables, also while another WebUI does the same: switching the
    journal mode is refused at once ("database is locked") when another connection holds
    the file, without the busy timeout's wait, so it is tried again for a while. WAL stays
    set in the file: once one process set it, the others find it so and change nothing."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _images(folders: Iterable[str], skip: list[str]) -> Iterator[tuple[str, os.stat_result]]:
    for folder in folders:
        for root, dirs, files in os.walk(os.path.abspath(folder)):
            dirs[:] = sorted(d for d in dirs if os.path.abspath(os.path.join(root, d)) not in skip)
            for name in sorted(files):
                if name.lower().endswith(IMAGE_EXTS):
                    path = os.path.join(root, name)
                    try:
                        yield path, os.stat(path)
                    except OSError:
                        continue
