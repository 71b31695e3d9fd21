"""Hostile requests, round two: unencodable paths, nesting, body limits, DNS rebinding,
cross-site reads, unknown paths without rescans, nosniff; and a fuzz of every write route."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support import ROOT

from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

H = {"X-Edeck": "1"}
BASE = "http://127.0.0.1:7860"
WRITE_JSON_ROUTES = ["/edeck/v1/meta", "/edeck/v1/hash", "/edeck/v1/preview/delete"]


def _client(tmp_path, allowed=()):
    folder = tmp_path / "embeddings"
    if not folder.exists():
        shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), folder)
    app = FastAPI()
    deck = Deck(StandaloneHost(str(folder), str(tmp_path / "cache"), allowed_hosts=list(allowed)))
    routes.mount(app, deck, dependencies=security.dependencies(app, deck.host.allowed_hosts))
    client = TestClient(app, base_url=BASE)
    client.folder, client.deck = str(folder), deck
    return client


@pytest.fixture
def client(tmp_path):
    return _client(tmp_path)


@pytest.mark.parametrize("route", WRITE_JSON_ROUTES)
def test_a_lone_surrogate_is_a_400_with_a_sentence(client, route):
    body = '{"path": "SD15/\\ud800.safetensors", "stamp": null, "changes": {}}'
    res = client.post(route, content=body, headers={**H, "Content-Type": "application/json"})
    assert res.status_code == 400, res.text
    assert "file name" in res.json()["error"]


def test_surrogates_in_query_parameters_are_4xx(client):
    for route in ("embedding", "meta", "thumb"):
        res = client.get(f"/edeck/v1/{route}?path=SD15/%ED%A0%80.safetensors")
        assert 400 <= res.status_code < 500 and res.json()["error"]


@pytest.mark.parametrize("route", WRITE_JSON_ROUTES)
@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"path": "EasyNegative.safetensors", "changes": {"notes": ' + "[" * 50_000 + "]" * 50_000 + "}}",
        '{"path": "EasyNegative.safetensors", "changes": {"notes": {"to": ' + "[" * 200 + "]" * 200 + "}}}",
    ],
)
def test_deep_nesting_is_a_400(client, route, body):
    res = client.post(route, content=body, headers={**H, "Content-Type": "application/json"})
    assert res.status_code == 400, res.text[:200]


@pytest.mark.parametrize("route", WRITE_JSON_ROUTES)
def test_json_bodies_are_capped(client, route):
    big = json.dumps({"path": "EasyNegative.safetensors", "pad": "x" * (3 * 1024 * 1024)})
    res = client.post(route, content=big, headers={**H, "Content-Type": "application/json"})
    assert res.status_code == 413 and "larger than" in res.json()["error"]

    def chunks():  # no Content-Length: the stream is counted as it comes
        yield b'{"path": "EasyNegative.safetensors", "pad": "'
        for _ in range(40):
            yield b"x" * 100_000
        yield b'"}'

    res = client.post(route, content=chunks(), headers={**H, "Content-Type": "application/json"})
    assert res.status_code == 413


def _save(client, host: str, origin: str | None):
    headers = {**H, "Host": host}
    if origin:
        headers["Origin"] = origin
    body = {"path": "badhandv4.pt", "stamp": None, "changes": {"notes": {"from": None, "to": "pwned"}}}
    return client.post("/edeck/v1/meta", json=body, headers=headers)


def test_dns_rebinding_writes_and_reads_are_refused(client):
    sidecar = os.path.join(client.folder, "badhandv4.json")
    res = _save(client, "rebind.evil.example:7860", "http://rebind.evil.example:7860")
    assert res.status_code == 403
    assert "rebind.evil.example" in res.json()["detail"] and "--allowed-host" in res.json()["detail"]
    assert not os.path.exists(sidecar)
    read = client.get("/edeck/v1/grid", headers={"Host": "rebind.evil.example:7860"})
    assert read.status_code == 403


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:7860", "localhost:7860", "[::1]:7860", "127.0.0.2", "app.localhost:7860"],
)
def test_loopback_names_are_served(client, host):
    assert client.get("/edeck/v1/grid", headers={"Host": host}).status_code == 200


def test_this_machines_name_and_allowed_names_are_served(tmp_path):
    import socket

    client = _client(tmp_path, allowed=["sd.example.lan"])
    name = socket.gethostname()
    assert client.get("/edeck/v1/state", headers={"Host": f"{name}:7860"}).status_code == 200
    assert client.get("/edeck/v1/state", headers={"Host": "SD.example.lan"}).status_code == 200
    assert _save(client, "sd.example.lan", "http://sd.example.lan").status_code == 200
    assert client.get("/edeck/v1/state", headers={"Host": "other.example.lan"}).status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost:9999"},
        {"Origin": "null"},
    ],
)
@pytest.mark.parametrize("route", ["grid", "embeddings", "state", "embedding?path=EasyNegative.safetensors"])
def test_cross_site_reads_are_refused(client, headers, route):
    res = client.get(f"/edeck/v1/{route}", headers=headers)
    assert res.status_code == 403, res.text
    assert "EasyNegative" not in res.text


def test_same_origin_reads_are_served(client):
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": BASE}
    assert client.get("/edeck/v1/grid", headers=headers).status_code == 200


def test_the_folder_path_is_not_sent_to_the_page(client):
    for route in ("state", "grid"):
        assert client.folder not in client.get(f"/edeck/v1/{route}").text


def test_unknown_paths_do_not_rescan(client, monkeypatch):
    client.get("/edeck/v1/grid")
    scans = []
    real_scan = client.deck.library.scan
    monkeypatch.setattr(client.deck.library, "scan", lambda: scans.append(1) or real_scan())
    started = time.perf_counter()
    for i in range(50):
        res = client.get(f"/edeck/v1/meta?path=SD15/nothing_{i}.safetensors")
        assert res.status_code == 404
        assert res.json()["error"] == f"No embedding at SD15/nothing_{i}.safetensors."
        assert client.get(f"/edeck/v1/embedding?path=nowhere/x{i}.pt").status_code == 404
    assert scans == []
    assert time.perf_counter() - started < 5


def test_a_new_file_in_a_known_folder_is_found_without_a_rescan(client):
    import factories as f

    client.get("/edeck/v1/grid")
    f.write_safetensors(os.path.join(client.folder, "SD15", "fresh.safetensors"), {"emb_params": (1, 768)})
    res = client.get("/edeck/v1/embedding?path=SD15/fresh.safetensors")
    assert res.status_code == 200 and res.json()["name"] == "fresh"


def test_json_answers_carry_nosniff(client):
    for res in (
        client.get("/edeck/v1/grid"),
        client.get("/edeck/v1/meta?path=../x"),
        client.post("/edeck/v1/meta", json={}, headers=H),
        client.post("/edeck/v1/meta", json={}),  # refused by the guard
        client.get("/edeck/v1/thumb?path=EasyNegative.safetensors&w=abc"),
    ):
        assert res.headers["x-content-type-options"] == "nosniff", res.text
        assert res.headers["content-type"].startswith("application/json")
