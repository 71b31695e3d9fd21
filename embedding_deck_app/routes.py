"""HTTP routes under ``/edeck/v1/``: one ``mount(app, deck)`` for the WebUI and standalone.

Core errors become 4xx JSON ``{"error": sentence}`` here, in one place; a route never
answers 500 for bad input. Request bodies are read on the event loop (with a size limit);
everything else (file work, hashing, image decoding) runs in a worker thread, because
inside the WebUI that loop is the WebUI's own.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from embedding_deck.errors import DeckError
from embedding_deck.previews import MAX_UPLOAD_BYTES
from embedding_deck.query import ordered

from .bulk_ops import FILE_ACTIONS, BulkOps
from .compare_jobs import service_for
from .deck import Deck
from .library_ops import LibraryOps

PREFIX = "/edeck/v1"
MAX_JSON_BYTES = 2 * 1024 * 1024  # three 100,000-character text fields fit, escaped
MAX_JSON_DEPTH = 32
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _json(data: Any, status: int = 200) -> Response:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:  # a file name with undecodable bytes: escape, stay valid JSON
        body = json.dumps(data, separators=(",", ":")).encode("ascii")
    return Response(body, status_code=status, media_type="application/json", headers=HEADERS)


def _error(err: Exception) -> Response:
    if isinstance(err, DeckError):
        return _json({"error": str(err)}, err.status_hint)
    return _json({"error": "The request is nested too deeply."}, 400)  # RecursionError


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(fn):

        async def run_async(*args: Any, **kwargs: Any) -> Response:
            try:
                return await fn(*args, **kwargs)
            except (DeckError, RecursionError) as err:
                return _error(err)

        return run_async

    def run(*args: Any, **kwargs: Any) -> Response:
        try:
            return fn(*args, **kwargs)
        except (DeckError, RecursionError) as err:
            return _error(err)

    return run


class BadRequest(DeckError):
    """A malformed request from the page."""


class TooLarge(DeckError):
    """A request body over its limit."""

    status_hint = 413


async def _limited_body(request: Request, limit: int, what: str) -> bytes:
    too_large = TooLarge(f"{what} is larger than {limit // (1024 * 1024)} MB.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _depth_ok(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return False
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return True


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await _limited_body(request, MAX_JSON_BYTES, "The request")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("The request body is not JSON (or is nested too deeply).") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body is not a JSON object.")
    if not _depth_ok(body):
        raise BadRequest("The request is nested too deeply.")
    return body


def _path_of(body: dict[str, Any]) -> str:
    path = body.get("path", "")
    if not isinstance(path, str):
        raise BadRequest("The path must be text.")
    return path


def mount(app: FastAPI, deck: Deck, dependencies: Sequence[Any] = ()) -> None:
    """Add the extension's routes to ``app`` (call again on each new app after a UI reload)."""
    deps = list(dependencies)

    def state() -> Response:
        host = deck.host
        return _json({"host": host.name, "family": host.model_family(), "settings": host.settings()})

    def grid() -> Response:
        return _json(deck.grid())

    def refresh() -> Response:
        deck.scan(repair=True)
        payload = deck.grid()
        launch = deck.reloader.claim()
        payload["reload"] = deck.reloader.status()
        # Encoded before the host's reload starts: it holds the GIL in long stretches.
        response = _json(payload)
        if launch:
            deck.reloader.launch()
        return response

    def reload_status() -> Response:
        return _json(deck.reloader.status())

    def embeddings() -> Response:
        problem = deck.folder_problem()
        if problem:
            return _json({"error": problem}, 404)
        return _json([e.to_json() for e in ordered(deck.entries(), "path")])

    def embedding(path: str = "") -> Response:
        return _json(deck.entry(path).to_json())

    def thumb(request: Request, path: str = "", w: str = "256") -> Response:
        if not w.isdigit() or len(w) > 5:
            raise BadRequest("The thumbnail width must be a number of pixels.")
        data, tag = deck.thumb(path, int(w))
        headers = {"ETag": tag, "Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type="image/webp", headers=headers)

    def meta(path: str = "") -> Response:
        return _json(deck.meta(path))

    async def save_meta(request: Request) -> Response:
        body = await _json_body(request)
        path, changes, stamp = _path_of(body), body.get("changes"), body.get("stamp")
        return _json(await run_in_threadpool(deck.save_meta, path, changes, stamp))

    async def sha256(request: Request) -> Response:
        path = _path_of(await _json_body(request))
        return _json({"sha256": await run_in_threadpool(deck.sha256, path)})

    async def civitai_lookup(request: Request) -> Response:
        body = await _json_body(request)
        again = body.get("again") is True
        return _json(await run_in_threadpool(deck.civitai.lookup, _path_of(body), again))

    async def civitai_images(path: str = "") -> Response:
        return _json(await run_in_threadpool(deck.civitai.images, path))

    async def civitai_choose(request: Request) -> Response:
        body = await _json_body(request)
        return _json(await run_in_threadpool(deck.civitai.choose, _path_of(body), body.get("index")))

    async def civitai_bulk_start(request: Request) -> Response:
        body = await _json_body(request)
        paths = body.get("paths")
        paths = [_path_of({"path": p}) for p in paths] if isinstance(paths, list) else None
        kind = "updates" if body.get("kind") == "updates" else "lookup"
        return _json(await run_in_threadpool(deck.civitai_bulk.start, paths, kind))

    async def civitai_bulk_status(since: int = 0) -> Response:
        return _json(await run_in_threadpool(deck.civitai_bulk.status, max(0, since)))

    async def civitai_bulk_cancel(request: Request) -> Response:
        return _json(await run_in_threadpool(deck.civitai_bulk.cancel))

    async def favourite(request: Request) -> Response:
        body = await _json_body(request)
        return _json(await run_in_threadpool(deck.set_favourite, _path_of(body), body.get("on")))

    async def usage_start(request: Request) -> Response:
        await _json_body(request)
        return _json(await run_in_threadpool(deck.usage.start_backfill))

    def usage_status() -> Response:
        return _json(deck.usage.status())

    async def usage_cancel(request: Request) -> Response:
        return _json(await run_in_threadpool(deck.usage.cancel))

    def searches() -> Response:
        return _json({"searches": deck.searches.list()})

    async def save_search(request: Request) -> Response:
        body = await _json_body(request)
        return _json({"searches": await run_in_threadpool(deck.searches.save, body)})

    async def delete_search(request: Request) -> Response:
        body = await _json_body(request)
        return _json({"searches": await run_in_threadpool(deck.searches.delete, body.get("name"))})

    # -- generated previews for many embeddings (preview_batch.py; the host generates)
    async def previews_plan() -> Response:
        return _json(await run_in_threadpool(deck.preview_batch.plan))

    async def previews_start(request: Request) -> Response:
        body = await _json_body(request)
        paths = body.get("paths")
        body["paths"] = [_path_of({"path": p}) for p in paths] if isinstance(paths, list) else None
        return _json(await run_in_threadpool(deck.preview_batch.start, body))

    async def previews_status(since: int = 0) -> Response:
        return _json(await run_in_threadpool(deck.preview_batch.status, max(0, since)))

    async def previews_cancel(request: Request) -> Response:
        return _json(await run_in_threadpool(deck.preview_batch.cancel))

    async def upload_preview(request: Request, path: str = "") -> Response:
        await run_in_threadpool(deck.entry, path)  # refuse before reading 32 MB
        # Bodies are read on the event loop: read a few at a time (the rest wait in the
        # socket buffers), or twenty uploads at once would stall every other request.
        await run_in_threadpool(deck.upload_slots.acquire)
        try:
            data = await _limited_body(request, MAX_UPLOAD_BYTES, "The image")
            return _json(await run_in_threadpool(deck.upload_preview, path, data))
        finally:
            deck.upload_slots.release()

    async def delete_preview(request: Request) -> Response:
        path = _path_of(await _json_body(request))
        return _json(await run_in_threadpool(deck.delete_preview, path))

    # -- managing the library (library_ops.py): every answer has the rows to replace
    ops = getattr(deck, "library_ops", None) or LibraryOps(deck)
    deck.library_ops = ops

    def changed(result: dict[str, Any]) -> Response:
        # As Refresh: the WebUI reloads its list in the background, started once the
        # answer is encoded (the reload holds the GIL in long stretches).
        launch = deck.reloader.claim(again=True)
        result["reload"] = deck.reloader.status()
        response = _json(result)
        if launch:
            deck.reloader.launch()
        return response

    async def rename(request: Request) -> Response:
        body = await _json_body(request)
        args = (_path_of(body), body.get("name"), body.get("stamp"))
        return changed(await run_in_threadpool(ops.rename, *args))

    async def move(request: Request) -> Response:
        body = await _json_body(request)
        args = (_path_of(body), body.get("folder"), body.get("stamp"))
        return changed(await run_in_threadpool(ops.move, *args))

    async def delete(request: Request) -> Response:
        body = await _json_body(request)
        return changed(await run_in_threadpool(ops.delete, _path_of(body), body.get("stamp")))

    async def restore_name(request: Request) -> Response:
        body = await _json_body(request)
        return changed(await run_in_threadpool(ops.restore_name, _path_of(body), body.get("stamp")))

    async def convert(request: Request) -> Response:
        body = await _json_body(request)
        return changed(await run_in_threadpool(ops.convert, _path_of(body), body.get("stamp")))

    bulk = BulkOps(ops)

    async def run_bulk(request: Request) -> Response:
        body = await _json_body(request)
        action = body.get("action")
        result = await run_in_threadpool(bulk.run, action, body.get("items"))
        return changed(result) if action in FILE_ACTIONS and result["done"] else _json(result)

    async def trash() -> Response:
        return _json(await run_in_threadpool(ops.trash))

    async def restore(request: Request) -> Response:
        body = await _json_body(request)
        args = (body.get("id"), body.get("converted"), body.get("stamp"))
        return changed(await run_in_threadpool(ops.restore, *args))

    async def empty_trash(request: Request) -> Response:
        body = await _json_body(request)
        return _json(await run_in_threadpool(ops.empty, body.get("ids")))

    async def same_vectors() -> Response:
        return _json(await run_in_threadpool(ops.duplicates))

    # -- comparisons and nearest tokens (compare_jobs.py; the host generates)
    compare = service_for(deck)

    def compare_support() -> Response:
        return _json(compare.support())

    async def compare_settings(request: Request) -> Response:
        body = await _json_body(request)
        return _json(await run_in_threadpool(compare.settings, body))

    async def compare_start(request: Request) -> Response:
        body = await _json_body(request)
        job = await run_in_threadpool(compare.start, body)
        return _json({"job": job["id"], "status": job})

    def compare_status(id: str = "") -> Response:
        return _json(compare.status(id))

    async def compare_cancel(request: Request) -> Response:
        body = await _json_body(request)
        return _json(compare.cancel(body.get("id")))

    async def compare_preview(request: Request) -> Response:
        body = await _json_body(request)
        args = (body.get("job"), body.get("tile"), body.get("path"))
        return _json(await run_in_threadpool(compare.make_preview, *args))

    async def compare_last(path: str = "") -> Response:
        return _json(await run_in_threadpool(compare.last, path))

    async def compare_image(job: str = "", tile: str = "") -> Response:
        data = await run_in_threadpool(compare.image, job, tile)
        headers = {**HEADERS, "Cache-Control": "private, max-age=3600"}
        return Response(data, media_type="image/png", headers=headers)

    async def nearest(path: str = "") -> Response:
        return _json(await run_in_threadpool(compare.nearest, path))

    routes: list[tuple[str, Callable[..., Any], list[str]]] = [
        ("/compare/support", compare_support, ["GET"]),
        ("/compare/settings", compare_settings, ["POST"]),
        ("/compare", compare_start, ["POST"]),
        ("/compare", compare_status, ["GET"]),
        ("/compare/cancel", compare_cancel, ["POST"]),
        ("/compare/preview", compare_preview, ["POST"]),
        ("/compare/last", compare_last, ["GET"]),
        ("/compare/image", compare_image, ["GET"]),
        ("/nearest", nearest, ["GET"]),
        ("/rename", rename, ["POST"]),
        ("/move", move, ["POST"]),
        ("/delete", delete, ["POST"]),
        ("/convert", convert, ["POST"]),
        ("/restore-name", restore_name, ["POST"]),
        ("/bulk", run_bulk, ["POST"]),
        ("/trash", trash, ["GET"]),
        ("/trash/restore", restore, ["POST"]),
        ("/trash/empty", empty_trash, ["POST"]),
        ("/duplicates", same_vectors, ["GET"]),
        ("/meta", meta, ["GET"]),
        ("/meta", save_meta, ["POST"]),
        ("/hash", sha256, ["POST"]),
        ("/civitai/lookup", civitai_lookup, ["POST"]),
        ("/civitai/images", civitai_images, ["GET"]),
        ("/civitai/preview", civitai_choose, ["POST"]),
        ("/civitai/bulk", civitai_bulk_start, ["POST"]),
        ("/civitai/bulk", civitai_bulk_status, ["GET"]),
        ("/civitai/bulk/cancel", civitai_bulk_cancel, ["POST"]),
        ("/favourite", favourite, ["POST"]),
        ("/usage/backfill", usage_start, ["POST"]),
        ("/usage/backfill", usage_status, ["GET"]),
        ("/usage/backfill/cancel", usage_cancel, ["POST"]),
        ("/searches", searches, ["GET"]),
        ("/searches", save_search, ["POST"]),
        ("/searches/delete", delete_search, ["POST"]),
        ("/previews/plan", previews_plan, ["GET"]),
        ("/previews/make", previews_start, ["POST"]),
        ("/previews/make", previews_status, ["GET"]),
        ("/previews/make/cancel", previews_cancel, ["POST"]),
        ("/preview", upload_preview, ["POST"]),
        ("/preview/delete", delete_preview, ["POST"]),
        ("/state", state, ["GET"]),
        ("/grid", grid, ["GET"]),
        ("/refresh", refresh, ["POST"]),
        ("/reload", reload_status, ["GET"]),
        ("/embeddings", embeddings, ["GET"]),
        ("/embedding", embedding, ["GET"]),
        ("/thumb", thumb, ["GET"]),
    ]
    for path, fn, methods in routes:
        guarded = _guard(fn)
        guarded.__signature__ = inspect.signature(fn)  # FastAPI reads parameters from it
        app.add_api_route(PREFIX + path, guarded, methods=methods, dependencies=deps, include_in_schema=False)
