"""Loads scripts/embedding_deck_tab.py the way the WebUI does, against tests/host_fake."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import threading
import types

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FAKE = os.path.join(ROOT, "tests", "host_fake")
DEMO = os.path.join(ROOT, "embedding_deck_app", "demo_files")


@pytest.fixture
def webui(tmp_path):
    """The fake host with a copy of the demo library, and our script loaded into it."""
    sys.path.insert(0, FAKE)
    for name in [m for m in sys.modules if m in ("modules", "launch") or m.startswith("modules.")]:
        del sys.modules[name]
    from modules import call_queue, paths, script_callbacks, sd_hijack, sd_models, shared

    folder = str(tmp_path / "embeddings")
    shutil.copytree(DEMO, folder)
    shared.cmd_opts.embeddings_dir = folder
    paths.data_path = str(tmp_path / "data")
    script_callbacks.clear_callbacks()
    script = os.path.join(ROOT, "scripts", "embedding_deck_tab.py")
    # As A1111's load_scripts: module named after the file, extension root on sys.path
    # only while the file loads, module not added to sys.modules.
    saved = list(sys.path)
    sys.path.insert(0, ROOT)
    try:
        spec = importlib.util.spec_from_file_location(os.path.basename(script), script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
        sys.path.insert(0, FAKE)
    yield types.SimpleNamespace(
        script=module,
        folder=folder,
        modules={
            "script_callbacks": script_callbacks,
            "shared": shared,
            "paths": paths,
            "call_queue": call_queue,
            "sd_models": sd_models,
            "sd_hijack": sd_hijack,
        },
    )
    sys.path.remove(FAKE)
    for name in [m for m in sys.modules if m in ("modules", "launch") or m.startswith("modules.")]:
        del sys.modules[name]


@pytest.fixture
def fake(webui):
    """The stand-in with an SD1 checkpoint loaded and a clean processing record."""
    from modules import processing, shared

    processing.calls.clear()
    processing.during_sampling.clear()
    shared.state.interrupted = shared.state.skipped = False
    info = types.SimpleNamespace(title="v1-5-pruned-emaonly.safetensors [6ce0161689]")
    webui.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(
        is_sd1=True, sd_checkpoint_info=info
    )
    webui.processing, webui.shared = processing, shared
    yield webui
    processing.during_sampling.clear()


@pytest.fixture
def fake_client(fake) -> TestClient:
    """The routes of the stand-in with a checkpoint, as the WebUI's app mounts them."""
    app = FastAPI()
    fake.modules["script_callbacks"].app_started_callback(None, app)
    return TestClient(app, base_url="http://127.0.0.1:7860")


@pytest.fixture
def hold_at(fake):
    """hold_at(n): the n-th generated image waits in the sampler until released, as a slow
    sampler would; (reached, release) events."""

    def make(at_call: int):
        reached, release = threading.Event(), threading.Event()

        def hook(p):
            if len(fake.processing.calls) == at_call:
                reached.set()
                release.wait(10)

        fake.processing.during_sampling.append(hook)
        return reached, release

    return make
