"""Browser end-to-end fixtures: a real standalone server (subprocess, this venv's gradio)
on a free 127.0.0.1 port, on a copy of the demo library, driven by Debian's chromium."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from support import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

DEMO = os.path.join(ROOT, "embedding_deck_app", "demo_files")


class Server:
    """A running ``python -m embedding_deck serve`` process."""

    def __init__(
        self, folder: str, cache: str, extra: tuple[str, ...] = (), launcher: str | None = None
    ) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ, XDG_CACHE_HOME=cache, PYTHONUNBUFFERED="1", GRADIO_ANALYTICS_ENABLED="False")
        cmd = [
            sys.executable,
            "-m",
            "embedding_deck",
            "serve",
            "--embeddings-dir",
            folder,
            "--port",
            str(self.port),
        ]
        if launcher:  # a script of ours serving the page with a stand-in host
            cmd = [sys.executable, os.path.join(ROOT, "tests", "e2e", launcher), folder, str(self.port)]
        cmd += list(extra)
        self.log = open(os.path.join(cache, "server.log"), "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.tail())
            try:
                self.get("edeck/v1/state")
                return
            except urllib.error.HTTPError as err:
                if err.code == 401:  # up, and asking for a login
                    return
                time.sleep(0.2)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start: " + self.tail())

    def tail(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as fh:
            return fh.read()[-2000:]

    def get(self, path: str) -> object:
        with urllib.request.urlopen(self.url + path, timeout=10) as res:
            return json.loads(res.read())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@contextlib.contextmanager
def _running(
    tmp: str, extra: tuple[str, ...] = (), demo: bool = True, launcher: str | None = None
) -> Iterator[Server]:
    """A server on a fresh copy of the demo library under tmp (or on a missing folder)."""
    folder = os.path.join(tmp, "embeddings" if demo else "no-such-folder")
    if demo:
        shutil.copytree(DEMO, folder)
    cache = os.path.join(tmp, "cache")
    os.makedirs(cache)
    srv = Server(folder, cache, extra, launcher)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server shared by a module's read-only tests (the demo library, unchanged)."""
    with _running(str(tmp_path_factory.mktemp("shared"))) as srv:
        yield srv


@pytest.fixture
def fresh_server(tmp_path):
    """A server on a private copy of the demo library, for tests that change files."""
    with _running(str(tmp_path)) as srv:
        yield srv


@pytest.fixture
def slow_reload_server(tmp_path):
    """A server whose stand-in WebUI takes 3 s to reload its embeddings."""
    with _running(str(tmp_path), ("3",), launcher="slow_reload_server.py") as srv:
        yield srv


@pytest.fixture
def compare_server(tmp_path):
    """A server whose stand-in WebUI generates comparisons (one colour per prompt)."""
    with _running(str(tmp_path), launcher="compare_server.py") as srv:
        yield srv


@pytest.fixture
def slow_compare_server(tmp_path):
    """The same, two seconds a tile: time to reload the page or cancel while it generates."""
    with _running(str(tmp_path), ("2",), launcher="compare_server.py") as srv:
        yield srv


@pytest.fixture
def forge_server(tmp_path):
    """A server answering as Forge (its /state host), on a private copy of the demo library."""
    with _running(str(tmp_path), ("forge",), launcher="host_name_server.py") as srv:
        yield srv


@pytest.fixture
def auth_server(tmp_path):
    """A server that requires a login (standalone --auth, like the WebUI's --gradio-auth)."""
    with _running(str(tmp_path), ("--auth", "alice:s3cret")) as srv:
        yield srv


@pytest.fixture
def ja_server(tmp_path):
    """A server with the Japanese interface (--lang ja)."""
    with _running(str(tmp_path), ("--lang", "ja")) as srv:
        yield srv


@pytest.fixture
def missing_folder_server(tmp_path):
    """A server pointed at a folder that does not exist."""
    with _running(str(tmp_path), demo=False) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.js_errors = errors
    yield pg
    context.close()
    assert errors == [], errors
