"""Bad input in the tab: a missing folder, a file that vanished, and the WebUI-only
"use selected result" path driven through a gallery laid out as the WebUI's."""

from __future__ import annotations

import base64
import io
import os

from e2e_helpers import neg, open_deck, show_tab
from PIL import Image


def test_missing_folder_gives_a_message_not_a_traceback(page, missing_folder_server):
    page.goto(missing_folder_server.url)
    show_tab(page, "Embeddings")
    message = page.locator("#embedding_deck_message")
    message.wait_for(state="visible")
    assert "does not exist" in message.inner_text()
    assert "Traceback" not in page.content()
    assert page.get_attribute("#embedding_deck_status", "data-total") == "0"


def test_file_deleted_before_the_editor_opens(page, fresh_server):
    open_deck(page, fresh_server)
    os.unlink(os.path.join(fresh_server.folder, "badhandv4.pt"))
    card = page.locator('.edeck-card[data-path="badhandv4.pt"]')
    card.hover()
    card.locator(".edeck-edit").click()
    message = page.locator("#embedding_deck_message")
    message.wait_for(state="visible")
    assert "no longer in the folder" in message.inner_text()
    page.wait_for_selector('.edeck-card[data-path="badhandv4.pt"]', state="detached")
    assert page.get_attribute("#embedding_deck_status", "data-total") == "11"


def _png_data_url(rgb) -> str:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), rgb).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_selected_result_becomes_the_preview(page, fresh_server):
    """The WebUI path: the selected thumbnail of the target tab's gallery (not the first)."""
    open_deck(page, fresh_server)
    page.evaluate(
        """([a, b]) => { const g = document.createElement('div'); g.id = 'txt2img_gallery';
            g.innerHTML = '<div class="thumbnail-item thumbnail-small"><img src="' + a + '"></div>' +
                          '<div class="thumbnail-item thumbnail-small selected"><img src="' + b + '"></div>';
            document.body.appendChild(g); }""",
        [_png_data_url((10, 10, 240)), _png_data_url((20, 200, 20))],
    )
    card = page.locator('.edeck-card[data-path="ng_deepnegative_v1_75t.pt"]')
    card.hover()
    card.locator(".edeck-edit").click()
    page.locator("#embedding_deck_modal").wait_for(state="visible")
    page.evaluate("EDeck.preview.fromGallery()")
    preview = os.path.join(fresh_server.folder, "ng_deepnegative_v1_75t.preview.png")
    page.wait_for_function(
        "() => !!EDeck.shadow.querySelector('.edeck-card[data-path=\"ng_deepnegative_v1_75t.pt\"] img')"
    )
    with Image.open(preview) as img:
        assert img.convert("RGB").getpixel((20, 20)) == (20, 200, 20)


def test_target_follows_the_tab_and_can_be_chosen(page, server):
    open_deck(page, server)
    show_tab(page, "img2img")
    neg(page, "img2img").click()
    show_tab(page, "Embeddings")
    assert page.input_value("#embedding_deck_target") == "img2img"
    page.locator('.edeck-card[data-path="badhandv4.pt"]').click()
    show_tab(page, "img2img")
    assert neg(page, "img2img").input_value() == "badhandv4"
    show_tab(page, "Embeddings")
    page.select_option("#embedding_deck_target", "txt2img")
    page.locator('.edeck-card[data-path="badhandv4.pt"]').click()
    show_tab(page, "txt2img")
    assert neg(page).input_value() == "badhandv4"
    assert neg(page, "img2img").input_value() == "badhandv4"
