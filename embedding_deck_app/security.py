"""Route guards: the gradio login session, the Host a request names, and no other site.

Routes added with ``app.add_api_route`` get no gradio auth of their own (host-contract
§1.4), so every route of ours carries ``dependencies(app, allowed)``:
- when the app has gradio auth (``--gradio-auth``, standalone ``--auth``), a request needs
  the login cookie gradio set: ``access-token`` / ``access-token-unsecure`` on gradio 3.41,
  the same names suffixed with ``-<app.cookie_id>`` on 4.x;
- the Host header must name this server as it is really reachable: a loopback name or
  address, this machine's names, the address the connection came in on, or a name the user
  allowed. A DNS-rebinding page reaches us under its own name, which is none of these;
- a write needs our ``X-Edeck`` header (a cross-site form or simple fetch cannot send it
  without a CORS preflight, which the WebUI does not grant) and, when the browser sends an
  Origin, the same host as the request;
- a read is refused when the browser says it comes from another site (``Sec-Fetch-Site:
  cross-site``) or names a foreign Origin: gradio's CORS rules let some origins read.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


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


def host_name(header: str) -> str:
    """The name part of a Host header (no port, no IPv6 brackets), lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rpartition(":")[0] if header.count(":") == 1 else header


def machine_names() -> set[str]:
    """This machine's own names and addresses (computed once per guard)."""
    names = {socket.gethostname().lower()}
    try:
        names.add(socket.getfqdn().lower())
        for info in socket.getaddrinfo(socket.gethostname(), None):
            names.add(str(info[4][0]).lower())
    except OSError:
        pass
    return names


def host_allowed(name: str, local_address: str | None, known: set[str]) -> bool:
    """True for loopback, this machine, the address the request came in on, or ``known``."""
    name = name.rstrip(".")
    if not name:
        return False
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or name in known:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or name == (local_address or "").lower()


def same_origin(request: Request) -> bool:
    """For writes: our header, and an Origin (when sent) naming the request's host."""
    if request.headers.get("x-edeck") != "1":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def not_cross_site(request: Request) -> bool:
    """For reads: the browser does not say another site asked."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.headers.get("host", "")


NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def _refused(sentence: str, status: int = 403) -> HTTPException:
    return HTTPException(status_code=status, detail=sentence, headers=NOSNIFF)


def _refuse_host(name: str) -> HTTPException:
    return _refused(
        f"Refused: this server does not answer to the name {name!r}. If you reach the WebUI "
        "under that name, add it in Settings → Embedding Deck → Other host names "
        "(standalone: --allowed-host NAME).",
    )


def dependencies(app: Any, allowed: Callable[[], Iterable[str]] = tuple) -> list[Any]:
    """FastAPI dependencies guarding every route of ours on ``app``.

    ``allowed`` returns the extra host names the user allows (read on each request, so a
    changed WebUI setting applies at once).
    """
    known_machine = machine_names()

    def guard(request: Request) -> None:
        if not logged_in(app, request):
            raise _refused("Log in to the WebUI first.", 401)
        name = host_name(request.headers.get("host", ""))
        local = (request.scope.get("server") or (None,))[0]
        known = known_machine | {str(n).lower().rstrip(".") for n in allowed()}
        if not host_allowed(name, str(local) if local else None, known):
            raise _refuse_host(name)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            if not not_cross_site(request):
                raise _refused("Refused: this request came from another site.")
        elif not same_origin(request):
            raise _refused("Refused: this request came from another site.")

    return [Depends(guard)]
