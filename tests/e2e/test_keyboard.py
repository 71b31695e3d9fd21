"""The deck by keyboard in a real browser: Esc is ours while the drawer or the editor is
open (the WebUI's own Esc → Interrupt handler must never see it), and the grid and tree
follow the WAI-ARIA patterns."""

from __future__ import annotations

from e2e_helpers import add_asset, card_paths, neg, open_deck, show_tab


def _interrupts(page) -> int:
    return page.evaluate("window.__interrupts")


def test_esc_in_drawer_and_editor_never_reaches_the_host_interrupt(page, server):
    add_asset(page, "host_esc.js")  # a listener shaped like script.js's Esc → Interrupt
    open_deck(page, server)
    show_tab(page, "txt2img")
    neg(page).click()
    page.keyboard.press("Escape")
    assert _interrupts(page) == 1  # the stand-in does see an Esc that is not ours
    drawer = page.locator("#embedding_deck_drawer")
    # Esc with the focus in the drawer's search box
    page.click("#embedding_deck_drawer_txt2img")
    assert drawer.is_visible()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    assert _interrupts(page) == 1
    # Esc with the focus back in the prompt box the drawer edits
    page.click("#embedding_deck_drawer_txt2img")
    neg(page).focus()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    assert _interrupts(page) == 1
    # the editor over the drawer: the first Esc closes the editor only, the second the drawer
    page.click("#embedding_deck_drawer_txt2img")
    card = drawer.locator('.edeck-card[data-path="badhandv4.pt"]')
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not modal.is_visible() and drawer.is_visible()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    assert _interrupts(page) == 1


def test_esc_in_the_editor_from_the_tab_is_consumed(page, server):
    add_asset(page, "host_esc.js")
    open_deck(page, server)
    card = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not modal.is_visible()
    assert _interrupts(page) == 0


ACTIVE_JS = """() => { const a = EDeck.host.activeElement();
    if (!a) return null;
    if (a.dataset.folder !== undefined) return a.dataset.folder;
    return a.dataset.path || a.id || a.getAttribute('data-action') || a.tagName; }"""


def _active(page):
    return page.evaluate(ACTIVE_JS)


def test_grid_is_one_tab_stop_and_arrows_move(page, server):
    open_deck(page, server)
    paths = card_paths(page)
    cols = page.evaluate("EDeck.deck.grid.L.cols")
    # a page is the rows in view
    page_size = cols * page.evaluate(
        "(g => Math.floor(g.container.clientHeight / g.L.rowH))(EDeck.deck.grid)"
    )
    assert cols >= 3 and len(paths) == 12 and page_size > 0
    page.locator("#embedding_deck_refresh").focus()
    page.keyboard.press("Tab")
    assert _active(page) == paths[0]  # the grid's one Tab stop: + and ✎ are not stops
    page.keyboard.press("Tab")
    assert _active(page) not in paths  # one more Tab leaves the grid
    page.keyboard.press("Shift+Tab")
    assert _active(page) == paths[0]
    for key, index in [
        ("ArrowRight", 1),
        ("ArrowDown", 1 + cols),
        ("ArrowLeft", cols),
        ("End", 2 * cols - 1),
        ("Home", cols),
        ("ArrowUp", 0),
        ("ArrowUp", 0),
        ("Control+End", 11),
        ("PageUp", max(0, 11 - page_size)),  # a page up, or to the first card
        ("Control+Home", 0),
        ("PageDown", min(11, page_size)),
        ("Control+Home", 0),
    ]:
        page.keyboard.press(key)
        assert _active(page) == paths[index], key
    # leaving and coming back lands on the card last left
    page.keyboard.press("ArrowRight")
    page.locator("#embedding_deck_refresh").focus()
    page.keyboard.press("Tab")
    assert _active(page) == paths[1]


def test_enter_inserts_e_and_f2_open_the_editor(page, server):
    open_deck(page, server)
    page.locator('.edeck-card[data-path="badhandv4.pt"]').focus()
    page.keyboard.press("Enter")
    assert neg(page).input_value() == "badhandv4"
    modal = page.locator("#embedding_deck_modal")
    for key in ("e", "F2"):
        page.keyboard.press(key)
        modal.wait_for(state="visible")
        assert page.locator("#embedding_deck_modal .edeck-modal-title").inner_text() == "badhandv4"
        page.keyboard.press("Escape")
        assert not modal.is_visible()
        assert _active(page) == "badhandv4.pt"  # focus back on the card


def test_focus_ring_differs_from_hover_and_file_input_focus_shows(page, server):
    open_deck(page, server)
    paths = card_paths(page)
    style = "(c) => { const s = getComputedStyle(c); return [s.outlineStyle, s.borderColor]; }"
    page.locator(f'.edeck-card[data-path="{paths[1]}"]').hover()
    hovered = page.locator(f'.edeck-card[data-path="{paths[1]}"]').evaluate(style)
    page.locator("#embedding_deck_refresh").focus()
    page.keyboard.press("Tab")
    focused = page.locator(f'.edeck-card[data-path="{paths[0]}"]').evaluate(style)
    assert hovered[0] == "none" and focused[0] == "solid"
    page.keyboard.press("e")
    page.locator("#embedding_deck_modal").wait_for(state="visible")
    upload = page.locator("#embedding_deck_modal .edeck-upload")
    assert upload.evaluate("u => getComputedStyle(u).outlineStyle") == "none"
    for _ in range(120):  # however many fields the editor holds (Tab cycles inside it)
        if _active(page) == "upload-preview":
            break
        page.keyboard.press("Tab")
    assert _active(page) == "upload-preview"
    assert upload.evaluate("u => getComputedStyle(u).outlineStyle") == "solid"


def test_tree_arrows(page, server):
    open_deck(page, server)
    page.click("#embedding_deck_tree_toggle")
    page.locator('#embedding_deck_tree [data-folder=""]').focus()
    assert page.locator("#embedding_deck_tree").get_attribute("role") == "tree"
    page.keyboard.press("ArrowDown")
    first = _active(page)
    assert first == "broken"
    page.keyboard.press("End")
    last = _active(page)
    page.keyboard.press("Home")
    assert _active(page) == ""
    page.keyboard.press("ArrowLeft")  # "All" has no parent: stays
    assert _active(page) == ""
    page.keyboard.press("ArrowLeft")
    assert _active(page) == ""
    page.keyboard.press("End")
    assert _active(page) == last
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picks the folder; the focus stays on it
    assert _active(page) == "broken"
    assert card_paths(page) == ["broken/truncated.safetensors"]
