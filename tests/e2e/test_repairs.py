"""In a real browser: Refresh repairs what a crash left and says so once; a file the WebUI
renamed to .corrupted is a card whose editor gives its name back."""

from __future__ import annotations

import os

from e2e_helpers import open_deck

SAID = "EDeck.shadow.querySelector('#embedding_deck_message').textContent"


def _card(page, path: str):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def test_refresh_repairs_what_a_crash_left_and_says_so_once(page, fresh_server):
    folder = fresh_server.folder
    open_deck(page, fresh_server)
    page.evaluate("() => { EDeck.MESSAGE_MS = 100; }")
    with open(os.path.join(folder, ".edeck-move-0123456789abcdef.tmp"), "w") as fh:
        fh.write('{"notes": "the only copy"}')  # a sidecar an older version left mid-move
    page.click("#embedding_deck_refresh")
    message = page.locator("#embedding_deck_message")
    page.wait_for_function(f"() => /interrupted operation/.test({SAID})")
    kept = [n for n in os.listdir(folder) if n.startswith("edeck-recovered-")]
    assert len(kept) == 1 and kept[0] in message.inner_text()
    with open(os.path.join(folder, kept[0])) as fh:
        assert fh.read() == '{"notes": "the only copy"}'
    assert not [n for n in os.listdir(folder) if n.startswith(".edeck-") and n != ".edeck.lock"]
    page.wait_for_timeout(400)  # an information would have faded by now
    assert message.is_visible()  # it stays until the user has seen it
    page.click("#embedding_deck_refresh")
    page.wait_for_function(f"() => !/interrupted operation/.test({SAID})")


def test_a_file_the_webui_renamed_gets_its_name_back(page, fresh_server):
    folder = fresh_server.folder
    open_deck(page, fresh_server)
    # what Forge's loader wrapper does to a file it cannot load
    os.replace(os.path.join(folder, "badhandv4.pt"), os.path.join(folder, "badhandv4.pt.corrupted"))
    page.click("#embedding_deck_refresh")
    card = _card(page, "badhandv4.pt.corrupted")
    card.wait_for()
    assert "Renamed to badhandv4.pt.corrupted by the WebUI" in card.locator(".edeck-error-text").inner_text()
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    restore = modal.locator("[data-lib=restore-name]")
    restore.wait_for(state="visible")
    assert not modal.locator("[name=edeck-file-name]").is_visible()  # no rename of a renamed file
    assert modal.locator("[data-lib=delete]").is_visible()
    restore.click()
    _card(page, "badhandv4.pt").wait_for()
    assert _card(page, "badhandv4.pt.corrupted").count() == 0
    assert os.path.exists(os.path.join(folder, "badhandv4.pt"))
    assert os.path.exists(os.path.join(folder, "badhandv4.preview.jpg"))  # its sidecars never moved
