"""Actions on a selection in the browser: Shift+click ranges once something is selected,
Select all shown, a bulk move with one confirmation, progress and one Undo that puts
every file back; tags on a selection; the selection beyond Compare's 8; a phone's list
view long-press path to the same actions."""

from __future__ import annotations

import os

from e2e_helpers import card_paths, neg, open_deck
from test_a11y import _check

NG = "ng_deepnegative_v1_75t.pt"
BH = "badhandv4.pt"


def card(page, path):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def _files(folder: str) -> list[str]:
    found = (os.path.join(b, n) for b, _d, fs in os.walk(folder) for n in fs if not n.startswith(".edeck"))
    return sorted(os.path.relpath(p, folder).replace(os.sep, "/") for p in found)


def _toast_says(page, start: str) -> None:
    page.wait_for_function(
        "(s) => EDeck.shadow.querySelector('#embedding_deck_toast .edeck-toast-text')"
        ".textContent.startsWith(s)",
        arg=start,
    )


def _selected(page) -> list[str]:
    return page.evaluate("EDeck.compare.selected()")


def test_shift_click_range_then_bulk_move_and_one_undo(page, fresh_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_deck(page, fresh_server)
    before = _files(fresh_server.folder)
    prompt = neg(page).input_value()
    paths = card_paths(page)
    first, last = paths[1], paths[4]
    card(page, first).click(modifiers=["Control"])
    card(page, last).click(modifiers=["Shift"])  # a range, since something is selected
    assert _selected(page) == paths[1:5]
    assert neg(page).input_value() == prompt  # neither click edited a prompt
    assert page.locator(".edeck-selcount").text_content() == "4 selected"
    assert all(card(page, p).get_attribute("aria-selected") == "true" for p in paths[1:5])

    page.locator("#embedding_deck_bulk").click()
    page.locator(".edeck-menu [data-item=bulk-move]").click()
    dialog = page.locator("#embedding_deck_bulk_dialog")
    dialog.wait_for()
    assert "4 embeddings" in dialog.locator("#embedding_deck_bulk_title").text_content()
    _check(page, "bulk dialog", "#embedding_deck_host")
    dialog.locator("select[name=value]").select_option("styles")
    dialog.locator("[data-action=bulk-yes]").click()
    toast = page.locator("#embedding_deck_toast")
    _toast_says(page, "Moved")
    assert toast.locator(".edeck-toast-text").text_content().startswith("Moved 4 embeddings to styles.")
    moved = [f"styles/{p.rpartition('/')[2]}" for p in paths[1:5]]
    on_disk = _files(fresh_server.folder)
    assert all(m in on_disk for m in moved)
    assert sorted(_selected(page)) == sorted(moved)  # the selection follows the files
    assert all(card(page, m).count() == 1 for m in moved)

    toast.locator("[data-lib=undo]").click()  # one Undo for the four
    _toast_says(page, "Undone")
    assert _files(fresh_server.folder) == before
    assert set(paths) <= set(card_paths(page))
    assert _selected(page) == paths[1:5]  # and the selection came back with them


def test_select_all_shown_tags_and_favourites(page, fresh_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_deck(page, fresh_server)
    search = page.locator("#embedding_deck_search")
    search.fill("negative")
    page.wait_for_function("() => EDeck.deck.visible.length < EDeck.deck.entries.length")
    shown = card_paths(page)
    card(page, shown[0]).focus()
    page.keyboard.press("Control+a")
    assert sorted(_selected(page)) == sorted(page.evaluate("EDeck.deck.visible.map(e => e.path)"))
    n = len(_selected(page))
    assert n > 1
    # Compare takes 8 at most: with more, it says so instead of refusing the selection
    page.locator("#embedding_deck_bulk").click()
    page.locator(".edeck-menu [data-item=bulk-add-tags]").click()
    dialog = page.locator("#embedding_deck_bulk_dialog")
    dialog.locator("[data-action=bulk-yes]").click()  # no tag written: said, nothing sent
    assert dialog.locator(".edeck-modal-message").text_content() == "Write at least one tag."
    dialog.locator("input[name=value]").fill("go-to, hands")
    dialog.locator("input[name=value]").press("Enter")
    _toast_says(page, "Added")
    readable = [p for p in _selected(page) if not page.evaluate("(p) => EDeck.deck.byPath.get(p).error", p)]
    tags = page.evaluate("(ps) => ps.map(p => EDeck.deck.byPath.get(p).tags || [])", readable)
    assert all(t[-2:] == ["go-to", "hands"] for t in tags), tags
    search.fill("tag:go-to")
    page.wait_for_function(f"() => EDeck.deck.visible.length === {len(readable)}")

    page.locator("#embedding_deck_bulk").click()
    page.locator(".edeck-menu [data-item=bulk-fav-on]").click()
    page.locator("#embedding_deck_bulk_dialog [data-action=bulk-yes]").click()
    page.wait_for_function(f"() => EDeck.deck.entries.filter(e => e.fav).length === {len(readable)}")
    # the focus came back to Actions ▾ after the batch; Ctrl+Z undoes the batch, whole
    assert page.evaluate("EDeck.host.activeElement().id") == "embedding_deck_bulk"
    page.keyboard.press("Control+z")
    page.wait_for_function("() => EDeck.deck.entries.filter(e => e.fav).length === 0")
    page.locator("[data-action=clear-selection]").click()
    assert _selected(page) == []
    assert page.locator("#embedding_deck_bulk").is_hidden()


def test_more_than_eight_selected_compare_says_why(page, compare_server):
    open_deck(page, compare_server)
    page.wait_for_function("() => EDeck.compare.support().available")
    card(page, card_paths(page)[0]).focus()
    page.keyboard.press("Control+a")
    assert len(_selected(page)) > 8
    compare = page.locator("#embedding_deck_compare_button")
    assert compare.is_disabled()
    assert "up to 8" in compare.get_attribute("title")


def test_delete_a_selection_on_a_phone_list_view(page, fresh_server):
    page.set_viewport_size({"width": 390, "height": 844})
    open_deck(page, fresh_server)
    page.locator("#embedding_deck_view").click()  # the list view
    card(page, NG).click(button="right")
    page.locator(".edeck-menu [data-item=select]").click()
    card(page, BH).click(button="right")
    page.locator(".edeck-menu [data-item=select]").click()
    assert sorted(_selected(page)) == sorted([NG, BH])
    page.locator("#embedding_deck_bulk").click()
    page.locator(".edeck-menu [data-item=bulk-delete]").click()
    dialog = page.locator("#embedding_deck_bulk_dialog")
    box = dialog.locator(".edeck-bulk-box").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    dialog.locator("[data-action=bulk-yes]").click()
    page.wait_for_function("() => !EDeck.deck.byPath.has('badhandv4.pt')")
    assert NG not in card_paths(page) and BH not in card_paths(page)
    assert not os.path.exists(os.path.join(fresh_server.folder, BH))
    assert _selected(page) == []
    page.locator("#embedding_deck_toast [data-lib=undo]").click()
    page.wait_for_function("() => EDeck.deck.byPath.has('badhandv4.pt')")
    assert os.path.exists(os.path.join(fresh_server.folder, BH))
    assert os.path.exists(os.path.join(fresh_server.folder, "badhandv4.txt"))
