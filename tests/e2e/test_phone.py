"""On a phone (360 and 390 px, touch, mobile viewport): every toolbar control of the tab and
of the drawer is inside the screen and is what a tap at its centre hits; scrolled to the
deck, the grid fills at least 70 % of the screen; card actions are 44 px touch targets."""

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

# Width and height of each card action button of the first card (a touch target).
TARGETS_JS = """() => Array.from(EDeck.shadow.querySelectorAll(
        '.edeck-card .edeck-edit, .edeck-card .edeck-add-positive, .edeck-card .edeck-compare-card'))
    .slice(0, 3).map(b => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })"""


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
        show_tab(page, "txt2img")
        page.locator("#embedding_deck_drawer_txt2img").tap()
        page.wait_for_function("() => !!EDeck.deck && !!EDeck.deck.drawerTab")
        page.wait_for_selector("#embedding_deck_drawer .edeck-card")
        assert _unreachable(page, width) == []
    finally:
        context.close()
