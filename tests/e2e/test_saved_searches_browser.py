"""Saved searches in the browser: Save search names the query and sort, the tree lists it
above the folders with a count that follows the library, a click runs it, its forget button forgets it."""

from __future__ import annotations

from e2e_helpers import card_paths, open_deck

XL = ["SDXL/negativeXL_D.safetensors", "SDXL/unaestheticXL.safetensors"]


def test_save_run_count_and_forget(page, fresh_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_deck(page, fresh_server)
    save = page.locator("#embedding_deck_save_search")
    assert save.is_hidden()  # nothing to save without a query
    page.fill("#embedding_deck_search", "arch:sdxl")
    page.select_option("#embedding_deck_sort", "vectors")
    save.click()
    name = page.locator(".edeck-search-name")
    assert name.input_value() == "arch:sdxl"
    name.fill("SDXL only")
    page.locator("[data-lib=search-save]").click()
    page.locator(".edeck-toast", has_text="Saved the search SDXL only").wait_for()
    node = page.locator('#embedding_deck_tree [data-search="SDXL only"]')
    node.wait_for()  # the tree opened to show it
    assert node.locator(".edeck-count").text_content() == "2"
    assert node.get_attribute("aria-selected") == "true"  # it is the query now
    # elsewhere, then back with a click: query, sort and direction come back
    page.fill("#embedding_deck_search", "")
    page.select_option("#embedding_deck_sort", "path")
    assert node.get_attribute("aria-selected") == "false"
    node.click()
    assert page.input_value("#embedding_deck_search") == "arch:sdxl"
    assert page.input_value("#embedding_deck_sort") == "vectors"
    assert sorted(card_paths(page)) == XL
    # counts follow the library live: a saved fav:yes gains a card when one is starred
    page.fill("#embedding_deck_search", "fav:yes")
    save.click()
    name.fill("Favs")
    page.locator("[data-lib=search-save]").click()
    favs = page.locator('#embedding_deck_tree [data-search="Favs"]')
    favs.wait_for()
    assert favs.locator(".edeck-count").text_content() == "0"
    page.fill("#embedding_deck_search", "")
    ng = page.locator('.edeck-card[data-path="ng_deepnegative_v1_75t.pt"]')
    ng.hover()
    ng.locator(".edeck-fav").click()
    page.wait_for_function(
        """() => EDeck.shadow.querySelector('#embedding_deck_tree [data-search="Favs"] .edeck-count')
            .textContent === '1'"""
    )
    page.locator('#embedding_deck_tree [data-search="Favs"]').hover()
    page.locator('#embedding_deck_tree [data-search="Favs"] [data-action=forget]').click()
    # a reload lists it again (kept by the server), and × forgets it
    page.reload()
    page.locator("#tabs button", has_text="Embeddings").first.click()
    node.wait_for()
    assert node.locator(".edeck-count").text_content() == "2"
    node.hover()
    node.locator("[data-action=forget]").click()
    node.wait_for(state="detached")
    assert fresh_server.get("edeck/v1/searches") == {"searches": []}
