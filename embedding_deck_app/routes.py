"""HTTP routes under ``/edeck/v1/``: one ``mount(app, deck)`` for the WebUI and standalone.

Core errors become 4xx JSON ``{"error": sentence}`` here, in one place; a route never
answers 500 for bad input.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from embedding_deck.errors import BadUpload, DeckError
from embedding_deck.previews import MAX_UPLOAD_BYTES

from .deck import Deck

PREFIX = "/edeck/v1"


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(
        body, status_code=status, media_type="application/json", headers={"Cache-Control": "no-store"}
    )


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(fn):

        async def run_async(*args: Any, **kwargs: Any) -> Response:
            try:
                return await fn(*args, **kwargs)
            except DeckError as err:
                return JSONResponse({"error": str(err)}, status_code=err.status_hint)

        return run_async

    def run(*args: Any, **kwargs: Any) -> Response:
        try:
            return fn(*args, **kwargs)
        except DeckError as err:
            return JSONResponse({"error": str(err)}, status_code=err.status_hint)

    return run


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise BadRequest("The request body is not JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body is not a JSON object.")
    return body


async def _limited_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BadUpload(f"The image is larger than {limit // (1024 * 1024)} MB.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadUpload(f"The image is larger than {limit // (1024 * 1024)} MB.")
        chunks.append(chunk)
    return b"".join(chunks)


class BadRequest(DeckError):
    """A malformed request from the page."""


def mount(app: FastAPI, deck: Deck, dependencies: Sequence[Any] = ()) -> None:
    """Add the extension's routes to ``app`` (call again on each new app after a UI reload)."""
    deps = list(dependencies)

    def state() -> Response:
        host = deck.host
        return _json(
            {
                "host": host.name,
                "family": host.model_family(),
                "settings": host.settings(),
                "root": host.embeddings_dir,
            }
        )

    def grid() -> Response:
        return _json(deck.grid())

    def refresh() -> Response:
        message = deck.host.reload_embeddings()
        deck.scan()
        payload = deck.grid()
        payload["message"] = message
        return _json(payload)

    def embeddings() -> Response:
        problem = deck.folder_problem()
        if problem:
            return _json({"error": problem}, 404)
        return _json([e.to_json() for e in sorted(deck.entries(), key=lambda e: e.path.lower())])

    def embedding(path: str = "") -> Response:
        return _json(deck.entry(path).to_json())

    def thumb(request: Request, path: str = "", w: int = 256) -> Response:
        data, tag = deck.thumb(path, w)
        headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type="image/webp", headers=headers)

    def meta(path: str = "") -> Response:
        return _json(deck.meta(path))

    async def save_meta(request: Request) -> Response:
        body = await _json_body(request)
        return _json(deck.save_meta(str(body.get("path", "")), body.get("changes"), body.get("stamp")))

    async def sha256(request: Request) -> Response:
        body = await _json_body(request)
        return _json({"sha256": deck.sha256(str(body.get("path", "")))})

    async def upload_preview(request: Request, path: str = "") -> Response:
        deck.entry(path)
        data = await _limited_body(request, MAX_UPLOAD_BYTES)
        return _json(deck.upload_preview(path, data))

    async def delete_preview(request: Request) -> Response:
        body = await _json_body(request)
        return _json(deck.delete_preview(str(body.get("path", ""))))

    routes: list[tuple[str, Callable[..., Any], list[str]]] = [
        ("/meta", meta, ["GET"]),
        ("/meta", save_meta, ["POST"]),
        ("/hash", sha256, ["POST"]),
        ("/preview", upload_preview, ["POST"]),
        ("/preview/delete", delete_preview, ["POST"]),
        ("/state", state, ["GET"]),
        ("/grid", grid, ["GET"]),
        ("/refresh", refresh, ["POST"]),
        ("/embeddings", embeddings, ["GET"]),
        ("/embedding", embedding, ["GET"]),
        ("/thumb", thumb, ["GET"]),
    ]
    for path, fn, methods in routes:
        guarded = _guard(fn)
        guarded.__signature__ = inspect.signature(fn)  # FastAPI reads parameters from it
        app.add_api_route(PREFIX + path, guarded, methods=methods, dependencies=deps, include_in_schema=False)
