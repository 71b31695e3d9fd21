"""The library routes on a copy of the demo library: rename, move, delete, trash, restore,
convert, duplicates; each answers the rows to replace and how to undo it."""

from __future__ import annotations

import os
import shutil

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support import ROOT

from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

H = {"X-Edeck": "1"}
V = "/edeck/v1"


@pytest.fixture
def client(tmp_path):
    folder = tmp_path / "embeddings"
    shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), folder)
    app = FastAPI()
    deck = Deck(StandaloneHost(str(folder), str(tmp_path / "cache")))
    routes.mount(app, deck, dependencies=security.dependencies(app))
    c = TestClient(app, base_url="http://127.0.0.1:7860")
    c.folder = str(folder)
    c.cache = str(tmp_path / "cache")
    c.deck = deck
    return c


def _rows(c) -> dict:
    return {r["path"]: r for r in c.get(f"{V}/grid").json()["entries"]}


def _post(c, route: str, body: dict):
    return c.post(V + route, json=body, headers=H)


def _undo(c, undo: dict):
    assert undo["route"].startswith(V)
    return c.post(undo["route"], json=undo["body"], headers=H)


def _files(folder: str) -> list[str]:
    """Every file but the folder's lock file (made by the first write, and kept)."""
    found = (os.path.join(b, n) for b, _d, fs in os.walk(folder) for n in fs if n != ".edeck.lock")
    return sorted(os.path.relpath(p, folder) for p in found)


def test_rename_with_sidecars_and_undo(client):
    before = _files(client.folder)
    stamp = _rows(client)["badhandv4.pt"]["stamp"]
    res = _post(client, "/rename", {"path": "badhandv4.pt", "name": "badhand5", "stamp": stamp})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["removed"] == ["badhandv4.pt"]
    [row] = body["rows"]
    assert (row["path"], row["name"], row["preview"]) == ("badhand5.pt", "badhand5", "badhand5.preview.jpg")
    assert row["description"].startswith("Fixes hands")
    assert body["files"]["badhandv4.txt"] == "badhand5.txt" and body["reload"]["state"]
    grid = _rows(client)
    assert "badhandv4.pt" not in grid and grid["badhand5.pt"]["stamp"] == row["stamp"]
    assert _undo(client, body["undo"]).status_code == 200
    assert _files(client.folder) == before


def test_rename_refusals(client):
    rows = _rows(client)
    stamp = rows["badhandv4.pt"]["stamp"]
    res = _post(client, "/rename", {"path": "badhandv4.pt", "name": "easynegative", "stamp": stamp})
    assert res.status_code == 422 and "already called" in res.json()["error"]
    res = _post(client, "/rename", {"path": "badhandv4.pt", "name": "bad(hand)", "stamp": stamp})
    assert res.status_code == 422 and "prompt syntax" in res.json()["error"]
    res = _post(client, "/rename", {"path": "badhandv4.pt", "name": "x", "stamp": "1:2"})
    assert res.status_code == 409 and "changed on disk" in res.json()["error"]
    res = _post(client, "/rename", {"path": "../badhandv4.pt", "name": "x", "stamp": stamp})
    assert res.status_code == 403
    res = _post(client, "/rename", {"path": "nothere.pt", "name": "x", "stamp": stamp})
    assert res.status_code == 404
    assert client.post(f"{V}/rename", json={"path": "badhandv4.pt"}).status_code == 403  # no X-Edeck
    assert os.path.exists(os.path.join(client.folder, "badhandv4.pt"))


def test_renaming_away_a_collision_updates_the_other_row(client):
    rows = _rows(client)
    assert rows["EasyNegative.safetensors"]["collides_with"] == ["SD15/EasyNegative.safetensors"]
    stamp = rows["SD15/EasyNegative.safetensors"]["stamp"]
    body = _post(
        client, "/rename", {"path": "SD15/EasyNegative.safetensors", "name": "EasyNegSD15", "stamp": stamp}
    ).json()
    by_path = {r["path"]: r for r in body["rows"]}
    assert by_path["EasyNegative.safetensors"]["collides_with"] == []
    assert by_path["SD15/EasyNegSD15.safetensors"]["name"] == "EasyNegSD15"


def test_an_image_embedding_keeps_its_internal_name(client):
    stamp = _rows(client)["pixel_negative.png"]["stamp"]
    body = _post(client, "/rename", {"path": "pixel_negative.png", "name": "pixneg", "stamp": stamp}).json()
    assert "pixel_negative-500" in body["notice"]
    assert body["rows"][0]["name"] == "pixel_negative-500"


def test_move_with_the_plain_preview_and_undo(client):
    stamp = _rows(client)["styles/cat-toy.bin"]["stamp"]
    body = _post(client, "/move", {"path": "styles/cat-toy.bin", "folder": "SD2", "stamp": stamp}).json()
    assert body["rows"][0]["path"] == "SD2/cat-toy.bin" and body["rows"][0]["preview"] == "SD2/cat-toy.png"
    assert not os.path.exists(os.path.join(client.folder, "styles", "cat-toy.png"))
    assert _undo(client, body["undo"]).json()["rows"][0]["path"] == "styles/cat-toy.bin"
    res = _post(client, "/move", {"path": "styles/cat-toy.bin", "folder": "nowhere", "stamp": stamp})
    assert res.status_code == 404


def test_delete_trash_restore_and_empty(client):
    before = _files(client.folder)
    stamp = _rows(client)["EasyNegative.safetensors"]["stamp"]
    body = _post(client, "/delete", {"path": "EasyNegative.safetensors", "stamp": stamp}).json()
    assert body["removed"] == ["EasyNegative.safetensors"]
    # the row left behind no longer collides
    assert [(r["path"], r["collides_with"]) for r in body["rows"]] == [("SD15/EasyNegative.safetensors", [])]
    assert "EasyNegative.safetensors" not in _rows(client)
    assert not any(n.startswith("EasyNegative.") for n in os.listdir(client.folder))
    trash = client.get(f"{V}/trash").json()
    assert trash["folder"].startswith(client.cache) and not trash["folder"].startswith(client.folder)
    [item] = trash["items"]
    assert item["path"] == "EasyNegative.safetensors" and len(item["files"]) == 3
    restored = _undo(client, body["undo"]).json()
    assert restored["rows"][0]["path"] == "EasyNegative.safetensors"
    assert _files(client.folder) == before and client.get(f"{V}/trash").json()["items"] == []
    again = _post(client, "/trash/restore", {"id": item["id"]})
    assert again.status_code == 404
    stamp = _rows(client)["badhandv4.pt"]["stamp"]
    _post(client, "/delete", {"path": "badhandv4.pt", "stamp": stamp})
    emptied = _post(client, "/trash/empty", {}).json()
    assert emptied["emptied"] == 1 and emptied["items"] == []


def test_convert_and_undo(client):
    rows = _rows(client)
    stamp = rows["badhandv4.pt"]["stamp"]
    body = _post(client, "/convert", {"path": "badhandv4.pt", "stamp": stamp}).json()
    [row] = body["rows"]
    assert (row["path"], row["format"], row["vectors"], row["arch"]) == (
        "badhandv4.safetensors",
        "safetensors",
        6,
        "SD1",
    )
    assert row["preview"] == "badhandv4.preview.jpg" and row["description"].startswith("Fixes hands")
    assert body["removed"] == ["badhandv4.pt"]
    assert client.get(f"{V}/trash").json()["items"][0]["reason"] == "convert"
    undone = _undo(client, body["undo"]).json()
    assert undone["rows"][0]["path"] == "badhandv4.pt" and undone["removed"] == ["badhandv4.safetensors"]
    assert not os.path.exists(os.path.join(client.folder, "badhandv4.safetensors"))
    res = _post(
        client,
        "/convert",
        {"path": "SDXL/negativeXL_D.safetensors", "stamp": rows["SDXL/negativeXL_D.safetensors"]["stamp"]},
    )
    assert res.status_code == 422 and "Only .pt and .bin" in res.json()["error"]


def test_duplicates_by_vectors_not_by_file(client):
    shutil.copy(
        os.path.join(client.folder, "badhandv4.pt"), os.path.join(client.folder, "styles", "hands.pt")
    )
    client.post(f"{V}/refresh", headers=H)
    assert _rows(client)["badhandv4.pt"]["same_vectors_as"] == []  # nothing hashed until asked
    stamp = _rows(client)["badhandv4.pt"]["stamp"]
    _post(client, "/convert", {"path": "badhandv4.pt", "stamp": stamp})
    dupes = client.get(f"{V}/duplicates").json()
    assert dupes["groups"] == [["badhandv4.safetensors", "styles/hands.pt"]]
    assert _rows(client)["styles/hands.pt"]["same_vectors_as"] == ["badhandv4.safetensors"]
    # a rename keeps the badge up to date without hashing again
    stamp = _rows(client)["styles/hands.pt"]["stamp"]
    _post(client, "/rename", {"path": "styles/hands.pt", "name": "hands2", "stamp": stamp})
    assert _rows(client)["badhandv4.safetensors"]["same_vectors_as"] == ["styles/hands2.pt"]


def test_write_routes_refuse_get_and_bad_bodies(client):
    for route in ("/rename", "/move", "/delete", "/convert", "/trash/restore", "/trash/empty"):
        assert client.get(V + route).status_code == 405
        res = client.post(V + route, content=b"[1]", headers={**H, "Content-Type": "application/json"})
        assert res.status_code == 400 and res.json()["error"]
