"""Symlinks inside the folder are the user's library, as in the WebUI (issue: a shared
folder linked into several installs): every route works on linked folders and files;
what leads out without being a listed entry stays refused."""

from __future__ import annotations

import io
import json
import os
import shutil

import factories as f
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from support import ROOT

from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

H = {"X-Edeck": "1"}


def _png(rgb=(10, 200, 10), size=16) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), rgb).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def linked(tmp_path):
    """embeddings/shared -> ../shared_lib (a folder), embeddings/solo.safetensors -> a file
    elsewhere; each with a preview and an X.json."""
    folder = tmp_path / "embeddings"
    shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), folder)
    lib = tmp_path / "shared_lib"
    lib.mkdir()
    f.write_safetensors(str(lib / "SharedNeg.safetensors"), {"emb_params": (4, 768)})
    (lib / "SharedNeg.preview.png").write_bytes(_png((1, 2, 3)))
    (lib / "SharedNeg.json").write_text(json.dumps({"description": "shared one", "keep": 1}))
    os.symlink(lib, folder / "shared")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    f.write_safetensors(str(elsewhere / "solo.safetensors"), {"emb_params": (2, 768)})
    os.symlink(elsewhere / "solo.safetensors", folder / "solo.safetensors")
    (folder / "solo.preview.png").write_bytes(_png((4, 5, 6)))
    (folder / "solo.json").write_text(json.dumps({"notes": "solo notes"}))
    app = FastAPI()
    deck = Deck(StandaloneHost(str(folder), str(tmp_path / "cache")))
    routes.mount(app, deck, dependencies=security.dependencies(app))
    client = TestClient(app, base_url="http://127.0.0.1:7860")
    client.folder, client.lib, client.elsewhere, client.tmp = folder, lib, elsewhere, tmp_path
    return client


@pytest.mark.parametrize("path", ["shared/SharedNeg.safetensors", "solo.safetensors"])
def test_every_route_works_on_linked_entries(linked, path):
    c = linked
    grid = c.get("/edeck/v1/grid").json()
    row = next(e for e in grid["entries"] if e["path"] == path)
    assert row["preview"] and row["error"] is None
    thumb = c.get(f"/edeck/v1/thumb?path={path}&w=160")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    meta = c.get(f"/edeck/v1/meta?path={path}")
    assert meta.status_code == 200, meta.text
    user = meta.json()["user"]
    assert user in ({"description": "shared one", "keep": 1}, {"notes": "solo notes"})
    old = user.get("notes")
    body = {"path": path, "stamp": meta.json()["stamp"], "changes": {"notes": {"from": old, "to": "new"}}}
    saved = c.post("/edeck/v1/meta", json=body, headers=H)
    assert saved.status_code == 200, saved.text
    assert c.post("/edeck/v1/hash", json={"path": path}, headers=H).status_code == 200
    up = c.post(f"/edeck/v1/preview?path={path}", content=_png((200, 0, 0)), headers=H)
    assert up.status_code == 200, up.text
    gone = c.post("/edeck/v1/preview/delete", json={"path": path}, headers=H)
    assert gone.status_code == 200, gone.text


def test_writes_land_beside_the_listed_file(linked):
    c = linked
    for path in ("shared/SharedNeg.safetensors", "solo.safetensors"):
        meta = c.get(f"/edeck/v1/meta?path={path}").json()
        old = meta["user"].get("notes")
        body = {"path": path, "stamp": meta["stamp"], "changes": {"notes": {"from": old, "to": "x"}}}
        assert c.post("/edeck/v1/meta", json=body, headers=H).status_code == 200
    # through the folder link: into the shared folder, other keys kept
    assert json.loads((c.lib / "SharedNeg.json").read_text()) == {
        "description": "shared one",
        "keep": 1,
        "notes": "x",
    }
    # a linked single file: beside the link, where the WebUI reads X.json
    assert json.loads((c.folder / "solo.json").read_text()) == {"notes": "x"}
    assert not (c.elsewhere / "solo.json").exists()


def test_a_linked_sidecar_is_replaced_not_written_through(linked):
    c = linked
    target = c.tmp / "victim.json"
    target.write_text('{"notes": "victim"}')
    os.unlink(c.folder / "solo.json")
    os.symlink(target, c.folder / "solo.json")
    meta = c.get("/edeck/v1/meta?path=solo.safetensors").json()
    body = {
        "path": "solo.safetensors",
        "stamp": meta["stamp"],
        "changes": {"notes": {"from": "victim", "to": "y"}},
    }
    assert c.post("/edeck/v1/meta", json=body, headers=H).status_code == 200
    assert target.read_text() == '{"notes": "victim"}'
    assert not os.path.islink(c.folder / "solo.json")


def test_a_preview_linking_out_of_its_folder_is_not_shown(linked):
    c = linked
    secret = c.tmp / "private.png"
    secret.write_bytes(_png((9, 9, 9)))
    os.unlink(c.folder / "solo.preview.png")
    os.symlink(secret, c.folder / "solo.preview.png")
    res = c.get("/edeck/v1/thumb?path=solo.safetensors")
    assert res.status_code == 404 and "outside" in res.json()["error"]


def test_a_link_to_a_non_embedding_gives_its_reason_never_its_hash(linked):
    c = linked
    secret = c.tmp / "secret.txt"
    secret.write_text("TOPSECRET " * 100)
    os.symlink(secret, c.folder / "looks_like.safetensors")
    row = next(e for e in c.get("/edeck/v1/grid").json()["entries"] if e["path"] == "looks_like.safetensors")
    assert row["error"]
    res = c.post("/edeck/v1/hash", json={"path": "looks_like.safetensors"}, headers=H)
    assert res.status_code == 422 and "not a readable embedding" in res.json()["error"]
    assert "sha256" not in res.json()


def test_a_loop_is_listed_once_and_never_followed(linked):
    c = linked
    os.symlink(c.folder, c.folder / "SD15" / "loop")
    paths = [e["path"] for e in c.get("/edeck/v1/grid").json()["entries"]]
    assert len(paths) == len(set(paths))
    assert not any("loop/" in p for p in paths)
    res = c.get("/edeck/v1/meta?path=SD15/loop/EasyNegative.safetensors")
    assert res.status_code == 404
