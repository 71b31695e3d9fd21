"""The metadata editor in a real browser: edit and save, preview upload/delete shown at
once (pixel check), conflicts refused, keyboard behaviour."""

from __future__ import annotations

import json
import os

from e2e_helpers import card_paths, open_deck
from PIL import Image

PATH = "EasyNegative.safetensors"


def _card(page, path: str = PATH):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def _open_editor(page, path: str = PATH):
    card = _card(page, path)
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.wait_for_function(
        "(n) => EDeck.shadow.querySelector('#embedding_deck_modal .edeck-modal-title').textContent === n",
        arg=_card(page, path).get_attribute("data-name"),
    )
    return modal


# The centre pixel of a loaded image, or null. Read in the same call that finds the image
# loaded: the grid may swap the element between two calls.
CENTRE_RGB_JS = """(s) => { const i = EDeck.shadow.querySelector(s);
    if (!i || !i.complete || !i.naturalWidth) return null;
    const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(i, 0, 0);
    return Array.from(g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data.slice(0, 3)); }"""


def _wait_red(page, selector: str) -> None:
    """Wait until the image at selector is loaded and red in its centre.

    The check is synchronous on purpose: wait_for_function takes any truthy value as done,
    a pending Promise included, so a Promise-returning check never waits at all.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            f"(s) => {{ const p = ({CENTRE_RGB_JS})(s); "
            "return !!p && p[0] > 200 && p[1] < 60 && p[2] < 60; }",
            arg=selector,
            timeout=10000,
        )
    except PlaywrightTimeout:
        centre = page.evaluate(CENTRE_RGB_JS, selector)
        raise AssertionError(f"{selector} never showed red; its centre is {centre}") from None


def test_edit_and_save_keeps_other_keys(page, fresh_server):
    server = fresh_server
    json_file = os.path.join(server.folder, "EasyNegative.json")
    with open(json_file, encoding="utf-8") as fh:
        before = json.load(fh)
    before["civitai_helper_key"] = {"keep": True}
    with open(json_file, "w", encoding="utf-8") as fh:
        json.dump(before, fh)
    open_deck(page, server)
    modal = _open_editor(page)
    assert modal.locator("textarea[name=description]").input_value() == "The classic SD1.5 negative."
    modal.locator("textarea[name=description]").fill("Use with anime models")
    modal.locator("textarea[name=notes]").fill("weight 0.8 works <b>well</b>")
    modal.locator("input[name='preferred weight']").fill("0.8")
    modal.locator("select[name='sd version']").select_option("SD2")
    modal.locator("[data-action=save]").click()
    modal.wait_for(state="hidden")
    desc = _card(page).locator(".edeck-desc")
    assert desc.inner_text() == "Use with anime models"
    with open(json_file, encoding="utf-8") as fh:
        after = json.load(fh)
    assert after == {
        **before,
        "description": "Use with anime models",
        "notes": "weight 0.8 works <b>well</b>",
        "preferred weight": 0.8,
        "sd version": "SD2",
        "sd_version_str": "SdVersion.SD2",
    }
    # the preferred weight is used by the next card click
    _card(page).click()
    assert page.locator("#txt2img_neg_prompt textarea").input_value() == "(EasyNegative:0.8)"


def test_conflicting_change_on_disk_is_refused(page, fresh_server):
    server = fresh_server
    json_file = os.path.join(server.folder, "EasyNegative.json")
    open_deck(page, server)
    modal = _open_editor(page)
    with open(json_file, "w", encoding="utf-8") as fh:
        json.dump({"description": "written by another tool"}, fh)
    modal.locator("textarea[name=description]").fill("mine")
    modal.locator("[data-action=save]").click()
    message = modal.locator(".edeck-modal-message")
    message.wait_for(state="visible")
    assert "changed by another program" in message.inner_text()
    assert modal.is_visible()
    with open(json_file, encoding="utf-8") as fh:
        assert json.load(fh) == {"description": "written by another tool"}


def test_unsaved_edits_are_kept_as_a_draft_until_saved_or_discarded(page, fresh_server):
    server = fresh_server
    open_deck(page, server)
    modal = _open_editor(page)
    draft = modal.locator(".edeck-draft")
    notes = modal.locator("textarea[name=notes]")
    saved = notes.input_value()
    assert not draft.is_visible()
    page.keyboard.press("Escape")  # no changes: Esc just closes
    modal.wait_for(state="hidden")
    _open_editor(page)
    assert not draft.is_visible()
    notes.fill("a note I typed")
    page.keyboard.press("Escape")
    modal.wait_for(state="hidden")
    _open_editor(page)
    assert notes.input_value() == "a note I typed" and draft.is_visible()
    page.mouse.click(5, 5)  # a click outside keeps it too, and so does a page reload
    modal.wait_for(state="hidden")
    page.reload()
    page.wait_for_selector("#tabs")
    open_deck(page, server)
    _open_editor(page)
    assert notes.input_value() == "a note I typed" and draft.is_visible()
    # another file has no draft
    page.keyboard.press("Escape")
    _open_editor(page, "ng_deepnegative_v1_75t.pt")
    assert notes.input_value() != "a note I typed" and not draft.is_visible()
    page.keyboard.press("Escape")
    # Discard: the file's values are back, and stay back
    _open_editor(page)
    draft.locator("[data-action=discard]").click()
    assert notes.input_value() == saved and not draft.is_visible()
    page.keyboard.press("Escape")
    _open_editor(page)
    assert notes.input_value() == saved and not draft.is_visible()
    # Save clears the draft
    notes.fill("saved note")
    page.keyboard.press("Escape")
    _open_editor(page)
    modal.locator("[data-action=save]").click()
    modal.wait_for(state="hidden")
    _open_editor(page)
    assert notes.input_value() == "saved note" and not draft.is_visible()
    with open(os.path.join(server.folder, "EasyNegative.json"), encoding="utf-8") as fh:
        assert json.load(fh)["notes"] == "saved note"


def test_upload_then_delete_preview_shows_at_once_with_filter_kept(page, fresh_server, tmp_path):
    server = fresh_server
    red = tmp_path / "red.png"
    Image.new("RGB", (96, 96), (230, 20, 20)).save(red)
    open_deck(page, server)
    page.fill("#embedding_deck_search", "bad")
    filtered = card_paths(page)
    path = "badhandv4.pt"
    modal = _open_editor(page, path)
    modal.locator("input[data-action=upload-preview]").set_input_files(str(red))
    _wait_red(page, f'.edeck-card[data-path="{path}"] img')
    _wait_red(page, "#embedding_deck_modal .edeck-modal-img")
    assert os.path.exists(os.path.join(server.folder, "badhandv4.preview.png"))
    assert page.input_value("#embedding_deck_search") == "bad"
    assert card_paths(page) == filtered
    # delete: the old default preview (badhandv4.preview.jpg from the demo) comes back
    os.unlink(os.path.join(server.folder, "badhandv4.preview.jpg"))
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    modal.locator("[data-action=delete-preview]").click()  # asked first: "no" keeps it
    assert asked and "badhandv4.preview.png" in asked[0]
    assert os.path.exists(os.path.join(server.folder, "badhandv4.preview.png"))
    page.once("dialog", lambda d: d.accept())
    modal.locator("[data-action=delete-preview]").click()
    page.wait_for_function(
        "(s) => !EDeck.shadow.querySelector(s + ' img')"
        " && !!EDeck.shadow.querySelector(s + ' .edeck-placeholder')",
        arg=f'.edeck-card[data-path="{path}"]',
    )
    assert not os.path.exists(os.path.join(server.folder, "badhandv4.preview.png"))


def test_bad_upload_gets_a_message_and_changes_nothing(page, fresh_server, tmp_path):
    server = fresh_server
    fake = tmp_path / "notes.png"
    fake.write_text("this is not an image")
    open_deck(page, server)
    modal = _open_editor(page)
    modal.locator("input[data-action=upload-preview]").set_input_files(str(fake))
    page.wait_for_function(
        "() => EDeck.shadow.querySelector('#embedding_deck_modal .edeck-modal-message')"
        ".textContent.includes('not an image')"
    )
    assert not os.path.exists(os.path.join(server.folder, "EasyNegative.preview.png.tmp"))
    assert sorted(n for n in os.listdir(server.folder) if n.startswith("EasyNegative")) == [
        "EasyNegative.json",
        "EasyNegative.preview.png",
        "EasyNegative.safetensors",
    ]


def test_keyboard_escape_focus_trap_and_standalone_replace_disabled(page, server):
    open_deck(page, server)
    modal = _open_editor(page)
    assert page.evaluate("EDeck.host.activeElement().name") == "description"
    replace = modal.locator("[data-action=replace-preview]")
    assert replace.is_disabled()
    assert "Only inside the WebUI" in replace.get_attribute("title")
    for _ in range(40):  # tabbing never leaves the dialog
        page.keyboard.press("Tab")
        assert page.evaluate("!!EDeck.host.activeElement().closest('#embedding_deck_modal')")
    modal.locator("[data-action=hash]").click()
    page.wait_for_function(
        "() => /^[0-9a-f]{12}$/.test(EDeck.shadow.querySelector("
        "'#embedding_deck_modal td[data-fact=\"SHA-256\"]').textContent)"
    )
    page.keyboard.press("Escape")
    assert not modal.is_visible()


MAKE_FILE_JS = """(rgb) => new Promise(r => {
    const c = document.createElement('canvas'); c.width = c.height = 24;
    const g = c.getContext('2d'); g.fillStyle = 'rgb(' + rgb.join(',') + ')'; g.fillRect(0, 0, 24, 24);
    c.toBlob(b => r(new File([b], 'p.png', {type: 'image/png'})), 'image/png');
})"""
DROP_JS = """async (rgb) => {
    const file = await (MAKE)(rgb);
    const dt = new DataTransfer(); dt.items.add(file);
    EDeck.shadow.querySelector('#embedding_deck_modal .edeck-drop')
        .dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
}""".replace("MAKE", MAKE_FILE_JS)
PASTE_JS = """async (rgb) => {
    const file = await (MAKE)(rgb);
    const dt = new DataTransfer(); dt.items.add(file);
    EDeck.shadow.querySelector('#embedding_deck_modal textarea[name=notes]')
        .dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
}""".replace("MAKE", MAKE_FILE_JS)


def _wait_preview_rgb(page, folder: str, stem: str, rgb: tuple[int, int, int]) -> None:
    path = os.path.join(folder, stem + ".preview.png")
    for _ in range(50):
        if os.path.exists(path):
            with Image.open(path) as img:
                if img.convert("RGB").getpixel((12, 12)) == rgb:
                    return
        page.wait_for_timeout(100)
    raise AssertionError(f"{path} never showed {rgb}")


def test_drop_and_paste_set_the_preview(page, fresh_server):
    open_deck(page, fresh_server)
    _open_editor(page, "ng_deepnegative_v1_75t.pt")
    page.evaluate(DROP_JS, [10, 180, 30])
    _wait_preview_rgb(page, fresh_server.folder, "ng_deepnegative_v1_75t", (10, 180, 30))
    page.wait_for_selector('.edeck-card[data-path="ng_deepnegative_v1_75t.pt"] img')
    page.evaluate(PASTE_JS, [200, 40, 160])
    _wait_preview_rgb(page, fresh_server.folder, "ng_deepnegative_v1_75t", (200, 40, 160))
