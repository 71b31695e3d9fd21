"""HTTP routes under ``/edeck/v1/``: one ``mount(app, deck)`` for the WebUI and standalone.

Core errors become 4xx JSON ``{"error": sentence}`` here, in one place; a route never
answers 500 for bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from embedding_deck.errors import DeckError

from .deck import Deck

PREFIX = "/edeck/v1"


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(
        body, status_code=status, media_type="application/json", headers={"Cache-Control": "no-store"}
    )


def _guard(fn: Callable[..., Response]) -> Callable[..., Response]:
    def run(*args: Any, **kwargs: Any) -> Response:
        try:
            return fn(*args, **kwargs)
        except DeckError as err:
            return JSONResponse({"error": str(err)}, status_code=err.status_hint)

    return run


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

    routes: list[tuple[str, Callable[..., Response], list[str]]] = [
        ("/state", state, ["GET"]),
        ("/grid", grid, ["GET"]),
        ("/refresh", refresh, ["POST"]),
        ("/embeddings", embeddings, ["GET"]),
        ("/embedding", embedding, ["GET"]),
        ("/thumb", thumb, ["GET"]),
    ]
    for path, fn, methods in routes:
        guarded = _guard(fn)
        guarded.__signature__ = _signature(fn)  # FastAPI reads parameters from the signature
        app.add_api_route(PREFIX + path, guarded, methods=methods, dependencies=deps, include_in_schema=False)


def _signature(fn: Callable[..., Any]) -> Any:
    import inspect

    return inspect.signature(fn)
