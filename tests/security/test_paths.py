"""Path confinement: every route that takes a path refuses anything outside the folder.

At least 30 attempts x every path-taking route; each must be a 4xx with a plain message,
must not leak the secret outside the folder, and must leave every file as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import urllib.parse

import factories as f
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from support import ROOT

from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

SECRET = "TOPSECRET-must-never-leak"
ATTEMPTS = [
    "../outside/secret.txt",
    "..%2foutside%2fsecret.txt",
    "%2e%2e/outside/secret.txt",
    "%2e%2e%2foutside%2fsecret.txt",
    "%252e%252e%252foutside%252fsecret.txt",
    "..\\outside\\secret.txt",
    "..%5coutside%5csecret.txt",
    "/etc/passwd",
    "//etc/passwd",
    "%2fetc%2fpasswd",
    "C:\\Windows\\win.ini",
    "C:/Windows/win.ini",
    "c:secret.txt",
    "\\\\server\\share\\x.pt",
    "EasyNegative.safetensors\x00.png",
    "%00",
    "./EasyNegative.safetensors",
    "SD15/../EasyNegative.safetensors",
    "SD15/../../outside/secret.txt",
    "SD15//EasyNegative.safetensors",
    "linkdir/../../outside/secret.txt",
    "linkdir/secret.txt",
    "linkdir/secret.png",
    "evil_link.safetensors/../../outside/secret.txt",
    "",
    ".",
    "..",
    "...",
    "....//outside/secret.txt",
    "..;/outside/secret.txt",
    "~/.bashrc",
    "file:///etc/passwd",
    "embeddings/../../outside/secret.txt",
    "%c0%ae%c0%ae/outside/secret.txt",
    "\uff0e\uff0e/outside/secret.txt",
    "EasyNegative.json",
    "EasyNegative.preview.png",
    "../outside/outside.safetensors",
    "SD15/\ud800.safetensors",
    "\udfff",
]
# Symlinks inside the folder (a linked shared folder, a linked file) are the user's
# library, as in the WebUI: tests/security/test_symlinks.py covers them.


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def _fingerprint(folder: str) -> dict[str, str]:
    """Every file's hash, but the lock file's: the first scan's repair check makes it, empty."""
    out = {}
    for base, _dirs, files in os.walk(folder):
        for name in files:
            if name == ".edeck.lock" and base == folder:
                assert os.path.getsize(os.path.join(base, name)) == 0
                continue
            path = os.path.join(base, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("world")
    folder = base / "embeddings"
    shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), folder)
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    Image.new("RGB", (8, 8)).save(outside / "secret.png")
    f.write_safetensors(str(outside / "outside.safetensors"), {"emb": (1, 768)})
    os.symlink(outside / "outside.safetensors", folder / "evil_link.safetensors")
    os.symlink(outside, folder / "linkdir")
    app = FastAPI()
    deck = Deck(StandaloneHost(str(folder), str(base / "cache")))
    routes.mount(app, deck, dependencies=security.dependencies(app))
    return TestClient(app, base_url="http://127.0.0.1:7860"), str(folder), str(outside)


def _call(client, route: str, attempt: str):
    quoted = urllib.parse.quote(attempt, safe="%", errors="surrogatepass")  # keep its own encoding
    headers = {"X-Edeck": "1"}
    if route == "GET embedding":
        return client.get(f"/edeck/v1/embedding?path={quoted}")
    if route == "GET thumb":
        return client.get(f"/edeck/v1/thumb?path={quoted}")
    if route == "GET meta":
        return client.get(f"/edeck/v1/meta?path={quoted}")
    if route == "POST meta":
        body = {"path": attempt, "stamp": None, "changes": {"notes": {"from": None, "to": "x"}}}
        return client.post("/edeck/v1/meta", json=body, headers=headers)
    if route == "POST hash":
        return client.post("/edeck/v1/hash", json={"path": attempt}, headers=headers)
    if route == "POST preview":
        return client.post(
            f"/edeck/v1/preview?path={quoted}",
            content=_png(),
            headers={**headers, "Content-Type": "image/png"},
        )
    if route == "POST preview/delete":
        return client.post("/edeck/v1/preview/delete", json={"path": attempt}, headers=headers)
    raise AssertionError(route)


ROUTES = [
    "GET embedding",
    "GET thumb",
    "GET meta",
    "POST meta",
    "POST hash",
    "POST preview",
    "POST preview/delete",
]


def test_table_is_big_enough():
    assert len(ATTEMPTS) >= 30


@pytest.mark.parametrize("route", ROUTES)
def test_every_attempt_is_refused(world, route):
    client, folder, outside = world
    before_in, before_out = _fingerprint(folder), _fingerprint(outside)
    for attempt in ATTEMPTS:
        res = _call(client, route, attempt)
        assert 400 <= res.status_code < 500, (route, attempt, res.status_code, res.text)
        assert SECRET not in res.text
        assert res.headers["content-type"].startswith("application/json")
        assert res.json()["error"] or res.json().get("detail"), (route, attempt)
    assert _fingerprint(folder) == before_in
    assert _fingerprint(outside) == before_out


@pytest.mark.parametrize("route", ["GET embedding", "GET meta", "POST hash"])
def test_a_real_path_is_served(world, route):
    """The control: the same calls succeed for a listed file, so the refusals mean something."""
    client, _folder, _outside = world
    assert _call(client, route, "EasyNegative.safetensors").status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "..%2f..%2fsetup.py",
        "%2e%2e",
        "..",
        "style.css%00.js",
        "edeck_90_main.js%2f..%2f..%2fREADME.md",
        "x.js",
    ],
)
def test_static_assets_only_serve_our_files(tmp_path, name):
    from embedding_deck_app.standalone import _mount_static

    app = FastAPI()
    _mount_static(app, [])
    res = TestClient(app, base_url="http://127.0.0.1:7860").get(f"/edeck/v1/static/{name}")
    assert 400 <= res.status_code < 500
    assert "embedding" not in res.text.lower() or res.headers["content-type"].startswith("application/json")
