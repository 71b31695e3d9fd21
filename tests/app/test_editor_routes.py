"""The editor's routes with real files: notices, vanished files, read-only folders."""

from __future__ import annotations

import codecs
import io
import json
import os
import shutil

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from support import ROOT

from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

H = {"X-Edeck": "1"}


@pytest.fixture
def client(tmp_path):
    folder = tmp_path / "embeddings"
    shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), folder)
    app = FastAPI()
    deck = Deck(StandaloneHost(str(folder), str(tmp_path / "cache")))
    routes.mount(app, deck, dependencies=security.dependencies(app))
    c = TestClient(app, base_url="http://127.0.0.1:7860")
    c.folder = str(folder)
    c.deck = deck
    return c


def _png(rgb=(200, 10, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), rgb).save(out, "PNG")
    return out.getvalue()


def test_builtin_page_picture_conflict_is_reported(client):
    # a plain styles/cat-toy.png sits beside cat-toy.bin: A1111 shows it before X.preview.png
    res = client.post("/edeck/v1/preview?path=styles/cat-toy.bin", content=_png(), headers=H)
    assert res.status_code == 200
    body = res.json()
    assert body["row"]["preview"] == "styles/cat-toy.preview.png"
    assert "cat-toy.png" in body["notice"] and "Textual Inversion page" in body["notice"]
    meta = client.get("/edeck/v1/meta?path=styles/cat-toy.bin").json()
    assert "cat-toy.png" in meta["preview_note"]


def _save_notes(c, path: str, stamp, before, after):
    body = {"path": path, "stamp": stamp, "changes": {"notes": {"from": before, "to": after}}}
    return c.post("/edeck/v1/meta", json=body, headers=H)


def test_save_after_the_file_was_deleted(client):
    meta = client.get("/edeck/v1/meta?path=badhandv4.pt").json()
    os.unlink(os.path.join(client.folder, "badhandv4.pt"))
    res = _save_notes(client, "badhandv4.pt", meta["stamp"], None, "x")
    assert res.status_code == 404
    assert "no longer in the folder" in res.json()["error"]
    assert not os.path.exists(os.path.join(client.folder, "badhandv4.json"))


def test_corrupt_sidecar_is_shown_and_kept(client):
    path = os.path.join(client.folder, "badhandv4.json")
    with open(path, "w") as fh:
        fh.write("{oops")
    meta = client.get("/edeck/v1/meta?path=badhandv4.pt").json()
    assert "not valid JSON" in meta["json_error"]
    res = _save_notes(client, "badhandv4.pt", meta["stamp"], None, "x")
    assert res.status_code == 422 and "left as it is" in res.json()["error"]
    assert open(path).read() == "{oops"


def test_read_only_folder_gives_a_message_and_changes_nothing(client):
    """Root writes everywhere, so the save runs in a child process as 'nobody'."""
    if os.geteuid() != 0:
        pytest.fail("this test drops privileges and must run as root (CI does)")
    base = "/tmp/edeck-ro-test"
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(client.folder, base)
    os.chmod(base, 0o755)
    for name in os.listdir(base):
        p = os.path.join(base, name)
        if os.path.isdir(p):
            os.chmod(p, 0o755)
    before = {
        n: open(os.path.join(base, n), "rb").read()
        for n in os.listdir(base)
        if os.path.isfile(os.path.join(base, n))
    }
    codecs.lookup("utf-8-sig")  # 'nobody' cannot import from root's Python: load codecs first
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            app = FastAPI()
            deck = Deck(StandaloneHost(base, "/tmp/edeck-ro-cache-nobody"))
            routes.mount(app, deck, dependencies=security.dependencies(app))
            c = TestClient(app, base_url="http://127.0.0.1:7860")
            meta = c.get("/edeck/v1/meta?path=EasyNegative.safetensors").json()
            save = _save_notes(c, "EasyNegative.safetensors", meta["stamp"], "Use at 1.0.", "new")
            upload = c.post("/edeck/v1/preview?path=badhandv4.pt", content=_png(), headers=H)
            os.write(
                write_end,
                json.dumps([save.status_code, save.json(), upload.status_code, upload.json()]).encode(),
            )
        except BaseException:  # noqa: BLE001 - the parent reports what the child hit
            import traceback

            os.write(write_end, json.dumps(["crashed", traceback.format_exc(), 0, 0]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        save_status, save_body, up_status, up_body = json.loads(fh.read())
    os.waitpid(pid, 0)
    after = {
        n: open(os.path.join(base, n), "rb").read()
        for n in os.listdir(base)
        if os.path.isfile(os.path.join(base, n))
    }
    shutil.rmtree(base, ignore_errors=True)
    assert save_status != "crashed", save_body
    assert (
        save_status == 400
        and "permission denied" in save_body["error"]
        and "left as it was" in save_body["error"]
    )
    assert up_status == 400 and "permission denied" in up_body["error"]
    assert after == before


def test_read_only_api_has_the_cli_shape(client):
    """GET /edeck/v1/embeddings is the public contract: the same objects as scan --json."""
    import subprocess
    import sys

    api = client.get("/edeck/v1/embeddings").json()
    one = client.get("/edeck/v1/embedding?path=SDXL/negativeXL_D.safetensors").json()
    out = subprocess.run(
        [sys.executable, "-m", "embedding_deck", "scan", client.folder, "--json", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    cli = json.loads(out.stdout)
    assert [r["path"] for r in api] == [r["path"] for r in cli]
    assert [sorted(r) for r in api] == [sorted(r) for r in cli]
    for a, c in zip(api, cli, strict=False):
        assert {k: v for k, v in a.items() if k != "created"} == {
            k: v for k, v in c.items() if k != "created"
        }
    assert one == next(r for r in api if r["path"] == "SDXL/negativeXL_D.safetensors")
    assert (one["arch"], one["vectors"]) == ("SDXL", 8)


def test_description_source_names_the_text_file_until_x_json_has_one(client):
    meta = client.get("/edeck/v1/meta?path=badhandv4.pt").json()
    assert meta["description_source"] == "badhandv4.txt"
    assert meta["row"]["description"] and "description" not in meta["user"]
    assert client.get("/edeck/v1/meta?path=EasyNegative.safetensors").json()["description_source"] is None
    body = {
        "path": "badhandv4.pt",
        "stamp": meta["stamp"],
        "changes": {"description": {"from": None, "to": "mine"}},
    }
    assert client.post("/edeck/v1/meta", json=body, headers=H).status_code == 200
    after = client.get("/edeck/v1/meta?path=badhandv4.pt").json()
    assert after["description_source"] is None and after["user"]["description"] == "mine"
