"""*Find on Civitai* for many files: one request at a time, a pause between, Cancel, resume.

The job is a file in the cache (``civitai_bulk.json``: what is left, what was found, what
failed and why), rewritten after each embedding, so a WebUI restart loses no progress: the
next status poll (the page asks when the deck opens) carries on where it stopped. A 429
waits its ``Retry-After`` and asks again; other failures are recorded with their sentence
and the job goes on. It runs on its own thread; each lookup is ``CivitaiLookup.lookup``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from embedding_deck.atomic import atomic_write_json
from embedding_deck.errors import DeckError

from .civitai_lookup import RateLimitedError

JOB_FILE = "civitai_bulk.json"
PAUSE_SECONDS = float(os.environ.get("EDECK_CIVITAI_PAUSE", "1.0"))  # tests shorten it
MAX_WAIT_SECONDS = 600.0


class Busy(DeckError):
    """A bulk lookup is already running."""

    status_hint = 409


class CivitaiBulk:
    """The one bulk lookup of a deck."""

    def __init__(self, deck: Any) -> None:
        self.deck = deck
        self.file = os.path.join(deck.host.cache_dir, JOB_FILE)
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._current: str | None = None
        self._waiting: float | None = None

    # ---- the job file -------------------------------------------------------------------
    def _load(self) -> dict[str, Any] | None:
        try:
            with open(self.file, encoding="utf-8") as fh:
                job = json.load(fh)
        except (OSError, ValueError):
            return None
        ok = isinstance(job, dict) and isinstance(job.get("todo"), list) and isinstance(job.get("total"), int)
        return job if ok else None

    def _save(self, job: dict[str, Any]) -> None:
        os.makedirs(os.path.dirname(self.file), exist_ok=True)
        atomic_write_json(self.file, job, indent=None, compact=True)

    # ---- what the page calls ------------------------------------------------------------
    def candidates(self) -> list[str]:
        """Readable embeddings without X.civitai.info (what *n without info* counts)."""
        return [e.path for e in self.deck.entries() if not e.error and "civitai" not in e.metadata]

    def looked_up(self) -> list[str]:
        """Readable embeddings with X.civitai.info (what *Check for updates* asks about)."""
        return [e.path for e in self.deck.entries() if not e.error and "civitai" in e.metadata]

    def start(self, paths: list[str] | None, kind: str = "lookup") -> dict[str, Any]:
        """Look up ``paths`` (None: every file without info), or with kind "updates" ask
        for newer versions of the looked-up ones; the status."""
        self.deck.civitai.client()  # refuses at once when lookups are off
        with self._guard:
            if self._running():
                raise Busy("A Civitai lookup is already running.")
            default = self.looked_up() if kind == "updates" else self.candidates()
            todo = [p for p in (paths if paths is not None else default) if isinstance(p, str)]
            job = {"state": "running", "kind": kind, "total": len(todo), "todo": todo, "found": [],
                   "missing": [], "failed": [], "started": time.time()}  # fmt: skip
            self._save(job)
            self._launch()
        return self.status()

    def cancel(self) -> dict[str, Any]:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(15)
        job = self._load()
        if job and job["state"] == "running":
            job["state"] = "cancelled"
            self._save(job)
        return self.status()

    def status(self, since: int = 0) -> dict[str, Any]:
        """Progress; an unfinished job from before a restart carries on first."""
        with self._guard:
            job = self._load()
            if job and job["state"] == "running" and not self._running():
                self._launch()  # the WebUI restarted mid-job: go on where it stopped
        if not job:
            return {"state": "idle", "candidates": len(self.candidates())}
        done = job["total"] - len(job["todo"])
        return {
            "state": job["state"],
            "kind": job.get("kind", "lookup"),
            "done": done,
            "total": job["total"],
            "current": self._current if job["state"] == "running" else None,
            "waiting": self._waiting,
            "found": len(job["found"]),
            "missing": len(job["missing"]),
            "failed": job["failed"],
            "rows": self._rows(job["found"][since:]),
            "seen": len(job["found"]),
            "candidates": len(self.candidates()) if job["state"] != "running" else None,
        }

    def _rows(self, paths: list[str]) -> list[dict[str, Any]]:
        """Grid rows of the files found since the page last asked (their cards update)."""
        rows = []
        for path in paths:
            try:
                rows.append(self.deck._grid_row(self.deck.entry(path)))
            except DeckError:
                continue  # renamed or deleted since
        return rows

    # ---- the worker ---------------------------------------------------------------------
    def _running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _launch(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="edeck-civitai-bulk", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        job = self._load()
        while job and job["todo"] and not self._stop.is_set():
            path = job["todo"][0]
            self._current = path
            outcome = self._one(path, job.get("kind", "lookup"))
            if outcome is None:  # cancelled while waiting out a 429
                break
            kind, detail = outcome
            job["todo"].pop(0)
            job[kind].append(detail if kind == "failed" else path)
            self._save(job)
            if job["todo"] and self._stop.wait(PAUSE_SECONDS):
                break
        self._current = None
        if job and not job["todo"]:
            job["state"] = "done"
            self._save(job)

    def _one(self, path: str, kind: str) -> tuple[str, Any] | None:
        """("found", None) | ("missing", None) | ("failed", [path, sentence]); None: cancelled.
        For updates, found means a newer version, missing means up to date."""
        while True:
            try:
                if kind == "updates":
                    res = {"status": "found" if self.deck.civitai.check_update(path) else "missing"}
                else:
                    res = self.deck.civitai.lookup(path)
            except RateLimitedError as err:
                self._waiting = min(err.retry_after, MAX_WAIT_SECONDS)
                cancelled = self._stop.wait(self._waiting)
                self._waiting = None
                if cancelled:
                    return None
                continue
            except DeckError as err:
                return "failed", [path, str(err)]
            except Exception as err:  # noqa: BLE001 - one bad file must not end the job
                return "failed", [path, f"{type(err).__name__}: {err}"]
            return (res["status"], None) if res["status"] in ("found", "missing") else ("failed", [path, "?"])
