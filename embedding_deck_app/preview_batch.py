"""*Make previews: n without one*: a generated "without | with" preview for each embedding.

Each embedding is one comparison (``compare_jobs``: the WebUI's pipeline under its queue
lock, tiles kept under outputs, the editor's "last comparison") with the settings the
user chose once — same prompt, seed and size for all — at weight 1 in its default target.
The two tiles become ``X.preview.png`` as a split picture (``compare_grid.split_pair``)
through the same writer as an upload. Embeddings the loaded checkpoint cannot use are
skipped with the reason; one that gained a preview meanwhile is left alone. Our Cancel
stops after the current tile; the WebUI's Interrupt ends the job too (the embedding it
stopped stays to do). The job is a cache file (``file_job``): it resumes after a restart.
"""

from __future__ import annotations

import io
import random
import time
from typing import Any

from PIL import Image

from embedding_deck import compare_grid
from embedding_deck.compare_plan import MAX_SEED, NO_CHECKPOINT, Incompatible
from embedding_deck.errors import DeckError

from . import compare_jobs
from .compare_jobs import ACTIVE, Unavailable
from .file_job import FileJob

JOB_FILE = "make_previews.json"
SETTLE_SECONDS = 60.0  # how long a cancelled comparison may take to end its tile


class PreviewBatch(FileJob):
    """The one preview-making job of a deck."""

    file_name = JOB_FILE
    thread_name = "edeck-make-previews"
    busy_sentence = "Previews are already being made."

    def __init__(self, deck: Any) -> None:
        super().__init__(deck)
        self.compare = compare_jobs.service_for(deck)

    # ---- what the page calls ------------------------------------------------------------
    def candidates(self) -> list[str]:
        """Readable embeddings without a preview (what *n without one* counts)."""
        return [e.path for e in self.deck.entries() if not e.error and not e.preview]

    def plan(self, paths: list[str] | None = None) -> dict[str, Any]:
        """Which of ``paths`` (None: every candidate) the loaded checkpoint can use, and why not."""
        family = self.deck.host.model_family()
        usable, unusable = [], []
        wanted = set(paths) if paths is not None else None
        for e in self.deck.entries():
            if e.error or e.preview or (wanted is not None and e.path not in wanted):
                continue
            why = self.deck.skip_reason(e, family)
            if why:
                unusable.append([e.path, why])
            else:
                usable.append(e.path)
        return {"usable": usable, "unusable": unusable, "family": family}

    def start(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue every usable embedding of ``body["paths"]`` (default: all without a preview)."""
        reason = self.compare.unavailable()
        if reason:
            raise Unavailable(reason)
        if self.deck.host.model_family() is None:
            raise Unavailable(NO_CHECKPOINT)
        paths = body.get("paths")
        if paths is not None and (not isinstance(paths, list) or not all(isinstance(p, str) for p in paths)):
            raise DeckError("Send the embeddings as a list of paths.")
        base, _params = self.compare.checked_base(body)
        if base.seed == -1:  # one seed for every embedding, so the previews compare too
            base.seed = random.SystemRandom().randrange(MAX_SEED)
        plan = self.plan(paths)
        separator = body.get("separator") if isinstance(body.get("separator"), str) else None
        self._begin(plan["usable"], ("made", "skipped", "failed"), base=base.to_json(), separator=separator,
                    skipped=plan["unusable"], message=None)  # fmt: skip
        return self.status()

    def status(self, since: int = 0) -> dict[str, Any]:
        """Progress; an unfinished job from before a restart carries on first."""
        job = self._resumed()
        if not job:
            return {"state": "idle", "candidates": len(self.candidates())}
        return {
            "state": job["state"],
            "message": job.get("message"),
            "done": job["total"] - len(job["todo"]),
            "total": job["total"],
            "current": (self._current or next(iter(job["todo"]), None))
            if job["state"] == "running"
            else None,
            "made": len(job["made"]),
            "skipped": job["skipped"],
            "failed": job["failed"],
            "seed": job.get("base", {}).get("seed"),
            "rows": self._rows(job["made"][since:]),
            "seen": len(job["made"]),
            "candidates": len(self.candidates()) if job["state"] != "running" else None,
        }

    # ---- the worker ---------------------------------------------------------------------
    def _one(self, path: str, job: dict[str, Any]) -> tuple[str, Any] | None:
        try:
            if self.deck.entry(path).preview:
                return "skipped", [path, "It has a preview now."]
        except DeckError:
            return "failed", [path, "It is no longer in the embeddings folder."]
        body = {"paths": [path], "base": job["base"], "weights": [1.0], "separator": job.get("separator")}
        while True:
            try:
                started = self.compare.start(body)
                break
            except compare_jobs.Busy:  # the user's own comparison runs: wait for it
                if self._stop.wait(1.0):
                    return None
            except Incompatible as err:
                return "skipped", [path, str(err)]
            except Unavailable as err:
                return "stop", str(err)
            except DeckError as err:
                return "failed", [path, str(err)]
        comparison = self._wait(started["id"])
        if comparison is None:
            return None
        return self._finish(path, comparison)

    def _wait(self, job_id: str) -> Any:
        """The comparison once it ended; None when our Cancel stopped it."""
        comparison = self.compare.job(job_id)
        while comparison.state in ACTIVE:
            if self._stop.wait(0.1):
                self.compare.cancel(job_id)
                deadline = time.monotonic() + SETTLE_SECONDS
                while comparison.state in ACTIVE and time.monotonic() < deadline:
                    time.sleep(0.05)
                return None
        return comparison

    def _finish(self, path: str, comparison: Any) -> tuple[str, Any]:
        if comparison.state == "cancelled":  # the WebUI's Interrupt: the whole job stops
            return "stop", comparison.message or "Interrupted in the WebUI."
        if comparison.state == "failed":
            return "failed", [path, comparison.message or "The generation failed."]
        if "0" not in comparison.files or "1" not in comparison.files:
            return "skipped", [path, "Skipped in the WebUI."]
        try:
            images = [Image.open(comparison.files[k]) for k in ("0", "1")]
            split = compare_grid.split_pair(images[0], images[1])
            out = io.BytesIO()
            split.save(out, format="PNG")
            if self.deck.entry(path).preview:
                return "skipped", [path, "It has a preview now."]
            self.deck.upload_preview(path, out.getvalue())
        except DeckError as err:
            return "failed", [path, str(err)]
        except OSError as err:
            return "failed", [path, f"The generated images could not be read ({err})."]
        return "made", path
