"""The WebUI entry, driven through the host's own callback runners (host_fake)."""

from __future__ import annotations

import types

import gradio as gr
from fastapi import FastAPI
from fastapi.testclient import TestClient

from embedding_deck.settings import SETTINGS


def _app(webui) -> TestClient:
    app = FastAPI()
    webui.modules["script_callbacks"].app_started_callback(None, app)
    return TestClient(app)


def test_settings_registered_in_their_section(webui):
    webui.modules["script_callbacks"].ui_settings_callback()
    labels = webui.modules["shared"].opts.data_labels
    assert set(labels) == {s.key for s in SETTINGS}
    assert all(info.section == ("embedding_deck", "Embedding Deck") for info in labels.values())
    assert labels["edeck_default_sort"].component_args == {"choices": list(SETTINGS[0].choices)}
    assert webui.modules["shared"].opts.edeck_card_size == "medium"


def test_tab_registered(webui):
    tabs = webui.modules["script_callbacks"].ui_tabs_callback()
    assert len(tabs) == 1
    blocks, title, elem_id = tabs[0]
    assert (title, elem_id) == ("Embeddings", "embedding_deck")
    assert isinstance(blocks, gr.Blocks)
    html = [b for b in blocks.blocks.values() if isinstance(b, gr.HTML)]
    assert "embedding_deck_root" in html[0].value


def test_routes_list_the_hosts_folder(webui):
    client = _app(webui)
    grid = client.get("/edeck/v1/grid").json()
    assert grid["error"] is None and grid["root"] == webui.folder
    assert len(grid["entries"]) == 12
    state = client.get("/edeck/v1/state").json()
    assert state["host"] == "a1111" and state["family"] is None


def test_refresh_reloads_the_webui_database_only_with_a_model(webui):
    client = _app(webui)
    db = webui.modules["sd_hijack"].model_hijack.embedding_db
    refused = client.post("/edeck/v1/refresh", json={})
    assert refused.status_code == 403  # no X-Edeck header: could be cross-site
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    assert res.status_code == 200 and "first model" in res.json()["message"]
    assert db.reloads == []  # reloading now would make A1111 load a checkpoint
    webui.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(is_sdxl=True)
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    assert "reloaded the WebUI's embeddings" in res.json()["message"]
    assert db.reloads == [{"force_reload": True, "locked": True}]
    assert client.get("/edeck/v1/state").json()["family"] == "SDXL"


def test_routes_need_the_gradio_login_when_auth_is_on(webui):
    app = FastAPI()
    app.auth = {"user": "pw"}
    app.tokens = {"tok123": "user"}
    webui.modules["script_callbacks"].app_started_callback(None, app)
    client = TestClient(app)
    assert client.get("/edeck/v1/grid").status_code == 401
    client.cookies.set("access-token", "tok123")
    assert client.get("/edeck/v1/grid").status_code == 200


def test_install_py_installs_nothing_the_host_has(webui):
    import runpy
    import sys

    from support import ROOT

    launch = sys.modules.get("launch") or __import__("launch")
    launch.pip_calls.clear()
    launch.installed_overrides.clear()
    runpy.run_path(f"{ROOT}/install.py")
    assert launch.pip_calls == []
    launch.installed_overrides.update({"numpy": False})
    runpy.run_path(f"{ROOT}/install.py")
    assert launch.pip_calls == [("install numpy", "numpy for Embedding Deck")]


def test_forge_database_is_reloaded_without_touching_the_model(webui, monkeypatch):
    """Forge keeps its UI database in ui_extra_networks_textual_inversion and its reload
    takes sync_with_sd_model (Forge's own page passes False); no model needs to be loaded."""
    import sys

    calls = []

    class ForgeDb:
        def load_textual_inversion_embeddings(self, force_reload=False, sync_with_sd_model=True):
            calls.append((force_reload, sync_with_sd_model))

    forge_page = types.ModuleType("modules.ui_extra_networks_textual_inversion")
    forge_page.embedding_db = ForgeDb()
    monkeypatch.setitem(sys.modules, "modules.ui_extra_networks_textual_inversion", forge_page)
    monkeypatch.setitem(sys.modules, "modules_forge", types.ModuleType("modules_forge"))
    client = _app(webui)
    assert client.get("/edeck/v1/state").json()["host"] == "forge"
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    assert "reloaded Forge's embedding list" in res.json()["message"]
    assert calls == [(True, False)]
    assert webui.modules["sd_hijack"].model_hijack.embedding_db.reloads == []
