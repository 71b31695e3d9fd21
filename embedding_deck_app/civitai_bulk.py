"""*Find on Civitai* for many files: one request at a time, a pause between, Cancel, resume.

The job is a file in the cache (``civitai_bulk.json``: what is left, what was found, what
failed and why), rewritten after each embedding, so a WebUI restart loses no progress: the
next status poll (the page asks when the deck opens) carries on where it stopped. A 429
waits its ``Retry-After`` and asks again; other failures are recorded with their sentence
and the job goes on. It runs on its own thread; each lookup is ``CivitaiLookup.lookup``.
"""

from __future__ import annotations

import os
from typing import Any

from embedding_deck.errors import DeckError

from .civitai_lookup import RateLimitedError
from .file_job import Busy, FileJob

__all__ = ["Busy", "CivitaiBulk"]

JOB_FILE = "civitai_bulk.json"
PAUSE_SECONDS = float(os.environ.get("EDECK_CIVITAI_PAUSE", "1.0"))  # tests shorten it
MAX_WAIT_SECONDS = 600.0


class CivitaiBulk(FileJob):
    """The one bulk lookup of a deck."""

    file_name = JOB_FILE
    thread_name = "edeck-civitai-bulk"
    busy_sentence = "A Civitai lookup is already running."

    @property
    def pause_seconds(self) -> float:  # read at each pause: tests shorten it
        return PAUSE_SECONDS

    def __init__(self, deck: Any) -> None:
        super().__init__(deck)
        self._waiting: float | None = None

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
        default = self.looked_up() if kind == "updates" else self.candidates()
        todo = [p for p in (paths if paths is not None else default) if isinstance(p, str)]
        self._begin(todo, ("found", "missing", "failed"), kind=kind)
        return self.status()

    def status(self, since: int = 0) -> dict[str, Any]:
        """Progress; an unfinished job from before a restart carries on first."""
        job = self._resumed()
        if not job:
            return {"state": "idle", "candidates": len(self.candidates())}
        done = job["total"] - len(job["todo"])
        return {
            "state": job["state"],
            "kind": job.get("kind", "lookup"),
            "done": done,
            "total": job["total"],
            "current": (self._current or next(iter(job["todo"]), None))
            if job["state"] == "running"
            else None,
            "waiting": self._waiting,
            "found": len(job["found"]),
            "missing": len(job["missing"]),
            "failed": job["failed"],
            "rows": self._rows(job["found"][since:]),
            "seen": len(job["found"]),
            "candidates": len(self.candidates()) if job["state"] != "running" else None,
        }

    # ---- the worker ---------------------------------------------------------------------
    def _one(self, path: str, job: dict[str, Any]) -> tuple[str, Any] | None:
        """("found", path) | ("missing", path) | ("failed", [path, sentence]); None: cancelled.
        For updates, found means a newer version, missing means up to date."""
        kind = job.get("kind", "lookup")
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
            return (res["status"], path) if res["status"] in ("found", "missing") else ("failed", [path, "?"])
