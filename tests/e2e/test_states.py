"""The deck says what is going on: empty grids say why (with the button that fixes it),
messages float instead of pushing the grid down and information fades, and the editor
shows a broken file's reason, where a description comes from, no empty rows or boxes,
disabled buttons that look disabled, and a word after Save."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import DEMO, Server
from e2e_helpers import open_deck, show_tab
from PIL import Image


def _card(page, path: str):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def _open_editor(page, path: str):
    card = _card(page, path)
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.wait_for_function("(p) => EDeck.modal.current() && EDeck.modal.current().entry.path === p", arg=path)
    return modal


@pytest.fixture
def empty_server(tmp_path):
    folder = tmp_path / "empty embeddings"
    folder.mkdir()
    cache = tmp_path / "cache"
    cache.mkdir()
    srv = Server(str(folder), str(cache))
    yield srv
    srv.stop()


def test_no_match_says_so_with_a_clear_button(page, server):
    open_deck(page, server)
    empty = page.locator("#embedding_deck_empty")
    assert not empty.is_visible()
    page.fill("#embedding_deck_search", "zzzz")
    empty.wait_for(state="visible")
    assert "No embedding matches “zzzz”." in empty.inner_text()
    empty.locator("button").click()
    assert page.input_value("#embedding_deck_search") == ""
    page.wait_for_selector('.edeck-card[data-path="badhandv4.pt"]')
    assert not empty.is_visible()


def test_an_empty_folder_says_where_to_put_files(page, empty_server):
    page.goto(empty_server.url)
    show_tab(page, "Embeddings")
    empty = page.locator("#embedding_deck_empty")
    empty.wait_for(state="visible")
    assert empty_server.folder in empty.inner_text() and "Refresh" in empty.inner_text()
    shutil.copy(os.path.join(DEMO, "badhandv4.pt"), empty_server.folder)
    page.click("#embedding_deck_refresh")
    page.wait_for_selector('.edeck-card[data-path="badhandv4.pt"]')
    assert not empty.is_visible()


def test_messages_float_over_the_grid_and_information_fades(page, server):
    open_deck(page, server)
    page.evaluate("EDeck.MESSAGE_MS = 800")
    grid = page.locator("#embedding_deck_grid")
    top = grid.bounding_box()["y"]
    page.click("#embedding_deck_refresh")
    message = page.locator("#embedding_deck_message")
    message.wait_for(state="visible")
    assert grid.bounding_box()["y"] == top  # the grid did not move
    assert message.evaluate("m => getComputedStyle(m).position") == "absolute"
    message.wait_for(state="hidden", timeout=5000)  # information fades by itself
    page.evaluate("EDeck.deck.message('Something failed.')")  # an error stays until clicked
    page.wait_for_timeout(1200)
    assert message.is_visible() and message.get_attribute("role") == "alert"
    message.click()
    assert not message.is_visible()


def test_broken_file_editor_shows_the_reason_and_no_empty_rows(page, server):
    open_deck(page, server)
    modal = _open_editor(page, "broken/truncated.safetensors")
    reason = modal.locator(".edeck-modal-error")
    assert reason.is_visible() and "truncated" in reason.inner_text()
    assert not modal.locator(".edeck-no-preview").is_visible()
    facts = dict(
        modal.locator(".edeck-facts tr").evaluate_all(
            "rs => rs.map(r => [r.querySelector('th').textContent, r.querySelector('td').textContent])"
        )
    )
    assert "truncated" in facts["Problem"]
    assert all(v.strip() for k, v in facts.items() if k != "SHA-256"), facts
    assert "Step" not in facts and "Trained on" not in facts
    page.keyboard.press("Escape")


def test_description_from_a_text_file_is_shown_with_its_source(page, server):
    open_deck(page, server)
    modal = _open_editor(page, "badhandv4.pt")
    desc = modal.locator("textarea[name=description]")
    card_desc = _card(page, "badhandv4.pt").locator(".edeck-desc").inner_text()
    assert desc.input_value() and card_desc.startswith(desc.input_value()[:20])
    source = modal.locator(".edeck-source")
    assert source.is_visible() and "badhandv4.txt" in source.inner_text()
    page.keyboard.press("Escape")  # nothing changed: no draft
    modal.wait_for(state="hidden")
    modal = _open_editor(page, "EasyNegative.safetensors")
    assert not modal.locator(".edeck-source").is_visible()


def test_editor_buttons_preview_and_save(page, fresh_server, tmp_path):
    server = fresh_server
    open_deck(page, server)
    modal = _open_editor(page, "ng_deepnegative_v1_75t.pt")  # no preview
    buttons = modal.locator(".edeck-preview-buttons > *")
    boxes = [buttons.nth(i).bounding_box() for i in range(buttons.count())]
    close = modal.locator("[data-action=cancel]").bounding_box()
    assert {round(b["height"]) for b in boxes} == {round(close["height"])}, boxes  # one height
    # the first on its own row, the other two side by side at one width
    assert boxes[1]["y"] == boxes[2]["y"] > boxes[0]["y"] and boxes[1]["width"] == boxes[2]["width"]
    for action in ("replace-preview", "delete-preview"):  # standalone; no preview to delete
        button = modal.locator(f"[data-action={action}]")
        assert button.is_disabled()
        assert float(button.evaluate("b => getComputedStyle(b).opacity")) <= 0.6
    assert float(modal.locator("[data-action=save]").evaluate("b => getComputedStyle(b).opacity")) == 1
    assert modal.locator(".edeck-no-preview").is_visible()  # not an empty dashed box
    values = modal.locator(".edeck-facts td:not([data-fact='SHA-256'])").all_inner_texts()
    assert all(v.strip() for v in values), values  # no empty rows
    # a small preview is shown at its own size, not blown up
    small = tmp_path / "small.png"
    Image.new("RGB", (64, 64), (20, 120, 220)).save(small)
    modal.locator("input[data-action=upload-preview]").set_input_files(str(small))
    img = modal.locator(".edeck-modal-img")
    page.wait_for_function(
        "() => { const i = EDeck.shadow.querySelector('#embedding_deck_modal .edeck-modal-img');"
        " return !i.hidden && i.complete && i.naturalWidth > 0; }"
    )
    assert round(img.bounding_box()["width"]) == 64
    assert "64 × 64 px" in modal.locator(".edeck-img-size").inner_text()
    assert not modal.locator(".edeck-no-preview").is_visible()
    modal.locator("textarea[name=notes]").fill("new note")
    modal.locator("[data-action=save]").click()
    modal.wait_for(state="hidden")
    message = page.locator("#embedding_deck_message")
    message.wait_for(state="visible")
    assert "Saved ng_deepnegative_v1_75t." in message.inner_text()


def test_facts_keep_words_whole(page, server):
    open_deck(page, server)
    modal = _open_editor(page, "EasyNegative.safetensors")
    td = modal.locator(".edeck-facts td").first
    assert td.evaluate("t => getComputedStyle(t).wordBreak") != "break-all"


def test_in_prompt_outline_is_drawn_above_the_preview(page, server):
    open_deck(page, server)
    card = _card(page, "EasyNegative.safetensors")  # has a preview image
    card.click()
    page.wait_for_selector('.edeck-card.edeck-in-negative[data-path="EasyNegative.safetensors"]')
    outline = card.evaluate(
        "c => { const s = getComputedStyle(c, '::after');"
        " return [s.content, s.boxShadow, s.zIndex, s.position]; }"
    )
    assert outline[0] != "none" and "inset" in outline[1] and outline[3] == "absolute", outline
    # the outline's layer is above the picture's
    assert int(outline[2]) > 0


GALLERY_JS = """() => { const g = document.createElement('div'); g.id = 'txt2img_gallery';
    const c = document.createElement('canvas'); c.width = c.height = 32;
    const x = c.getContext('2d'); x.fillStyle = '#e61414'; x.fillRect(0, 0, 32, 32);
    const item = document.createElement('div'); item.className = 'thumbnail-item selected';
    const img = document.createElement('img'); img.src = c.toDataURL('image/png');
    item.appendChild(img); g.appendChild(item); document.body.appendChild(g); }"""


def test_a_result_replaces_an_existing_preview_only_when_confirmed(page, forge_server):
    server = forge_server  # a WebUI host: "Use selected result" is enabled
    open_deck(page, server)
    page.evaluate(GALLERY_JS)  # a txt2img result, selected
    preview = os.path.join(server.folder, "EasyNegative.preview.png")
    before = os.path.getsize(preview)
    modal = _open_editor(page, "EasyNegative.safetensors")
    use = modal.locator("[data-action=replace-preview]")
    assert use.is_enabled()
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    use.click()
    page.wait_for_timeout(500)
    assert asked and "EasyNegative.preview.png" in asked[0]
    assert os.path.getsize(preview) == before  # "no" keeps the preview
    page.once("dialog", lambda d: d.accept())
    use.click()
    page.wait_for_function(
        "() => EDeck.modal.current().row.preview_v !== null && "
        "EDeck.shadow.querySelector('#embedding_deck_modal .edeck-modal-img').naturalWidth === 32"
    )
    with Image.open(preview) as im:
        assert im.size == (32, 32)
    # a file without a preview gets the result without a question
    page.keyboard.press("Escape")
    modal = _open_editor(page, "ng_deepnegative_v1_75t.pt")
    asked.clear()
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    modal.locator("[data-action=replace-preview]").click()
    page.wait_for_function("() => !!EDeck.modal.current().row.preview")
    assert asked == []
