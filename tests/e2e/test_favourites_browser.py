"""Favourites in the browser: the ☆ on a card, `f` on a focused card, the card menu, and
★ Favourites filtering through the search's fav:yes; a reload keeps them."""

from __future__ import annotations

from e2e_helpers import card_paths, open_deck

NG = "ng_deepnegative_v1_75t.pt"
BH = "badhandv4.pt"


def card(page, path):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def test_star_key_menu_and_filter(page, fresh_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_deck(page, fresh_server)
    neg = page.evaluate("EDeck.caret.box('txt2img', 'neg').value")
    star = card(page, NG).locator(".edeck-fav")
    card(page, NG).hover()
    assert star.text_content() == "☆" and star.get_attribute("aria-pressed") == "false"
    # the round buttons' glyphs are white on their dark circles (the shadow root's
    # ":host button { color: inherit }" once made them dark on dark)
    for sel in (".edeck-fav", ".edeck-edit", ".edeck-add-positive", ".edeck-compare-card"):
        assert (
            card(page, NG).locator(sel).evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
        ), sel
    star.click()
    page.wait_for_function(f"""() => EDeck.shadow.querySelector('.edeck-card[data-path="{NG}"] .edeck-fav')
        .getAttribute('aria-pressed') === 'true'""")
    assert card(page, NG).locator(".edeck-fav").text_content() == "★"
    assert star.evaluate("e => getComputedStyle(e).color") == "rgb(250, 204, 21)"  # gold
    assert page.evaluate("EDeck.caret.box('txt2img', 'neg').value") == neg  # the star inserted nothing
    # `f` on a focused card
    card(page, BH).focus()
    page.keyboard.press("f")
    page.wait_for_function(f"""() => EDeck.shadow.querySelector('.edeck-card[data-path="{BH}"] .edeck-fav')
        .getAttribute('aria-pressed') === 'true'""")
    # ★ Favourites = fav:yes in the search, said under the toolbar
    page.locator("#embedding_deck_fav_filter").click()
    assert page.input_value("#embedding_deck_search") == "fav:yes"
    assert page.locator("#embedding_deck_fav_filter").get_attribute("aria-pressed") == "true"
    assert sorted(card_paths(page)) == [BH, NG]
    assert page.locator("#embedding_deck_query_said").inner_text() == "Searching: a favourite"
    assert page.locator("#embedding_deck_fav_filter").get_attribute("aria-label") == "Favourites"
    # the card menu takes one away; the filtered view drops it
    card(page, BH).click(button="right")
    page.locator(".edeck-menu [data-item=favourite]").click()
    page.wait_for_function(
        "() => EDeck.shadow.querySelectorAll('#embedding_deck_grid .edeck-card').length === 1"
    )
    assert card_paths(page) == [NG]
    # a reload keeps them (the server's store)
    page.reload()
    page.locator("#tabs button", has_text="Embeddings").first.click()
    page.locator(f'.edeck-card[data-path="{NG}"]').wait_for()
    assert card_paths(page) == [NG]  # the search box kept fav:yes
    page.locator("#embedding_deck_fav_filter").click()
    assert page.input_value("#embedding_deck_search") == ""
    assert len(card_paths(page)) > 1
    assert page.locator("#embedding_deck_fav_filter").get_attribute("aria-pressed") == "false"
