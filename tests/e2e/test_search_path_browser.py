"""The search box's fast path: a big library filters after the keystroke's own frame (one
filter for a burst of keys), cards still in view are kept rather than rebuilt, and the
text is stored a moment later (and when the page goes)."""

from __future__ import annotations

from e2e_helpers import card_paths, open_deck

KEEP = "badhandv4.pt"


def test_deferred_search_reuses_cards_and_stores_the_text(page, server):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_deck(page, server)
    page.evaluate("EDeck.SYNC_SEARCH_MAX = 0")  # as a library of more than 1,500
    page.evaluate(f"EDeck.shadow.querySelector('.edeck-card[data-path=\"{KEEP}\"]').__kept = 1")
    box = page.locator("#embedding_deck_search")
    box.click()
    calls = page.evaluate(
        """() => { window.__applies = 0; const a = EDeck.deck.apply;
        EDeck.deck.apply = function () { window.__applies++; return a.apply(this, arguments); }; }"""
    )
    assert calls is None
    # a burst of keys in one task: the input shows them at once, the grid filters once
    page.evaluate(
        """() => { const b = EDeck.shadow.querySelector('#embedding_deck_search');
        for (const ch of 'badhand') { b.value += ch; b.dispatchEvent(new Event('input', {bubbles: true})); }
        window.__pending = EDeck.deck.applyPending; }"""
    )
    assert page.evaluate("window.__pending") is True
    page.wait_for_function("() => !EDeck.deck.applyPending")
    assert page.evaluate("window.__applies") == 1
    assert card_paths(page) == [KEEP]
    # the card that stayed in view is the same element (not built again)
    assert page.evaluate(f"EDeck.shadow.querySelector('.edeck-card[data-path=\"{KEEP}\"]').__kept") == 1
    assert page.locator("#embedding_deck_query_said").inner_text() == 'Searching: "badhand"'
    page.wait_for_function("() => (JSON.parse(localStorage.getItem('edeck:state')) || {}).text === 'badhand'")


def test_a_small_library_filters_in_the_keystroke(page, server):
    open_deck(page, server)
    page.evaluate(
        """() => { const b = EDeck.shadow.querySelector('#embedding_deck_search');
        b.value = 'badhand'; b.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    # no frame in between: the demo library is filtered at once
    assert page.evaluate("EDeck.deck.visible.map(e => e.path)") == [KEEP]
