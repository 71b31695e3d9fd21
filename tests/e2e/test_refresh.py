"""Refresh shows new files at once while the WebUI's own reload runs in the background."""

from __future__ import annotations

import os
import shutil
import time

from e2e_helpers import open_deck


def test_new_file_shows_before_the_webui_reload_ends(page, slow_reload_server):
    srv = slow_reload_server
    open_deck(page, srv)
    src = os.path.join(srv.folder, "EasyNegative.safetensors")
    shutil.copy(src, os.path.join(srv.folder, "JustAdded.safetensors"))
    message = page.locator("#embedding_deck_message")
    started = time.perf_counter()
    page.click("#embedding_deck_refresh")
    page.locator('.edeck-card[data-path="JustAdded.safetensors"]').wait_for(timeout=1500)
    shown = time.perf_counter() - started
    assert shown < 1.5
    page.wait_for_function(  # the WebUI is still at it
        "() => /reloading/.test(EDeck.shadow.querySelector('#embedding_deck_message').textContent)",
        timeout=1500,
    )
    page.click("#embedding_deck_refresh")  # pressing again while it runs starts nothing new
    page.wait_for_function(
        "() => /loaded/.test(EDeck.shadow.querySelector('#embedding_deck_message').textContent)",
        timeout=15000,
    )
    assert "WebUI: " in message.text_content() and "loaded, 0 skipped" in message.text_content()
