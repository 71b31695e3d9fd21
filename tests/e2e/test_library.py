"""Managing the library in a real browser: rename, move by drag, delete + undo (toast and
Ctrl+Z), the trash (restore, empty), convert from the warning, the Duplicates filter and the
name-collision link. The grid updates in place: the search stays."""

from __future__ import annotations

import os
import shutil

from e2e_helpers import card_paths, open_deck


def _card(page, path: str):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def _open_editor(page, path: str):
    card = _card(page, path)
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.wait_for_function(
        "(p) => { const i = EDeck.shadow.querySelector('#embedding_deck_modal [name=edeck-file-name]');"
        " const c = EDeck.modal.current();"
        " return !!i && i.offsetParent !== null && !!c && c.entry.path === p; }",
        arg=path,
    )
    return modal


def _paths(page) -> set[str]:
    return set(page.evaluate("() => EDeck.deck.entries.map(e => e.path)"))


def _wait_count(page, selector: str, n: int) -> None:
    page.wait_for_function("([s, n]) => EDeck.shadow.querySelectorAll(s).length === n", arg=[selector, n])


def _toast(page):
    return page.locator("#embedding_deck_toast")


def test_rename_keeps_the_search_and_refuses_bad_names(page, fresh_server):
    server = fresh_server
    open_deck(page, server)
    page.fill("#embedding_deck_search", "bad")
    _wait_count(page, '#embedding_deck_grid .edeck-card[data-path="EasyNegative.safetensors"]', 0)
    modal = _open_editor(page, "badhandv4.pt")
    assert "prompt" in modal.locator(".edeck-rename-note").inner_text()
    name = modal.locator("[name=edeck-file-name]")
    assert name.input_value() == "badhandv4"
    name.fill("bad(hand)")
    modal.locator("[data-lib=rename]").click()
    message = modal.locator(".edeck-modal-message")
    message.wait_for(state="visible")
    assert "(" in message.inner_text() or "bracket" in message.inner_text().lower()
    assert os.path.exists(os.path.join(server.folder, "badhandv4.pt"))

    name.fill("badhand_v5")
    modal.locator("[data-lib=rename]").click()
    modal.wait_for(state="hidden")
    _card(page, "badhand_v5.pt").wait_for()
    assert page.input_value("#embedding_deck_search") == "bad"
    assert "badhandv4.pt" not in card_paths(page)
    assert os.path.exists(os.path.join(server.folder, "badhand_v5.pt"))
    assert os.path.exists(os.path.join(server.folder, "badhand_v5.preview.jpg"))
    assert os.path.exists(os.path.join(server.folder, "badhand_v5.txt"))
    assert "badhand_v5" in _toast(page).inner_text()

    # an image embedding: its internal name is shown, the file renames
    page.fill("#embedding_deck_search", "")
    modal = _open_editor(page, "pixel_negative.png")
    internal = modal.locator(".edeck-internal-name")
    assert "pixel_negative-500" in internal.inner_text()


def test_move_by_dragging_onto_a_folder(page, fresh_server):
    server = fresh_server
    open_deck(page, server)
    page.fill("#embedding_deck_search", "badhand")
    page.click("#embedding_deck_tree_toggle")
    node = page.locator('.edeck-tree-node[data-folder="styles"]')
    node.wait_for()
    _wait_count(page, "#embedding_deck_grid .edeck-card", 1)
    _card(page, "badhandv4.pt").drag_to(node)
    _card(page, "styles/badhandv4.pt").wait_for()
    assert "badhandv4.pt" not in _paths(page)
    assert os.path.exists(os.path.join(server.folder, "styles", "badhandv4.pt"))
    assert os.path.exists(os.path.join(server.folder, "styles", "badhandv4.preview.jpg"))
    assert not os.path.exists(os.path.join(server.folder, "badhandv4.pt"))

    # Move to… in the editor: back to the top folder
    page.click("#embedding_deck_tree_toggle")
    modal = _open_editor(page, "styles/badhandv4.pt")
    modal.locator("[name=edeck-file-folder]").select_option("")
    modal.locator("[data-lib=move]").click()
    modal.wait_for(state="hidden")
    _card(page, "badhandv4.pt").wait_for()
    assert os.path.exists(os.path.join(server.folder, "badhandv4.pt"))


def test_delete_undo_with_the_toast_and_ctrl_z(page, fresh_server):
    server = fresh_server
    open_deck(page, server)
    modal = _open_editor(page, "badhandv4.pt")
    modal.locator("[data-lib=delete]").click()
    modal.locator("[data-lib=delete-yes]").click()
    modal.wait_for(state="hidden")
    page.wait_for_function("() => !EDeck.deck.byPath.has('badhandv4.pt')")
    assert not _card(page, "badhandv4.pt").count()
    assert not os.path.exists(os.path.join(server.folder, "badhandv4.pt"))
    assert not os.path.exists(os.path.join(server.folder, "badhandv4.txt"))
    toast = _toast(page)
    assert "badhandv4" in toast.inner_text()
    toast.locator("[data-lib=undo]").click()
    _card(page, "badhandv4.pt").wait_for()
    assert os.path.exists(os.path.join(server.folder, "badhandv4.txt"))

    # again, undone by Ctrl+Z with the focus in the grid
    modal = _open_editor(page, "badhandv4.pt")
    modal.locator("[data-lib=delete]").click()
    modal.locator("[data-lib=delete-yes]").click()
    modal.wait_for(state="hidden")
    page.wait_for_function("() => !EDeck.deck.byPath.has('badhandv4.pt')")
    page.wait_for_function(
        "() => !!EDeck.shadow.activeElement && EDeck.shadow.activeElement.matches('.edeck-card')"
    )
    page.keyboard.press("Control+z")
    _card(page, "badhandv4.pt").wait_for()
    assert os.path.exists(os.path.join(server.folder, "badhandv4.pt"))


def test_trash_restore_and_empty(page, fresh_server):
    server = fresh_server
    open_deck(page, server)
    for path in ("badhandv4.pt", "SDXL/unaestheticXL.safetensors"):
        page.fill("#embedding_deck_search", path.split("/")[-1][:8])
        modal = _open_editor(page, path)
        modal.locator("[data-lib=delete]").click()
        modal.locator("[data-lib=delete-yes]").click()
        modal.wait_for(state="hidden")
        page.wait_for_function("(p) => !EDeck.deck.byPath.has(p)", arg=path)
    page.fill("#embedding_deck_search", "")
    page.click("#embedding_deck_trash_toggle")
    trash = page.locator("#embedding_deck_trash")
    item = trash.locator('.edeck-trash-item[data-path="badhandv4.pt"]')
    item.wait_for()
    assert trash.locator(".edeck-trash-item").count() == 2
    item.locator("[data-lib=restore]").click()
    _card(page, "badhandv4.pt").wait_for()
    _wait_count(page, "#embedding_deck_trash .edeck-trash-item", 1)
    assert os.path.exists(os.path.join(server.folder, "badhandv4.preview.jpg"))

    trash.locator("[data-lib=empty]").click()
    trash.locator("[data-lib=empty-yes]").click()
    _wait_count(page, "#embedding_deck_trash .edeck-trash-item", 0)
    assert server.get("edeck/v1/trash")["items"] == []
    assert not os.path.exists(os.path.join(server.folder, "SDXL", "unaestheticXL.safetensors"))


def test_convert_from_the_warning_and_undo(page, fresh_server):
    server = fresh_server
    open_deck(page, server)
    modal = _open_editor(page, "styles/cat-toy.bin")
    assert "A1111 1.10 refuses this file" in modal.locator(".edeck-facts").inner_text()
    modal.locator("[data-lib=convert]").click()
    modal.wait_for(state="hidden")
    card = _card(page, "styles/cat-toy.safetensors")
    card.wait_for()
    assert "styles/cat-toy.bin" not in _paths(page)
    assert page.evaluate("() => EDeck.deck.byPath.get('styles/cat-toy.safetensors').warnings") == []
    with open(os.path.join(server.folder, "styles", "cat-toy.safetensors"), "rb") as fh:
        assert b"emb_params" in fh.read(4096)
    assert not os.path.exists(os.path.join(server.folder, "styles", "cat-toy.bin"))
    assert os.path.exists(os.path.join(server.folder, "styles", "cat-toy.png"))  # its preview stays
    _toast(page).locator("[data-lib=undo]").click()
    _card(page, "styles/cat-toy.bin").wait_for()
    assert not os.path.exists(os.path.join(server.folder, "styles", "cat-toy.safetensors"))


def test_duplicates_badge_filter_and_collision_link(page, fresh_server):
    server = fresh_server
    folder = server.folder
    shutil.copy(os.path.join(folder, "badhandv4.pt"), os.path.join(folder, "SD15", "hand_copy.pt"))
    open_deck(page, server)
    page.click("#embedding_deck_refresh")
    _card(page, "SD15/hand_copy.pt").wait_for()
    page.click("#embedding_deck_duplicates")
    _wait_count(page, "#embedding_deck_grid .edeck-card", 2)
    assert sorted(card_paths(page)) == ["SD15/hand_copy.pt", "badhandv4.pt"]
    badge = _card(page, "badhandv4.pt").locator(".edeck-same")
    assert "SD15/hand_copy.pt" in badge.get_attribute("title")
    assert page.get_attribute("#embedding_deck_duplicates", "aria-pressed") == "true"
    page.click("#embedding_deck_duplicates")
    _card(page, "EasyNegative.safetensors").wait_for()

    # the ⚠ name badge goes to the other file, even when the search hides it
    page.fill("#embedding_deck_search", "easy")
    page.fill("#embedding_deck_search", "SD15")
    _card(page, "SD15/EasyNegative.safetensors").locator(".edeck-warn").click()
    page.wait_for_function(
        "() => !!EDeck.shadow.activeElement"
        " && EDeck.shadow.activeElement.dataset.path === 'EasyNegative.safetensors'"
    )


def _flagged(page) -> list[str]:
    """Paths whose cards say a WebUI refuses them and whose format converting fixes."""
    return page.evaluate(
        "() => EDeck.deck.entries.filter(e => ['pt-zip', 'pt-legacy'].includes(e.format) && !e.error"
        " && (e.refused || (e.other_hosts || []).length)).map(e => e.path).sort()"
    )


def test_convert_every_refused_file_at_once_and_undo_them_all(page, fresh_server):
    server = fresh_server
    os.makedirs(os.path.join(server.folder, "extra"))
    shutil.copy(
        os.path.join(server.folder, "styles", "cat-toy.bin"),
        os.path.join(server.folder, "extra", "cat-toy-copy.bin"),
    )
    open_deck(page, server)
    page.locator("#embedding_deck_refresh").click()
    _card(page, "extra/cat-toy-copy.bin").wait_for(state="attached")
    flagged = _flagged(page)
    assert {"styles/cat-toy.bin", "extra/cat-toy-copy.bin"} <= set(flagged)
    button = page.locator("#embedding_deck_convert_all")
    button.wait_for(state="visible")
    assert str(len(flagged)) in button.inner_text()
    button.click()
    assert f"Convert {len(flagged)} files" in _toast(page).inner_text()
    _toast(page).locator("[data-lib=convert-all-no]").click()
    assert _toast(page).is_hidden() and _flagged(page) == flagged  # asked, nothing done
    button.click()
    _toast(page).locator("[data-lib=convert-all-yes]").click()
    page.wait_for_function(
        "(n) => EDeck.shadow.querySelector('#embedding_deck_toast').textContent"
        ".includes('Converted ' + n + ' files')",
        arg=len(flagged),
    )
    assert _flagged(page) == [] and button.is_hidden()
    for path in flagged:
        stem = os.path.join(server.folder, os.path.splitext(path)[0])
        assert not os.path.exists(os.path.join(server.folder, path))
        assert os.path.exists(stem + ".safetensors"), path
        _card(page, os.path.splitext(path)[0] + ".safetensors").wait_for(state="attached")
    _toast(page).locator("[data-lib=undo]").click()
    page.wait_for_function(
        "() => EDeck.shadow.querySelector('#embedding_deck_toast').textContent.includes('Undone')"
    )
    assert _flagged(page) == flagged
    for path in flagged:
        assert os.path.exists(os.path.join(server.folder, path))
        assert not os.path.exists(os.path.join(server.folder, os.path.splitext(path)[0] + ".safetensors"))
