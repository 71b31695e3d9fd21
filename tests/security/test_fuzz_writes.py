"""Fuzz every write route with random and malformed bodies: only 2xx/4xx, never a 500, and
every X.json and preview byte-identical after each refused request; for the library routes
(rename, move, delete, convert, restore, empty trash) every file of the folder.

2,000 bodies for the four editor routes (500 each), 100 for each library route
(deterministic).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ROOT

from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

EXAMPLES = 500  # per route
OPS_EXAMPLES = 100  # per library route
REAL = ["EasyNegative.safetensors", "badhandv4.pt", "SD15/EasyNegative.safetensors", "styles/cat-toy.bin"]
KEYS = ["description", "notes", "activation text", "preferred weight", "default target", "sd version", "tags"]

paths = st.one_of(
    st.sampled_from(REAL),
    st.text(max_size=40),
    st.sampled_from(["../x", "/etc/passwd", "SD15/\ud800.pt", "a\x00b", "%2e%2e/x", "", "."]),
)
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30))
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
changes = st.one_of(
    values,
    st.dictionaries(
        st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
        st.one_of(values, st.fixed_dictionaries({"from": values, "to": values})),
        max_size=4,
    ),
)
json_bodies = st.one_of(
    st.fixed_dictionaries(
        {"path": paths, "stamp": st.one_of(st.none(), st.text(max_size=64)), "changes": changes}
    ),
    st.fixed_dictionaries({"path": st.one_of(paths, values)}),
    values,
)
raw_bodies = st.one_of(
    json_bodies.map(lambda b: json.dumps(b).encode()),
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b"{", b"[" * 5000, b'{"path": "EasyNegative.safetensors"' + b" " * 10, b"\xff\xfe{}"]
    ),
)


ops_bodies = st.one_of(
    st.fixed_dictionaries(
        {
            "path": paths,
            "stamp": st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["1:2", "0:0", ":"])),
            "name": st.one_of(
                values, st.text(max_size=30), st.sampled_from(["EasyNegative", "x(y)", ".", "CON"])
            ),
            "folder": st.one_of(paths, values, st.sampled_from(["", "SD15", "..", "/tmp"])),
            "id": st.one_of(values, st.sampled_from(["../x", "20260101-000000-00000000", "."])),
            "converted": st.one_of(st.none(), paths, values),
            "ids": values,
        }
    ),
    json_bodies,
)
ops_raw = st.one_of(ops_bodies.map(lambda b: json.dumps(b).encode()), raw_bodies)


def _json_files(folder: str, every: bool = False) -> dict[str, str]:
    out = {}
    for base, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            if name.endswith(".json") or ".preview." in name:
                with open(path, "rb") as fh:
                    out[path] = hashlib.sha256(fh.read()).hexdigest()
            elif every:  # any other file: renamed, moved, removed or rewritten shows here
                st = os.stat(path)
                out[path] = f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    return out


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    folder = tmp / "embeddings"
    shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), folder)
    app = FastAPI()
    deck = Deck(StandaloneHost(str(folder), str(tmp / "cache")))
    routes.mount(app, deck, dependencies=security.dependencies(app))
    c = TestClient(app, base_url="http://127.0.0.1:7860")
    c.folder = str(folder)
    return c


def _check(client, route: str, content: bytes, params: dict | None = None, every: bool = False) -> None:
    before = _json_files(client.folder, every)
    res = client.post(
        route, content=content, params=params, headers={"X-Edeck": "1", "Content-Type": "application/json"}
    )
    assert res.status_code < 500, (route, content[:200], res.text[:300])
    if res.status_code >= 400:
        assert res.json().get("error") or res.json().get("detail")
        assert _json_files(client.folder, every) == before, (route, content[:200])


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("route", ["/edeck/v1/meta", "/edeck/v1/hash", "/edeck/v1/preview/delete"])
def test_json_write_routes_never_fail(client, route):
    @FUZZ
    @given(raw_bodies)
    def run(body: bytes) -> None:
        _check(client, route, body)

    run()


def test_preview_upload_never_fails(client):
    @FUZZ
    @given(st.one_of(paths, st.text(max_size=20)), st.binary(max_size=300))
    def run(path: str, body: bytes) -> None:
        if "\x00" in path or any(0xD800 <= ord(ch) <= 0xDFFF for ch in path):
            return  # not sendable in a URL; the JSON routes test these
        _check(client, "/edeck/v1/preview", body, params={"path": path})

    run()


@pytest.mark.parametrize(
    "route", ["/rename", "/move", "/delete", "/convert", "/trash/restore", "/trash/empty"]
)
def test_library_routes_never_fail(client, route):
    @settings(FUZZ, max_examples=OPS_EXAMPLES)
    @given(ops_raw)
    def run(body: bytes) -> None:
        _check(client, "/edeck/v1" + route, body, every=True)

    run()
