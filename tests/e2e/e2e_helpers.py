"""Page helpers shared by the browser tests."""

from __future__ import annotations


def open_deck(page, server) -> None:
    """Load the page, switch to the Embeddings tab, wait for the cards."""
    page.goto(server.url)
    page.locator("#tabs button", has_text="Embeddings").first.click()
    page.wait_for_selector(".edeck-card", timeout=20000)


def card_paths(page) -> list[str]:
    """data-path of the rendered cards in visual order (top to bottom, left to right)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#embedding_deck_grid .edeck-card'))
            .map(c => { const r = c.getBoundingClientRect(); return [r.top, r.left, c.dataset.path]; })
            .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(x => x[2])"""
    )
