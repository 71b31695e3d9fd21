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
    return TestClient(app, base_url="http://127.0.0.1:7860")


def test_settings_registered_in_their_section(webui):
    webui.modules["script_callbacks"].ui_settings_callback()
    labels = webui.modules["shared"].opts.data_labels
    assert set(labels) == {s.key for s in SETTINGS} | {"edeck_civitai_key"}
    assert all(info.section == ("embedding_deck", "Embedding Deck") for info in labels.values())
    # the API key is a password field, and the page's state never carries it
    assert labels["edeck_civitai_key"].component_args == {"type": "password"}
    webui.modules["shared"].opts.edeck_civitai_key = "sekrit"
    assert _app(webui).get("/edeck/v1/state").text.count("sekrit") == 0
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
    assert grid["error"] is None and len(grid["entries"]) == 12
    state = client.get("/edeck/v1/state").json()
    assert state["host"] == "a1111" and state["family"] is None
    # the page does not need the absolute folder path while the folder has files
    assert webui.folder not in client.get("/edeck/v1/grid").text + client.get("/edeck/v1/state").text


def test_refresh_reloads_the_webui_database_only_with_a_model(webui):
    client = _app(webui)
    db = webui.modules["sd_hijack"].model_hijack.embedding_db
    refused = client.post("/edeck/v1/refresh", json={})
    assert refused.status_code == 403  # no X-Edeck header: could be cross-site
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    assert res.status_code == 200 and "first generation" in _reload_done(client, res)["message"]
    assert db.reloads == []  # reloading now would make A1111 load a checkpoint
    webui.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(is_sdxl=True)
    db.word_embeddings.update({"EasyNegative": object(), "badhandv4": object()})
    db.skipped_embeddings.update({"negativeXL_D": object()})
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    assert _reload_done(client, res)["message"] == "WebUI: 2 loaded, 1 skipped."
    assert db.reloads == [{"force_reload": True, "locked": True}]
    assert client.get("/edeck/v1/state").json()["family"] == "SDXL"


def _reload_done(client, res, timeout: float = 10) -> dict:
    """The host reload's final status, polled as the page does."""
    import time

    status = res.json()["reload"]
    deadline = time.time() + timeout
    while status["state"] == "running" and time.time() < deadline:
        time.sleep(0.02)
        status = client.get("/edeck/v1/reload").json()
    assert status["state"] == "done", status
    return status


def test_routes_need_the_gradio_login_when_auth_is_on(webui):
    app = FastAPI()
    app.auth = {"user": "pw"}
    app.tokens = {"tok123": "user"}
    webui.modules["script_callbacks"].app_started_callback(None, app)
    client = TestClient(app, base_url="http://127.0.0.1:7860")
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
    takes sync_with_sd_model (Forge's own page passes False); no model needs to be loaded.
    Its sd_hijack has no embedding list (dfdcbab) or a do-nothing shim (later versions).
    Its API keeps a third list (Forge Neo: Api.__init__), reloaded only by the API's own
    refresh route: the deck's Refresh reloads it too."""
    import sys

    calls = []

    class ForgeDb:
        def __init__(self, name):
            self.name = name
            self.word_embeddings = {"EasyNegative": object()}

        def load_textual_inversion_embeddings(self, force_reload=False, sync_with_sd_model=True):
            calls.append((self.name, force_reload, sync_with_sd_model))

    class Shim:  # newer Forge's compatibility shim: no word_embeddings, reload does nothing
        def load_textual_inversion_embeddings(self, force_reload=True, sync_with_sd_model=False):
            raise AssertionError("the shim must not be taken for a database")

    class Api:  # as Forge Neo's modules/api/api.py: its own list behind get_embeddings
        def __init__(self, app):
            self.embedding_db = ForgeDb("api")
            app.add_api_route("/sdapi/v1/embeddings", self.get_embeddings, methods=["GET"])

        def get_embeddings(self):
            return {"loaded": list(self.embedding_db.word_embeddings)}

    forge_page = types.ModuleType("modules.ui_extra_networks_textual_inversion")
    forge_page.embedding_db = ForgeDb("page")
    monkeypatch.setitem(sys.modules, "modules.ui_extra_networks_textual_inversion", forge_page)
    monkeypatch.setitem(sys.modules, "modules_forge", types.ModuleType("modules_forge"))
    monkeypatch.setattr(webui.modules["sd_hijack"].model_hijack, "embedding_db", Shim())

    class FakeInitialModel:  # Forge/Neo's sd_models placeholder before a checkpoint loads
        cond_stage_model = None

    webui.modules["sd_models"].model_data.sd_model = FakeInitialModel()
    app = FastAPI()
    Api(app)  # the WebUI creates its API before the app-started callbacks run
    webui.modules["script_callbacks"].app_started_callback(None, app)
    client = TestClient(app, base_url="http://127.0.0.1:7860")
    assert client.get("/edeck/v1/state").json()["host"] == "forge"
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    message = _reload_done(client, res)["message"]
    assert message == "Forge: 1 listed; generation uses them once a checkpoint is loaded."
    assert calls == [("page", True, False), ("api", True, False)]
    webui.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(is_sd1=True)
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    message = _reload_done(client, res)["message"]
    assert message.startswith("Forge: 1 listed;") and "checkpoint is loaded again" in message


def test_reforge_reloads_its_one_list(webui, monkeypatch):
    """reForge (3b56b26) ships modules_forge but keeps A1111's sd_hijack list, the one its
    generation uses (host-contract §9); a UI module of another shape must not win."""
    import sys

    monkeypatch.setitem(sys.modules, "modules_forge", types.ModuleType("modules_forge"))
    other = types.ModuleType("modules.ui_extra_networks_textual_inversion")
    monkeypatch.setitem(sys.modules, "modules.ui_extra_networks_textual_inversion", other)
    webui.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(is_sd1=True)
    client = _app(webui)
    assert client.get("/edeck/v1/state").json()["host"] == "reforge"
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    assert _reload_done(client, res)["message"] == "WebUI: 0 loaded, 0 skipped."
    assert webui.modules["sd_hijack"].model_hijack.embedding_db.reloads == [
        {"force_reload": True, "locked": True}
    ]


def test_refresh_answers_before_a_slow_webui_reload(webui, monkeypatch):
    """The WebUI's reload takes seconds at 10,000 files; the grid must not wait for it, and
    a second Refresh while it runs must not start another."""
    import os
    import threading
    import time

    import factories as f

    db = webui.modules["sd_hijack"].model_hijack.embedding_db
    slow = db.load_textual_inversion_embeddings
    release = threading.Event()

    def slow_reload(force_reload=False):
        slow(force_reload=force_reload)
        release.wait(20)  # stands for the seconds the real reload takes

    monkeypatch.setattr(db, "load_textual_inversion_embeddings", slow_reload)
    webui.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(is_sd1=True)
    client = _app(webui)
    client.get("/edeck/v1/grid")
    f.write_safetensors(os.path.join(webui.folder, "brand_new.safetensors"), {"emb_params": (2, 768)})
    started = time.perf_counter()
    res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
    elapsed = time.perf_counter() - started
    assert res.status_code == 200 and elapsed < 1.5
    assert "brand_new.safetensors" in [e["path"] for e in res.json()["entries"]]
    assert res.json()["reload"]["state"] == "running"
    again = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"}).json()["reload"]
    assert again["state"] == "running" and len(db.reloads) == 1
    release.set()
    assert _reload_done(client, res)["message"].startswith("WebUI: ")
    assert len(db.reloads) == 1


def test_webui_reload_waits_for_a_generation(webui):
    """The reload takes the WebUI's queue lock, as its own API does: never during a generation."""
    import time

    webui.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(is_sd1=True)
    client = _app(webui)
    lock = webui.modules["call_queue"].queue_lock
    with lock:  # a generation is running
        res = client.post("/edeck/v1/refresh", json={}, headers={"X-Edeck": "1"})
        assert res.json()["reload"]["state"] == "running"
        time.sleep(0.2)
        assert client.get("/edeck/v1/reload").json()["state"] == "running"
    assert _reload_done(client, res)["state"] == "done"
