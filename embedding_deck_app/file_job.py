"""A long job over many embeddings that lives in a cache file and survives a restart.

The job file (``<cache>/<name>.json``) holds what is left (``todo``) and one list per
outcome; it is rewritten after each embedding, so a WebUI restart loses no progress: the
next status poll (the page asks when the deck opens) carries on where it stopped. One
thread works the paths one at a time; subclasses say what one path is (``_one``).
"""

from __future__ import annotations

import abc
import json
import os
import threading
import time
from typing import Any

from embedding_deck.atomic import atomic_write_json
from embedding_deck.errors import DeckError


class Busy(DeckError):
    """The job is already running."""

    status_hint = 409


class FileJob(abc.ABC):
    """One resumable job of a deck; ``_one(path, job)`` returns (outcome, detail) or None."""

    file_name = "job.json"
    thread_name = "edeck-job"
    busy_sentence = "That job is already running."
    pause_seconds = 0.0

    def __init__(self, deck: Any) -> None:
        self.deck = deck
        self.file = os.path.join(deck.host.cache_dir, self.file_name)
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._current: str | None = None

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

    # ---- start, cancel, resume ----------------------------------------------------------
    def _begin(self, todo: list[str], outcomes: tuple[str, ...], **extra: Any) -> None:
        """Write a new job and start working it; Busy while one runs."""
        with self._guard:
            if self._running():
                raise Busy(self.busy_sentence)
            job = {"state": "running", "total": len(todo), "todo": todo, "started": time.time(), **extra}
            for name in outcomes:
                job.setdefault(name, [])
            self._save(job)
            self._launch()

    def _stop_work(self) -> None:  # noqa: B027 - an optional hook: most jobs have nothing to stop
        """Hook: ask the work in progress to stop (the thread is joined after)."""

    def cancel(self) -> dict[str, Any]:
        self._stop.set()
        self._stop_work()
        thread = self._thread
        if thread is not None:
            thread.join(15)
        job = self._load()
        if job and job["state"] == "running":
            job["state"] = "cancelled"
            self._save(job)
        return self.status()

    @abc.abstractmethod
    def status(self, since: int = 0) -> dict[str, Any]:
        """The job as the page polls it (entries changed since ``since``)."""

    def _resumed(self) -> dict[str, Any] | None:
        """The job; an unfinished one from before a restart starts working again."""
        with self._guard:
            job = self._load()
            if job and job["state"] == "running" and not self._running():
                self._launch()  # the WebUI restarted mid-job: go on where it stopped
        return job

    # ---- the worker ---------------------------------------------------------------------
    def _running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _launch(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        job = self._load()
        while job and job["todo"] and not self._stop.is_set():
            path = job["todo"][0]
            self._current = path
            outcome = self._one(path, job)
            if outcome is None:  # cancelled in the middle of this one
                break
            kind, detail = outcome
            if kind == "stop":  # e.g. the WebUI's Interrupt: the job ends, this path stays to do
                job["state"], job["message"] = "cancelled", detail
                self._save(job)
                break
            job["todo"].pop(0)
            job[kind].append(detail)
            self._save(job)
            if job["todo"] and self._stop.wait(self.pause_seconds):
                break
        self._current = None
        if job and not job["todo"]:
            job["state"] = "done"
            self._save(job)

    @abc.abstractmethod
    def _one(self, path: str, job: dict[str, Any]) -> tuple[str, Any] | None:
        """Do one embedding of the job; what happened to it."""

    def _rows(self, paths: list[str]) -> list[dict[str, Any]]:
        """Grid rows of the files changed since the page last asked (their cards update)."""
        rows = []
        for path in paths:
            try:
                rows.append(self.deck._grid_row(self.deck.entry(path)))
            except DeckError:
                continue  # renamed or deleted since
        return rows
