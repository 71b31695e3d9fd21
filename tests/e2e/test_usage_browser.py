"""Usage statistics in the browser (standalone with --outputs-dir): Read my history in
Fill in ▾, the count badge, sorting by most used, used:0, and the list's Uses column."""

from __future__ import annotations

import hashlib
import os

import pytest
from conftest import _running
from e2e_helpers import card_paths, fill_item, show_tab
from PIL import Image, PngImagePlugin

BH = "badhandv4.pt"


def _short(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


@pytest.fixture
def history_server(tmp_path):
    outputs = tmp_path / "outputs" / "txt2img-images"
    os.makedirs(outputs)
    with _running(str(tmp_path), ("--outputs-dir", str(tmp_path / "outputs"))) as srv:
        bh = _short(os.path.join(srv.folder, BH))
        text = (
            "a cat\nNegative prompt: lowres, badhandv4\n"
            "Steps: 20, Sampler: Euler a, Seed: 1, Size: 64x64, "
            f'TI hashes: "badhandv4: {bh}", Version: v1.10.1'
        )
        for i in range(4):
            info = PngImagePlugin.PngInfo()
            info.add_text("parameters", text)
            Image.new("RGB", (16, 16)).save(outputs / f"{i:05d}.png", pnginfo=info)
        yield srv


def test_read_my_history_counts_sort_and_filter(page, history_server):
    srv = history_server
    page.goto(srv.url)
    show_tab(page, "Embeddings")
    page.locator(".edeck-card").first.wait_for()
    fill_item(page, "embedding_deck_read_history").click()
    page.locator(".edeck-toast", has_text="History: read 4 new images, 4 with embeddings").wait_for(
        timeout=30000
    )
    badge = page.locator(f'.edeck-card[data-path="{BH}"] .edeck-uses')
    badge.wait_for()
    assert badge.text_content() == "4×"
    assert "0 in positive prompts, 4 in negative ones" in badge.get_attribute("title")
    page.select_option("#embedding_deck_sort", "uses")
    assert page.locator("#embedding_deck_sort_dir").get_attribute("data-desc") == "true"  # most used first
    assert card_paths(page)[0] == BH
    page.fill("#embedding_deck_search", "used:0")
    assert BH not in card_paths(page)
    page.fill("#embedding_deck_search", "used:>3")
    assert card_paths(page) == [BH]
    page.locator("#embedding_deck_view").click()
    assert page.locator(f'.edeck-list-row[data-path="{BH}"] .edeck-col-uses').inner_text() == "4"
    # and in the editor's facts
    page.locator(f'.edeck-card[data-path="{BH}"]').focus()
    page.keyboard.press("e")
    used = page.locator('#embedding_deck_modal td[data-fact="Used"]')
    used.wait_for()
    assert used.inner_text().startswith("Used 4 times: 0 in positive prompts, 4 in negative ones")


def test_without_outputs_folders_there_is_nothing_to_read(page, server):
    page.goto(server.url)
    show_tab(page, "Embeddings")
    page.locator(".edeck-card").first.wait_for()
    assert server.get("edeck/v1/usage/backfill")["folders"] == 0
    page.locator("#embedding_deck_fill").click()
    page.locator(".edeck-menu [role=menuitem]").first.wait_for()
    assert page.locator(".edeck-menu [data-item=embedding_deck_read_history]").count() == 0
