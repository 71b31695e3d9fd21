"""The list view in the browser at 1400 px and on a 390 px phone: rows with the columns,
sorting headers, click-to-insert, arrow keys, and the choice kept across a reload."""

from __future__ import annotations

import pytest
from e2e_helpers import open_deck, show_tab

NG = "ng_deepnegative_v1_75t.pt"


def rows(page) -> list[str]:
    return page.evaluate(
        """() => Array.from(EDeck.shadow.querySelectorAll('#embedding_deck_grid .edeck-list-row'))
            .map(c => [c.getBoundingClientRect().top, c.dataset.path])
            .sort((a, b) => a[0] - b[0]).map(x => x[1])"""
    )


@pytest.mark.parametrize("width", [1400, 390])
def test_list_view(page, server, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_deck(page, server)
    view = page.locator("#embedding_deck_view")
    view.click()
    assert view.get_attribute("aria-pressed") == "true"
    page.locator(".edeck-list-row").first.wait_for()
    assert len(rows(page)) == 12
    ng = page.locator(f'.edeck-list-row[data-path="{NG}"]')
    assert ng.locator(".edeck-col-vectors").inner_text() == "75"
    assert ng.locator(".edeck-col-arch").inner_text() == "SD1"
    height = ng.bounding_box()["height"]
    assert height <= 46  # dense: a card is 180+ px tall
    # a header sorts; again reverses; aria-sort says which
    vectors = page.locator('.edeck-list-head [role=columnheader][data-sort="vectors"]')
    vectors.locator("button").click()
    assert vectors.get_attribute("aria-sort") == "ascending"
    assert page.input_value("#embedding_deck_sort") == "vectors"
    vectors.locator("button").click()
    assert vectors.get_attribute("aria-sort") == "descending"
    assert rows(page)[0] == NG  # 75 vectors, the most
    # a click inserts the name into the negative prompt, as a card does
    ng.locator(".edeck-col-name").click()
    assert "ng_deepnegative_v1_75t" in page.evaluate("EDeck.caret.box('txt2img', 'neg').value")
    # arrows move down the list
    ng.focus()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("EDeck.host.activeElement().dataset.path")
    assert focused == rows(page)[1]
    # the choice is kept
    page.reload()
    show_tab(page, "Embeddings")
    page.locator(".edeck-list-row").first.wait_for()
    assert page.locator("#embedding_deck_view").get_attribute("aria-pressed") == "true"
    page.locator("#embedding_deck_view").click()
    page.locator(".edeck-card:not(.edeck-list-row)").first.wait_for()
    assert page.locator(".edeck-list-head").is_hidden()
