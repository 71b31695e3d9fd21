"""On a phone (360 and 390 px, touch, mobile viewport): every toolbar control of the tab and
of the drawer, and every item of the toolbar's More, is inside the screen and is what a tap
at its centre hits; scrolled to the deck, the grid fills at least 70 % of the screen; card
actions are 44 px touch targets; a long press opens a card's menu; the weight stepper
edits the word at the caret, one undo step per press."""

from __future__ import annotations

import pytest
from e2e_helpers import show_tab

# Every control above the grid, scrolled into view (vertically only: a tool must never
# need a sideways scroll), with where it lies and whether a tap at its centre reaches it.
REACH_JS = """(width) => {
    const root = EDeck.shadow;
    const sel = ['button', 'select', 'input', 'label']
        .map(t => `.edeck-root > :not(.edeck-body) ${t}`).join(', ');
    return Array.from(root.querySelectorAll(sel))
        .filter(e => e.getBoundingClientRect().height > 0)
        .map(e => {
            const before = e.getBoundingClientRect();  // where it lies with nothing scrolled sideways
            window.scrollBy(0, before.top - window.innerHeight / 2);
            const r = e.getBoundingClientRect();
            const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return {what: e.id || (e.textContent || '').trim().slice(0, 30) || e.tagName,
                    left: before.left, right: before.right,
                    clipped: e.scrollWidth > e.clientWidth + 1 && e.tagName !== 'SELECT',
                    hit: !!hit && (e === hit || e.contains(hit) || hit.contains(e))};
        });
}"""


# The share of the screen the grid fills once the page is scrolled to the deck.
GRID_SHARE_JS = """() => {
    EDeck.shadow.querySelector('.edeck-root').scrollIntoView({block: 'start'});
    const g = EDeck.shadow.querySelector('#embedding_deck_grid').getBoundingClientRect();
    return Math.max(0, Math.min(g.bottom, innerHeight) - Math.max(g.top, 0)) / innerHeight;
}"""

# The share of the screen the grid fills in the open drawer.
DRAWER_SHARE_JS = """() => {
    const g = EDeck.shadow.querySelector('#embedding_deck_grid').getBoundingClientRect();
    return Math.max(0, Math.min(g.bottom, innerHeight) - Math.max(g.top, 0)) / innerHeight;
}"""

# Width and height of the card action buttons shown (touch: the ⋯ that opens the card menu).
TARGETS_JS = """() => Array.from(EDeck.shadow.querySelectorAll(
        ['edit', 'add-positive', 'compare-card', 'more'].map(c => `.edeck-card .edeck-${c}`).join(', ')))
    .filter(b => b.getBoundingClientRect().width > 0)
    .slice(0, 6).map(b => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })"""

# The open menu's items: label, whether inside the screen, 44 px tall and hit by a tap.
MENU_JS = """(width) => {
    const m = EDeck.menu.element();
    if (!m || m.hidden) return null;
    return Array.from(m.querySelectorAll('[role=menuitem]')).map(b => {
        const r = b.getBoundingClientRect();
        const hit = EDeck.shadow.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        const note = b.querySelector('.edeck-menu-note');
        return {label: b.firstChild.textContent, note: note ? note.textContent : '', disabled: b.disabled,
                inside: r.left >= 0 && r.right <= width && r.top >= 0 && r.bottom <= innerHeight,
                tall: r.height >= 44, hit: hit === b};
    });
}"""


def _unreachable(page, width: int) -> list[dict]:
    controls = page.evaluate(REACH_JS, width)
    assert len(controls) >= 8, controls  # the check saw the toolbar
    return [c for c in controls if c["left"] < 0 or c["right"] > width or not c["hit"] or c["clipped"]]


@pytest.mark.parametrize("width", [360, 390])
def test_every_toolbar_control_is_reachable_by_touch(browser, server, width):
    context = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(server.url)
        show_tab(page, "Embeddings")
        page.wait_for_selector(".edeck-card", timeout=20000)
        assert _unreachable(page, width) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(GRID_SHARE_JS) >= 0.7  # scrolled to the deck, cards fill the screen
        sizes = page.evaluate(TARGETS_JS)
        assert sizes and all(w >= 44 and h >= 44 for w, h in sizes), sizes
        _check_more_menu(page, width)
        show_tab(page, "txt2img")
        page.locator("#embedding_deck_drawer_txt2img").tap()
        page.wait_for_function("() => !!EDeck.deck && !!EDeck.deck.drawerTab")
        page.wait_for_selector("#embedding_deck_drawer .edeck-card")
        assert _unreachable(page, width) == []
        # the drawer is the whole screen on a phone, the prompt it edits one line on top
        assert page.evaluate(DRAWER_SHARE_JS) >= 0.7
        line = page.locator("#embedding_deck_drawer_prompt")
        assert line.inner_text() == "(the negative prompt is empty)"
        page.locator("#embedding_deck_drawer .edeck-card", has_text="badhandv4").tap()
        page.wait_for_function("() => EDeck.caret.box('txt2img', 'neg').value === 'badhandv4'")
        page.wait_for_function(
            "() => document.querySelector('#embedding_deck_drawer')"
            ".shadowRoot.querySelector('.edeck-drawer-prompt').textContent === 'badhandv4'"
        )
        _check_more_menu(page, width)
    finally:
        context.close()


def _check_more_menu(page, width: int) -> None:
    """The rarer tools sit in More on a phone: each item reachable, and it works (Trash opens)."""
    assert page.locator("#embedding_deck_trash_toggle").is_hidden()
    more = page.locator("#embedding_deck_more:visible")
    more.tap()
    items = page.evaluate(MENU_JS, width)
    assert items and {i["label"] for i in items} >= {"Duplicates", "Trash"}, items
    assert [i for i in items if not (i["inside"] and i["tall"] and i["hit"])] == []
    assert more.get_attribute("aria-expanded") == "true"
    page.locator(".edeck-menu-item", has_text="Trash").tap()
    page.wait_for_selector("#embedding_deck_trash:visible")
    assert more.get_attribute("aria-expanded") == "false"
    page.locator("#embedding_deck_more:visible").tap()
    page.locator(".edeck-menu-item", has_text="Trash").tap()  # ✓ Trash: closes it again
    page.wait_for_selector("#embedding_deck_trash", state="hidden")


def _phone(browser, width: int = 390):
    return browser.new_context(viewport={"width": width, "height": 844}, is_mobile=True, has_touch=True)


def _long_press(page, locator, ms: int = 800) -> None:
    """A real touch held still (Chromium's touch input, as a finger), then lifted."""
    box = locator.bounding_box()
    point = {"x": box["x"] + box["width"] / 3, "y": box["y"] + box["height"] / 3}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    page.wait_for_timeout(ms)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def _prompt(page, which: str) -> str:
    return page.evaluate("(w) => EDeck.caret.box('txt2img', w).value", which)


def test_long_press_opens_the_card_menu(browser, server):
    context = _phone(browser)
    page = context.new_page()
    try:
        page.goto(server.url)
        show_tab(page, "Embeddings")
        card = page.locator(".edeck-card:visible", has_text="EasyNegative").first
        card.wait_for()
        _long_press(page, card)
        items = page.evaluate(MENU_JS, 390)
        assert [i["label"] for i in items] == [
            "Edit…",
            "Insert into the negative prompt",
            "Insert into the positive prompt",
            "Add to favourites",
            "Compare",
            "Select",
            "Select all shown",
        ]
        compare = items[4]  # the standalone page cannot generate: off, and says why
        assert compare["disabled"] and "need the WebUI" in compare["note"], compare
        items = [i for i in items if not i["disabled"]]
        assert [i for i in items if not (i["inside"] and i["tall"] and i["hit"])] == []
        assert _prompt(page, "neg") == ""  # the touch that opened the menu inserted nothing
        page.locator(".edeck-menu-item", has_text="Insert into the positive prompt").tap()
        assert _prompt(page, "pos") == "EasyNegative" and _prompt(page, "neg") == ""
        _long_press(page, card)
        assert "Remove from the positive prompt" in [i["label"] for i in page.evaluate(MENU_JS, 390)]
        page.locator(".edeck-menu-item[data-item=select]").tap()
        assert card.get_attribute("aria-selected") == "true"
        card.locator(".edeck-more").tap()  # the ⋯ button opens the same menu
        page.locator(".edeck-menu-item", has_text="Edit…").tap()
        page.wait_for_selector("#embedding_deck_modal:visible")
        assert page.locator("#embedding_deck_modal").get_by_text("EasyNegative").count() > 0
        page.keyboard.press("Escape")
        # a short tap still inserts into the negative prompt, a scroll-drag opens nothing
        card.tap()
        assert _prompt(page, "neg") == "EasyNegative"
    finally:
        context.close()


def test_card_menu_by_keyboard(browser, server):
    """Shift+F10 on a focused card opens its menu; arrows move, Enter chooses, Esc closes
    with the focus back on the card (desktop, fine pointer: no ⋯, no stepper)."""
    page = browser.new_page()
    try:
        page.goto(server.url)
        show_tab(page, "Embeddings")
        card = page.locator(".edeck-card", has_text="badhandv4").first
        card.wait_for()
        assert page.locator(".edeck-stepper").is_hidden()
        assert card.locator(".edeck-more").is_hidden()
        card.focus()
        page.keyboard.press("Shift+F10")
        assert page.evaluate("EDeck.host.activeElement().textContent") == "Edit…"
        page.keyboard.press("Escape")
        assert page.evaluate("EDeck.host.activeElement().dataset.name") == "badhandv4"
        assert page.evaluate(MENU_JS, 1280) is None
        card.click(button="right")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")  # Insert into the negative prompt
        assert _prompt(page, "neg") == "badhandv4"
    finally:
        page.close()


def test_weight_stepper_edits_the_word_at_the_caret(browser, server):
    context = _phone(browser, 360)
    page = context.new_page()
    try:
        page.goto(server.url)
        show_tab(page, "Embeddings")
        stepper = page.locator(".edeck-stepper:visible")
        assert stepper.locator(".edeck-stepper-what").inner_text() == "Tap a word in a prompt"
        assert stepper.locator(".edeck-stepper-up").is_disabled()
        page.locator(".edeck-card:visible", has_text="EasyNegative").first.tap()  # inserts it
        assert _prompt(page, "neg") == "EasyNegative"
        assert stepper.locator(".edeck-stepper-what").inner_text() == "EasyNegative"
        assert stepper.locator(".edeck-stepper-value").inner_text() == "1.0"
        up, down, undo = (stepper.locator(f".edeck-stepper-{c}") for c in ("up", "down", "undo"))
        up.tap()
        up.tap()
        assert _prompt(page, "neg") == "(EasyNegative:1.2)"
        assert stepper.locator(".edeck-stepper-value").inner_text() == "1.2"
        down.tap()
        assert _prompt(page, "neg") == "(EasyNegative:1.1)"
        seen = []
        for _ in range(4):  # one undo step per press, back to before the insert
            undo.tap()
            seen.append(_prompt(page, "neg"))
        assert seen == ["(EasyNegative:1.2)", "(EasyNegative:1.1)", "EasyNegative", ""]
        # the word at the caret of the box last used, in the txt2img tab itself
        show_tab(page, "txt2img")
        box = page.locator("#txt2img_prompt textarea")
        box.fill("masterpiece, best quality")
        box.evaluate("(t) => { t.setSelectionRange(14, 14); t.dispatchEvent(new Event('keyup')); }")
        show_tab(page, "Embeddings")
        assert stepper.locator(".edeck-stepper-what").inner_text() == "best"
        down.tap()
        assert _prompt(page, "pos") == "masterpiece, (best:0.9) quality"
        assert page.evaluate(GRID_SHARE_JS) >= 0.7  # the stepper row leaves the cards their room
    finally:
        context.close()
