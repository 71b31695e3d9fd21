"""Route guards: the gradio login session, and no state change from another site.

Routes added with ``app.add_api_route`` get no gradio auth of their own (host-contract
§1.4), so every route of ours carries ``dependencies(app)``:
- when the app has gradio auth (``--gradio-auth``, standalone ``--auth``), a request needs
  the login cookie gradio set: ``access-token`` / ``access-token-unsecure`` on gradio 3.41,
  the same names suffixed with ``-<app.cookie_id>`` on 4.x;
- a POST needs our ``X-Edeck`` header (a cross-site form or simple fetch cannot send it
  without a CORS preflight, which the WebUI does not grant) and, when the browser sends an
  Origin, the same host as the request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request


def _cookie_names(app: Any) -> list[str]:
    names = ["access-token", "access-token-unsecure"]
    cookie_id = getattr(app, "cookie_id", None)
    if cookie_id:
        names = [f"{n}-{cookie_id}" for n in names] + names
    return names


def logged_in(app: Any, request: Request) -> bool:
    """True when the app has no auth, or the request carries a live login cookie."""
    if getattr(app, "auth", None) is None:
        return True
    tokens = getattr(app, "tokens", None) or {}
    return any(tokens.get(request.cookies.get(name, "")) for name in _cookie_names(app))


def same_origin(request: Request) -> bool:
    """True for safe methods; for writes, our header and a matching Origin are required."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    if request.headers.get("x-edeck") != "1":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def dependencies(app: Any) -> list[Any]:
    """FastAPI dependencies guarding every route of ours on ``app``."""

    def guard(request: Request) -> None:
        if not logged_in(app, request):
            raise HTTPException(status_code=401, detail="Log in to the WebUI first.")
        if not same_origin(request):
            raise HTTPException(status_code=403, detail="Refused: this request came from another site.")

    return [Depends(guard)]
