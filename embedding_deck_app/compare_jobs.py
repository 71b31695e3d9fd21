"""Comparisons and nearest tokens for one Deck: jobs, their files, and the last of each embedding.

One comparison at a time, on a worker thread; the host generates the tiles (under its
queue lock) and this module saves them, composes the labelled grid and remembers the
result. Files go under the host's outputs folder (``outputs/embedding-deck/``), or our
cache when the host has none — never inside the embeddings folder, where the WebUI would
try to load a PNG as an embedding. Only files a job wrote are ever served back.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

from embedding_deck import compare_grid
from embedding_deck.atomic import atomic_write_bytes, atomic_write_json
from embedding_deck.compare_plan import (
    NO_CHECKPOINT,
    BaseSettings,
    Candidate,
    Plan,
    PlanError,
    build_plan,
    check_base,
    check_weights,
    parse_infotext,
)
from embedding_deck.errors import DeckError, NotFound, UnreadableFile

OUT_FOLDER = "embedding-deck"
KEEP_JOBS = 20
LAST_FILE = "compare_last.json"
_JOB_ID = re.compile(r"^[0-9a-f]{12}$")
ACTIVE = ("queued", "running")


class Unavailable(DeckError):
    """A feature this host cannot offer (the standalone page, no model…)."""

    status_hint = 409


class Busy(DeckError):
    """Another comparison is queued or running."""

    status_hint = 409


class Job:
    """One comparison: its plan, progress, tiles and the files it wrote."""

    def __init__(self, plan: Plan, folder: str, rel_folder: str) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.plan = plan
        self.folder = folder
        self.rel_folder = rel_folder
        self.state = "queued"
        self.message: str | None = None
        self.created = time.time()
        self.finished: float | None = None
        self.done = 0
        self.status = ["pending"] * len(plan.tiles)
        self.infotexts = [""] * len(plan.tiles)
        self.files: dict[str, str] = {}  # "0".."n", "grid" -> absolute path
        self.cancel = threading.Event()

    def to_json(self) -> dict[str, Any]:
        total = len(self.plan.tiles)
        tiles = []
        for tile in self.plan.tiles:
            row = tile.to_json()
            row["status"] = self.status[tile.index]
            row["infotext"] = self.infotexts[tile.index]
            row["image"] = str(tile.index) in self.files
            tiles.append(row)
        return {
            "id": self.id,
            "state": self.state,
            "message": self.message,
            "progress": {"done": self.done, "total": total, "text": f"{self.done} of {total}"},
            "cancel_requested": self.cancel.is_set(),
            "base": self.plan.base.to_json(),
            "weights": self.plan.weights,
            "notes": self.plan.notes,
            "tiles": tiles,
            "grid": "grid" in self.files,
            "folder": self.rel_folder,
            "created": self.created,
            "finished": self.finished,
        }


def _inside(path: str, root: str) -> bool:
    try:
        path, root = os.path.realpath(path), os.path.realpath(root)
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives
        return False


class CompareService:
    """Starts comparisons, tracks their jobs, serves their images; nearest tokens."""

    def __init__(self, deck: Any) -> None:
        self.deck = deck
        self.host = deck.host
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._last: dict[str, dict[str, Any]] | None = None
        self._nearest_cache: dict[tuple, dict[str, Any]] = {}
        self._nearest_lock = threading.Lock()

    # ---- what the host offers -----------------------------------------------------------
    def unavailable(self) -> str | None:
        """Why comparisons cannot run here, or None."""
        probe = getattr(self.host, "compare_unavailable", None)
        if probe is None:
            return "Comparisons need the WebUI: the standalone page cannot generate images."
        return probe()

    def support(self) -> dict[str, Any]:
        """What the page needs to enable (or explain) the Compare button."""
        from embedding_deck.compare_plan import MAX_EMBEDDINGS, MAX_WEIGHTS

        reason = self.unavailable()
        family = self.host.model_family()
        if reason is None and family is None:
            reason = NO_CHECKPOINT
        checkpoint = getattr(self.host, "checkpoint_name", lambda: None)()
        nearest = getattr(self.host, "text_encoders", None)
        return {
            "available": reason is None,
            "reason": reason,
            "family": family,
            "checkpoint": checkpoint,
            "nearest": nearest is not None,
            "max_embeddings": MAX_EMBEDDINGS,
            "max_weights": MAX_WEIGHTS,
            "busy": self._active() is not None,
        }

    def outputs_dir(self) -> str:
        """Where comparisons are saved: the host's outputs folder, never the embeddings folder."""
        folder_of = getattr(self.host, "outputs_dir", None)
        folder = folder_of() if folder_of else None
        if not folder or _inside(folder, self.host.embeddings_dir):
            folder = os.path.join(self.host.cache_dir, "compare")
        return folder

    # ---- settings -----------------------------------------------------------------------
    def settings(self, body: dict[str, Any]) -> dict[str, Any]:
        """Base settings from an infotext and/or fields, checked; what the panel shows."""
        base, params = self.checked_base(body)
        return {"base": base.to_json(), "params": params}

    def checked_base(self, body: dict[str, Any]) -> tuple[BaseSettings, dict[str, str]]:
        """Base settings from the body's infotext and/or fields (PlanError when out of range)."""
        infotext = body.get("infotext")
        raw = body.get("base")
        if raw is not None and not isinstance(raw, dict):
            raise PlanError("The comparison settings must be an object.")
        params: dict[str, str] = {}
        merged: dict[str, Any] = {}
        if infotext:
            if not isinstance(infotext, str) or len(infotext) > 100_000:
                raise PlanError("The infotext must be text (at most 100,000 characters).")
            parsed = parse_infotext(infotext)
            params = parsed.pop("params", {})
            merged.update(parsed)
        merged.update({k: v for k, v in (raw or {}).items() if v is not None})
        return check_base(merged), params

    # ---- jobs ---------------------------------------------------------------------------
    def _active(self) -> Job | None:
        return next((j for j in self._jobs.values() if j.state in ACTIVE), None)

    def start(self, body: dict[str, Any]) -> dict[str, Any]:
        """Plan and queue a comparison; its job (id, state, tiles)."""
        reason = self.unavailable()
        if reason:
            raise Unavailable(reason)
        paths = body.get("paths")
        if isinstance(body.get("path"), str) and paths is None:
            paths = [body["path"]]
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise PlanError("Send the embeddings to compare as a list of paths.")
        if len(paths) > 64:
            raise PlanError("Too many embeddings.")
        base, _params = self.checked_base(body)
        weights = check_weights(body.get("weights"))
        candidates = [self._candidate(p) for p in dict.fromkeys(paths)]
        separator = body.get("separator")
        plan = build_plan(base, candidates, weights, self.host.model_family(), separator or ", ")
        with self._lock:
            if self._active() is not None:
                raise Busy("A comparison is already running; wait for it or cancel it.")
            stamp = time.strftime("%Y%m%d-%H%M%S")
            job = Job(plan, "", "")
            rel = f"{OUT_FOLDER}/{stamp}-{job.id}"
            job.folder = os.path.join(self.outputs_dir(), f"{stamp}-{job.id}")
            job.rel_folder = rel
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].state in ACTIVE:
                    break
                self._jobs.pop(oldest)
        threading.Thread(target=self._run, args=(job,), name=f"edeck-compare-{job.id}", daemon=True).start()
        return job.to_json()

    def _candidate(self, rel: str) -> Candidate:
        entry = self.deck.entry(rel)
        row = self.deck._grid_row(entry)
        return Candidate(
            name=entry.name,
            path=entry.path,
            target=row["target"],
            vectors=entry.vectors,
            arch=row["arch"],
            error=entry.error,
        )

    def job(self, job_id: Any) -> Job:
        """A known job by id; NotFound otherwise."""
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            raise NotFound("No such comparison.")
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound("No such comparison (the WebUI may have restarted).")
        return job

    def status(self, job_id: Any) -> dict[str, Any]:
        return self.job(job_id).to_json()

    def cancel(self, job_id: Any) -> dict[str, Any]:
        """Ask a job to stop after the current tile (a queued one never starts)."""
        job = self.job(job_id)
        if job.state in ACTIVE:
            job.cancel.set()
            interrupt = getattr(self.host, "interrupt_generation", None)
            if interrupt and job.state == "running":
                interrupt()
        return job.to_json()

    def _run(self, job: Job) -> None:
        try:
            self._work(job)
        finally:
            if job.state in ACTIVE:  # never leave a job "running" after its thread ends
                self._finish(job, "failed", "The comparison stopped unexpectedly; the console shows why.")

    def _work(self, job: Job) -> None:
        try:
            os.makedirs(job.folder, exist_ok=True)
        except OSError as err:
            self._finish(job, "failed", f"Could not create {job.rel_folder} ({err.strerror}).")
            return
        images: list[Any] = [None] * len(job.plan.tiles)

        def started() -> None:
            job.state = "running"

        def on_tile(index: int, image: Any, infotext: str, status: str) -> None:
            job.status[index] = status
            job.infotexts[index] = infotext or ""
            if image is not None and status == "done":
                path = os.path.join(job.folder, f"tile-{index:02d}.png")
                atomic_write_bytes(path, compare_grid.png_bytes(image, infotext))
                job.files[str(index)] = path
                images[index] = image
            job.done = sum(1 for s in job.status if s != "pending")

        try:
            outcome = self.host.generate(job.plan, on_tile, job.cancel.is_set, started)
        except DeckError as err:
            self._finish(job, "failed", str(err))
            return
        except Exception as err:  # noqa: BLE001 - the host's pipeline failed: say so, keep what was made
            self._finish(job, "failed", f"Generation failed: {type(err).__name__}: {err}")
            return
        if any(img is not None for img in images):
            try:
                self._save_grid(job, images)
            except (OSError, ValueError) as err:
                self._finish(job, "failed", f"The tiles were made, but the grid could not be saved ({err}).")
                return
        if outcome == "cancelled" or job.cancel.is_set():
            self._finish(job, "cancelled", "Cancelled.")
        elif outcome == "interrupted":
            self._finish(job, "cancelled", "Interrupted in the WebUI.")
        else:
            skipped = job.status.count("skipped")
            self._finish(job, "done", f"{skipped} tile(s) skipped in the WebUI." if skipped else None)

    def _save_grid(self, job: Job, images: list[Any]) -> None:
        base = job.plan.base
        labels = []
        for tile in job.plan.tiles:
            if tile.name is None:
                labels.append(("none", "without the embeddings"))
            else:
                detail = f"{tile.arch} · {tile.vectors or '?'} vectors · {tile.target}"
                labels.append((tile.label, detail))
        grid = compare_grid.compose(images, labels, (base.width, base.height))
        info = next((t for t in job.infotexts if t), "")
        path = os.path.join(job.folder, "grid.png")
        atomic_write_bytes(path, compare_grid.png_bytes(grid, info))
        job.files["grid"] = path

    def _finish(self, job: Job, state: str, message: str | None) -> None:
        job.message = message
        job.finished = time.time()
        job.state = state
        if job.files:
            try:
                atomic_write_json(os.path.join(job.folder, "comparison.json"), self._record(job))
                self._remember(job)
            except OSError:
                pass

    def _record(self, job: Job) -> dict[str, Any]:
        data = job.to_json()
        data["files"] = {k: os.path.basename(v) for k, v in job.files.items()}
        return data

    # ---- last comparison per embedding ---------------------------------------------------
    def _last_path(self) -> str:
        return os.path.join(self.host.cache_dir, LAST_FILE)

    def _load_last(self) -> dict[str, dict[str, Any]]:
        if self._last is None:
            try:
                with open(self._last_path(), encoding="utf-8") as fh:
                    data = json.load(fh)
                self._last = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._last = {}
        return self._last

    def _remember(self, job: Job) -> None:
        with self._lock:
            last = self._load_last()
            for tile in job.plan.tiles:
                if tile.path:
                    last[tile.path] = {"job": job.id, "folder": job.folder, "finished": job.finished}
            os.makedirs(self.host.cache_dir, exist_ok=True)
            atomic_write_json(self._last_path(), last)

    def last(self, rel: str) -> dict[str, Any]:
        """The last comparison that held this embedding ({"job": null} when none)."""
        self.deck.entry(rel)
        with self._lock:
            record = self._load_last().get(rel)
        if not record:
            return {"job": None}
        job_id = record.get("job")
        with self._lock:
            job = self._jobs.get(job_id) if isinstance(job_id, str) else None
        if job is None:
            job = self._reload_job(record)
        return {"job": job.to_json() if job else None}

    def _reload_job(self, record: dict[str, Any]) -> Job | None:
        """A finished job from its comparison.json (after a restart); only its own files."""
        folder = record.get("folder")
        if not isinstance(folder, str) or not _inside(folder, self.outputs_dir()):
            return None
        try:
            with open(os.path.join(folder, "comparison.json"), encoding="utf-8") as fh:
                data = json.load(fh)
            from embedding_deck.compare_plan import Tile

            tiles = [Tile(**{k: t[k] for k in Tile.__dataclass_fields__ if k in t}) for t in data["tiles"]]
            plan = Plan(BaseSettings(**data["base"]), tiles, data.get("weights", []), data.get("notes", []))
            job = Job(plan, folder, data.get("folder", ""))
            job.id = data["id"]
            job.state, job.message = data["state"], data.get("message")
            job.created, job.finished = data.get("created", 0), data.get("finished")
            job.status = [t.get("status", "pending") for t in data["tiles"]]
            job.infotexts = [t.get("infotext", "") for t in data["tiles"]]
            job.done = data["progress"]["done"]
            for key, name in data.get("files", {}).items():
                path = os.path.join(folder, os.path.basename(str(name)))
                if os.path.isfile(path):
                    job.files[str(key)] = path
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not _JOB_ID.match(job.id):
            return None
        with self._lock:
            self._jobs[job.id] = job
        return job

    # ---- images and previews ------------------------------------------------------------
    def image(self, job_id: Any, tile: Any) -> bytes:
        """PNG bytes of a tile ("0", "1"…) or "grid" that this job wrote."""
        job = self.job(job_id)
        path = job.files.get(str(tile))
        if path is None:
            raise NotFound("That comparison has no such image.")
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except OSError:
            raise NotFound("The comparison image is gone from the outputs folder.") from None

    def make_preview(self, job_id: Any, tile: Any, rel: Any = None) -> dict[str, Any]:
        """Make a tile the preview of its embedding (X.preview.png through the preview writer)."""
        job = self.job(job_id)
        try:
            index = int(tile)
        except (TypeError, ValueError):
            raise NotFound("That comparison has no such tile.") from None
        if not 0 <= index < len(job.plan.tiles):
            raise NotFound("That comparison has no such tile.")
        t = job.plan.tiles[index]
        compared = [x.path for x in job.plan.tiles if x.path]
        target = rel if isinstance(rel, str) and rel else t.path
        if target is None or (t.path is not None and target != t.path) or target not in compared:
            raise PlanError("A tile can only become the preview of the embedding it shows.")
        data = self.image(job_id, index)
        return self.deck.upload_preview(target, data)

    # ---- nearest tokens -----------------------------------------------------------------
    def nearest(self, rel: str) -> dict[str, Any]:
        """Norms and nearest vocabulary tokens of each vector (cached per file and checkpoint)."""
        encoders_of = getattr(self.host, "text_encoders", None)
        if encoders_of is None:
            raise Unavailable("Nearest tokens need the WebUI: the standalone page has no text encoder.")
        entry = self.deck.entry(rel)
        if entry.error:
            raise UnreadableFile(f"This file is not a readable embedding: {entry.error}")
        family = self.host.model_family()
        if family is None:
            raise Unavailable(NO_CHECKPOINT)
        arch = self.deck._grid_row(entry)["arch"]
        if arch != family:
            raise Unavailable(f"{entry.name} is an {arch} embedding; the loaded checkpoint is {family}.")
        path = self.deck._abs(rel)
        st = os.stat(path)
        checkpoint = getattr(self.host, "checkpoint_name", lambda: None)()
        key = (rel, st.st_size, st.st_mtime_ns, checkpoint)
        cached = self._nearest_cache.get(key)
        if cached is not None:
            return {**cached, "cached": True}
        with self._nearest_lock:  # a vocabulary pass per encoder: one at a time
            vectors = self._vectors(path, entry.name)
            encoders = encoders_of()
            result = _nearest_report(vectors, encoders)
        payload = {"path": rel, "name": entry.name, "checkpoint": checkpoint, "encoders": result}
        self._nearest_cache[key] = payload
        return {**payload, "cached": False}

    def _vectors(self, path: str, name: str) -> dict[str, Any]:
        from embedding_deck import nearest

        ext = os.path.splitext(path)[1].lower()
        if ext == ".safetensors":
            return nearest.read_safetensors_vectors(path)
        if ext in (".pt", ".bin"):
            found = _vectors_by_reader(path)
            if found is not None:
                return found
        loaded = getattr(self.host, "loaded_vectors", lambda _name: None)(name)
        if loaded:
            return loaded
        raise Unavailable(
            f"The vectors of {name} can be read here only from the WebUI's loaded embeddings, and "
            "it has not loaded this one (refresh, or generate once)."
        )


def _vectors_by_reader(path: str) -> dict[str, Any] | None:
    """A .pt/.bin's vectors through the restricted unpickler's layout, if that reader exists."""
    try:
        from embedding_deck import vectors as layout
    except ImportError:
        return None
    from embedding_deck.nearest import array_from_bytes

    try:
        found = layout.locate(path)
        data = layout.read_tensors(path, found)
    except (AttributeError, TypeError):
        return None
    out = {}
    for tensor, raw in zip(found.tensors, data, strict=True):
        key = tensor.key if found.sdxl else "emb_params"
        out[key] = array_from_bytes(raw, tensor.dtype, tensor.shape)
    return out


def _nearest_report(
    vectors: dict[str, Any], encoders: list[tuple[str, Any, list[str]]]
) -> list[dict[str, Any]]:
    from embedding_deck import nearest

    if not encoders:
        raise Unavailable("The loaded checkpoint's text encoder cannot be read on this host.")
    out = []
    sdxl = "clip_l" in vectors and "clip_g" in vectors
    for key, matrix, tokens in encoders:
        if sdxl:
            vecs = vectors.get(key)
            if vecs is None:
                continue
        else:
            vecs = next(iter(vectors.values()))
        reports = nearest.nearest_tokens(matrix, tokens, vecs)
        out.append({"encoder": key, "vectors": [r.to_json() for r in reports]})
        if not sdxl:
            break
    if not out:
        raise Unavailable("None of the loaded text encoders matches this embedding's vectors.")
    return out


_SERVICES_LOCK = threading.Lock()


def service_for(deck: Any) -> CompareService:
    """The one CompareService of a Deck (kept across UI reloads, which mount routes again)."""
    with _SERVICES_LOCK:
        svc = getattr(deck, "_edeck_compare", None)
        if svc is None:
            svc = CompareService(deck)
            deck._edeck_compare = svc
        return svc
