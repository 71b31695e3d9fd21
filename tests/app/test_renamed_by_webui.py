"""Files Forge and reForge renamed to ``X.corrupted`` (their loader wrapper does it when a
load fails): listed as cards with the deck's own reason, Restore name and Delete work, and a
reload that renames files says so."""

from __future__ import annotations

import json
import os
import shutil

import factories as f
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support import fixture_path

from embedding_deck import Library, fileops
from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

H = {"X-Edeck": "1"}
V = "/edeck/v1"


class RenamingHost(StandaloneHost):
    """A host whose reload does what Forge's does to a file it cannot load."""

    def reload_embeddings(self) -> str:
        bad = os.path.join(self.embeddings_dir, "random-bytes.pt")
        if os.path.exists(bad):
            os.replace(bad, bad + ".corrupted")
        return "WebUI: 2 loaded."


@pytest.fixture
def folder(tmp_path) -> str:
    root = str(tmp_path / "embeddings")
    os.makedirs(root)
    shutil.copy(fixture_path("evil_system.pt"), os.path.join(root, "evil.pt.corrupted"))
    with open(os.path.join(root, "evil.json"), "w") as fh:
        json.dump({"description": "kept"}, fh)
    f.write_safetensors(os.path.join(root, "fine.safetensors.corrupted"), {"emb_params": (2, 768)})
    f.write_safetensors(os.path.join(root, "ok.safetensors"), {"emb_params": (2, 768)})
    with open(os.path.join(root, "random-bytes.pt"), "wb") as fh:
        fh.write(b"\x80\x02garbage" * 50)
    with open(os.path.join(root, "notes.txt.corrupted"), "w") as fh:
        fh.write("not an embedding name: not listed")
    return root


@pytest.fixture
def client(folder, tmp_path):
    app = FastAPI()
    deck = Deck(RenamingHost(folder, str(tmp_path / "cache")))
    routes.mount(app, deck, dependencies=security.dependencies(app))
    c = TestClient(app, base_url="http://127.0.0.1:7860")
    c.deck = deck
    return c


def _rows(c) -> dict:
    return {r["path"]: r for r in c.get(f"{V}/grid").json()["entries"]}


def test_renamed_files_are_cards_with_the_decks_own_reason(folder):
    lib = Library(folder)
    lib.scan()
    assert set(lib.entries) == {
        "evil.pt.corrupted",
        "fine.safetensors.corrupted",
        "ok.safetensors",
        "random-bytes.pt",
    }
    evil = lib.entries["evil.pt.corrupted"]
    assert evil.name == "evil" and evil.format.startswith("pt")
    assert evil.error.startswith("Renamed to evil.pt.corrupted by the WebUI, which could not load it")
    assert "posix.system" in evil.error or "os.system" in evil.error  # what the restricted reader refused
    assert evil.metadata.get("description") == "kept"  # its sidecars are still its own
    fine = lib.entries["fine.safetensors.corrupted"]
    assert "reads it without an error" in fine.error


def test_restore_name_and_delete(client, folder):
    rows = _rows(client)
    res = client.post(
        f"{V}/restore-name",
        json={"path": "fine.safetensors.corrupted", "stamp": rows["fine.safetensors.corrupted"]["stamp"]},
        headers=H,
    )
    assert res.status_code == 200, res.text
    assert res.json()["rows"][0]["path"] == "fine.safetensors" and res.json()["removed"] == [
        "fine.safetensors.corrupted"
    ]
    assert os.path.exists(os.path.join(folder, "fine.safetensors"))
    res = client.post(
        f"{V}/restore-name",
        json={"path": "ok.safetensors", "stamp": rows["ok.safetensors"]["stamp"]},
        headers=H,
    )
    assert res.status_code == 422 and "corrupted" in res.json()["error"]
    res = client.post(
        f"{V}/delete",
        json={"path": "evil.pt.corrupted", "stamp": rows["evil.pt.corrupted"]["stamp"]},
        headers=H,
    )
    assert res.status_code == 200, res.text
    (item,) = client.get(f"{V}/trash").json()["items"]
    assert sorted(item["files"]) == ["evil.json", "evil.pt.corrupted"]  # its sidecar went along
    assert not os.path.exists(os.path.join(folder, "evil.json"))


def test_the_sidecars_stay_with_a_loaded_file_of_the_same_name(folder):
    f.write_safetensors(os.path.join(folder, "evil.safetensors"), {"emb_params": (2, 768)})
    lib = Library(folder)
    lib.scan()
    group = fileops.group_of(folder, "evil.pt.corrupted", lambda r: r in lib.entries)
    assert group.sidecars == []


def test_a_reload_that_renames_files_says_so(client, folder):
    client.get(f"{V}/grid")
    res = client.post(f"{V}/refresh", json={}, headers=H).json()
    status = res["reload"] if res["reload"]["state"] != "running" else client.deck.reloader.wait(5)
    assert (
        "renamed 1 file(s) it could not load to .corrupted (random-bytes.pt.corrupted)" in status["message"]
    )
    rows = client.post(f"{V}/refresh", json={}, headers=H).json()["entries"]  # Refresh shows it
    assert "random-bytes.pt.corrupted" in {r["path"] for r in rows}
