"""Security in the real server and browser: login required when auth is on, no state
change from another site, user text never rendered as HTML."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading

import factories as f
import pytest
from e2e_helpers import open_deck
from support import free_port

ROUTES = [
    ("GET", "edeck/v1/state"),
    ("GET", "edeck/v1/grid"),
    ("GET", "edeck/v1/embeddings"),
    ("GET", "edeck/v1/embedding?path=EasyNegative.safetensors"),
    ("GET", "edeck/v1/meta?path=EasyNegative.safetensors"),
    ("GET", "edeck/v1/thumb?path=EasyNegative.safetensors"),
    ("GET", "edeck/v1/static/edeck_90_main.js"),
    ("POST", "edeck/v1/refresh"),
    ("POST", "edeck/v1/hash"),
    ("POST", "edeck/v1/meta"),
    ("POST", "edeck/v1/preview?path=EasyNegative.safetensors"),
    ("POST", "edeck/v1/preview/delete"),
]


def test_every_route_needs_the_login_when_auth_is_on(page, auth_server):
    api = page.request
    for method, route in ROUTES:
        res = api.fetch(auth_server.url + route, method=method, headers={"X-Edeck": "1"})
        assert res.status == 401, (method, route, res.status)
    login = api.post(auth_server.url + "login", form={"username": "alice", "password": "s3cret"})
    assert login.ok
    assert api.get(auth_server.url + "edeck/v1/grid").json()["entries"]
    page.goto(auth_server.url)
    page.locator("#tabs button", has_text="Embeddings").first.click()
    page.wait_for_selector(".edeck-card")
    assert page.get_attribute("#embedding_deck_status", "data-total") == "12"


def test_wrong_password_stays_locked(page, auth_server):
    page.request.post(auth_server.url + "login", form={"username": "alice", "password": "nope"})
    assert page.request.get(auth_server.url + "edeck/v1/grid").status == 401


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def evil_site(tmp_path):
    """A page on another origin (another port) that attacks the deck through the browser."""
    root = tmp_path / "evil"
    root.mkdir()
    port = free_port()
    handler = lambda *a, **k: _Quiet(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{port}/"
    server.shutdown()


def test_another_site_cannot_change_files(page, fresh_server, evil_site):
    root, evil_url = evil_site
    target = fresh_server.url + "edeck/v1/preview/delete"
    meta = fresh_server.url + "edeck/v1/meta"
    (root / "attack.html").write_text(
        f"""<html><body><form id=f method=POST action="{target}" enctype="text/plain">
        <input name='{{"path":"EasyNegative.safetensors","x":"' value='"}}'></form><script>
        window.results = [];
        const body = JSON.stringify({{path: "EasyNegative.safetensors"}});
        const tries = [
          fetch("{target}", {{method: "POST", body, mode: "no-cors", credentials: "include"}}),
          fetch("{target}", {{method: "POST", body, credentials: "include",
                headers: {{"X-Edeck": "1", "Content-Type": "application/json"}}}}),
          fetch("{meta}", {{method: "POST", credentials: "include", headers: {{"X-Edeck": "1"}},
                body: JSON.stringify({{path: "EasyNegative.safetensors", stamp: null,
                                      changes: {{notes: {{from: null, to: "pwned"}}}}}})}}),
        ];
        Promise.allSettled(tries).then(r => {{ window.results = r.map(x => x.status); window.done = true; }});
        </script></body></html>"""
    )
    preview = os.path.join(fresh_server.folder, "EasyNegative.preview.png")
    json_file = os.path.join(fresh_server.folder, "EasyNegative.json")
    before = open(json_file, "rb").read()
    page.goto(evil_url + "attack.html")
    page.wait_for_function("() => window.done === true")
    with page.expect_navigation():
        page.evaluate("document.getElementById('f').submit()")
    assert os.path.exists(preview)
    assert open(json_file, "rb").read() == before


def test_user_text_is_shown_as_text(page, fresh_server):
    folder = fresh_server.folder
    odd = 'quote"and<angle>&amp\nnewline'
    f.write_safetensors(os.path.join(folder, odd + ".safetensors"), {"emb": (1, 768)})
    with open(os.path.join(folder, odd + ".json"), "w", encoding="utf-8") as fh:
        json.dump(
            {"description": "<img src=x onerror=window.__xss=1>", "notes": "<script>window.__xss=2</script>"},
            fh,
        )
    shutil.copy(os.path.join(folder, "EasyNegative.preview.png"), os.path.join(folder, odd + ".preview.png"))
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_deck(page, fresh_server)
    page.click("#embedding_deck_refresh")
    page.fill("#embedding_deck_search", "angle")
    card = page.locator(".edeck-card").first
    card.wait_for()
    assert card.get_attribute("data-name") == odd
    assert card.locator(".edeck-desc").inner_text() == "<img src=x onerror=window.__xss=1>"
    assert card.locator(".edeck-desc img").count() == 0
    assert card.locator("img").count() == 1  # the thumbnail, served for the odd name
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    assert modal.locator("textarea[name=notes]").input_value() == "<script>window.__xss=2</script>"
    assert page.locator("#embedding_deck_modal script").count() == 0
    page.keyboard.press("Escape")
    card.click()
    page.locator("#tabs button", has_text="txt2img").first.click()
    assert page.locator("#txt2img_neg_prompt textarea").input_value() == odd
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
