"""The tab in a real browser against the real standalone server: cards, badges, search,
sort, tree, compatibility, refresh and persistence."""

from __future__ import annotations

import os

import factories as f
import pytest
from e2e_helpers import card_paths, open_deck

from embedding_deck.entry import Entry
from embedding_deck.query import Query


def _expected(server, **query) -> list[str]:
    rows = server.get("edeck/v1/grid")["entries"]
    entries = [
        Entry(
            name=r["name"],
            path=r["path"],
            folder=r["folder"],
            format=r["format"],
            size=r["size"],
            vectors=r["vectors"],
            created=r["created"],
            modified=r["modified"],
            metadata={"description": r["description"], "notes": r["notes"], "tags": r.get("tags", [])},
            arch=r["arch"],
        )
        for r in rows
    ]
    return [e.path for e in Query(**query).run(entries)]


def test_cards_show_badges_and_errors(page, server):
    open_deck(page, server)
    status = page.locator("#embedding_deck_status")
    assert status.get_attribute("data-total") == "12"
    assert status.inner_text() == "12 embeddings"
    easy = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    assert easy.get_attribute("data-name") == "EasyNegative"
    assert (easy.get_attribute("data-arch"), easy.get_attribute("data-vectors")) == ("SD1", "8")
    assert easy.locator(".edeck-warn").count() == 1  # collides with SD15/EasyNegative
    # only the rows in view exist: no lazy loading (it costs intersection work every frame)
    img = easy.locator("img")
    assert (img.get_attribute("loading"), img.get_attribute("decoding")) == (None, "async")
    ng = page.locator('.edeck-card[data-path="ng_deepnegative_v1_75t.pt"]')
    assert ng.get_attribute("data-vectors") == "75"
    xl = page.locator('.edeck-card[data-path="SDXL/negativeXL_D.safetensors"]')
    assert xl.get_attribute("data-arch") == "SDXL"
    broken = page.locator('.edeck-card[data-path="broken/truncated.safetensors"]')
    assert "truncated" in broken.locator(".edeck-error-text").inner_text()
    img = page.locator('.edeck-card[data-path="bad_prompt_version2.png"]')
    assert img.get_attribute("data-name") == "bad_prompt_version2"


def test_thumbnail_revalidates_with_etag(page, server):
    open_deck(page, server)
    src = page.locator('.edeck-card[data-path="EasyNegative.safetensors"] img').get_attribute("src")
    first = page.request.get(server.url + src.lstrip("./"))
    assert first.status == 200 and first.headers["content-type"] == "image/webp"
    tag = first.headers["etag"]
    again = page.request.get(server.url + src.lstrip("./"), headers={"If-None-Match": tag})
    assert again.status == 304


def test_search_as_you_type(page, server):
    open_deck(page, server)
    search = page.locator("#embedding_deck_search")
    search.press_sequentially("easy")
    assert sorted(card_paths(page)) == ["EasyNegative.safetensors", "SD15/EasyNegative.safetensors"]
    assert page.locator("#embedding_deck_status").inner_text() == "2 of 12 embeddings"
    search.fill("hands negative")  # description words, all terms must match
    assert card_paths(page) == ["badhandv4.pt"]
    search.fill("classic")  # description of EasyNegative (X.json)
    assert card_paths(page) == ["EasyNegative.safetensors"]
    search.fill("sdxl/")
    assert card_paths(page) == _expected(server, text="sdxl/")


def test_query_syntax_filters_and_says_what_it_understood(page, server):
    open_deck(page, server)
    search = page.locator("#embedding_deck_search")
    hint = page.locator("#embedding_deck_query_said")
    search.fill("easy")
    assert hint.inner_text() == 'Searching: "easy"'  # a query: what it is, and Save search
    assert page.locator("#embedding_deck_save_search").is_visible()
    search.fill("arch:sdxl -name:unaesthetic")
    assert card_paths(page) == ["SDXL/negativeXL_D.safetensors"]
    assert hint.inner_text() == 'Searching: SD version is SDXL AND NOT name contains "unaesthetic"'
    assert card_paths(page) == _expected(server, text="arch:sdxl -name:unaesthetic")
    search.fill('"classic" OR vectors:>50')  # EasyNegative's description, ng_deepnegative's 75
    assert card_paths(page) == _expected(server, text='"classic" OR vectors:>50')
    assert sorted(card_paths(page)) == ["EasyNegative.safetensors", "ng_deepnegative_v1_75t.pt"]
    search.fill("vectors:many folder:SD15")  # malformed: the rest still applies, and it says so
    assert card_paths(page) == ["SD15/EasyNegative.safetensors"]
    assert "vectors: takes a number such as 8" in hint.inner_text()
    assert "in folder" in hint.inner_text()
    search.fill("")
    assert hint.is_hidden()
    assert "exact phrase" in search.get_attribute("title")


@pytest.mark.parametrize("key", ["path", "name", "created", "modified", "size", "vectors"])
def test_every_sort_key_and_direction(page, server, key):
    open_deck(page, server)
    page.select_option("#embedding_deck_sort", key)
    assert card_paths(page) == _expected(server, sort=key)
    page.click("#embedding_deck_sort_dir")
    assert page.get_attribute("#embedding_deck_sort_dir", "data-desc") == "true"
    assert card_paths(page) == _expected(server, sort=key, descending=True)


def test_tree_filters_by_folder(page, server):
    open_deck(page, server)
    page.click("#embedding_deck_tree_toggle")
    tree = page.locator("#embedding_deck_tree")
    assert tree.is_visible()
    assert tree.locator('[data-folder="SDXL"] .edeck-count').inner_text() == "2"
    assert tree.locator('[data-folder=""] .edeck-count').inner_text() == "12"
    tree.locator('[data-folder="SDXL"]').click()
    assert sorted(card_paths(page)) == ["SDXL/negativeXL_D.safetensors", "SDXL/unaestheticXL.safetensors"]
    tree.locator('[data-folder="SDXL"]').click()  # clicking the selected folder clears it
    assert len(card_paths(page)) == 12


def test_tree_and_path_sort_share_one_natural_order(page, server):
    open_deck(page, server)
    # every card rendered (the first paint can come before the grid has its width)
    rendered = "() => EDeck.shadow.querySelectorAll('#embedding_deck_grid .edeck-card').length === 12"
    page.wait_for_function(rendered)
    folders_in_grid: list[str] = []
    for path in card_paths(page):
        top = path.split("/")[0] if "/" in path else None
        if top and top not in folders_in_grid:
            folders_in_grid.append(top)
    page.click("#embedding_deck_tree_toggle")
    nodes = page.locator("#embedding_deck_tree .edeck-tree-node")
    in_tree = [f for f in nodes.evaluate_all("ns => ns.map(n => n.dataset.folder)") if f and "/" not in f]
    assert in_tree == folders_in_grid == ["broken", "SD2", "SD15", "SDXL", "styles"]


def test_incompatible_cards_greyed_and_hidden(page, fresh_server):
    server = fresh_server  # switches the server's model family
    open_deck(page, server)
    xl = page.locator('.edeck-card[data-path="SDXL/negativeXL_D.safetensors"]')
    assert "edeck-incompatible" in xl.get_attribute("class")
    assert "loaded checkpoint is SD1" in xl.locator(".edeck-why").inner_text()
    easy = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    assert "edeck-incompatible" not in easy.get_attribute("class")
    page.check("#embedding_deck_hide_incompatible")
    paths = card_paths(page)
    assert "SDXL/negativeXL_D.safetensors" not in paths and "EasyNegative.safetensors" in paths
    page.uncheck("#embedding_deck_hide_incompatible")
    page.locator("#tabs button", has_text="txt2img").first.click()
    page.locator("#embedding_deck_family label", has_text="SDXL").click()
    page.locator("#tabs button", has_text="Embeddings").first.click()
    page.wait_for_function(
        """() => { const c = EDeck.shadow.querySelector('.edeck-card[data-path="EasyNegative.safetensors"]');
                   return !!c && c.classList.contains('edeck-incompatible'); }"""
    )
    assert "edeck-incompatible" not in xl.get_attribute("class")


def test_refresh_picks_up_new_and_deleted_files(page, fresh_server):
    server, library = fresh_server, fresh_server.folder
    open_deck(page, server)
    page.fill("#embedding_deck_search", "neg")
    before = card_paths(page)
    f.write_safetensors(os.path.join(library, "new_negative.safetensors"), {"emb_params": (3, 768)})
    os.unlink(os.path.join(library, "badhandv4.pt"))
    page.click("#embedding_deck_refresh")
    page.wait_for_function(
        "() => EDeck.shadow.querySelector('#embedding_deck_status').dataset.total === '12'"
    )
    page.wait_for_selector('.edeck-card[data-path="new_negative.safetensors"]')
    after = card_paths(page)
    assert "new_negative.safetensors" in after and "badhandv4.pt" not in after
    assert page.input_value("#embedding_deck_search") == "neg"  # filter kept
    assert set(after) - set(before) == {"new_negative.safetensors"}


def test_state_survives_reload(page, server):
    open_deck(page, server)
    page.select_option("#embedding_deck_sort", "vectors")
    page.click("#embedding_deck_sort_dir")
    page.click("#embedding_deck_tree_toggle")
    page.locator('#embedding_deck_tree [data-folder="SDXL"]').click()
    page.fill("#embedding_deck_search", "xl")
    page.reload()
    page.locator("#tabs button", has_text="Embeddings").first.click()
    page.wait_for_selector(".edeck-card")
    assert page.input_value("#embedding_deck_sort") == "vectors"
    assert page.get_attribute("#embedding_deck_sort_dir", "data-desc") == "true"
    assert page.locator("#embedding_deck_tree").is_visible()
    assert page.input_value("#embedding_deck_search") == "xl"
    assert card_paths(page) == _expected(server, text="xl", folder="SDXL", sort="vectors", descending=True)


def test_slash_focuses_search_and_enter_acts_on_card(page, server):
    open_deck(page, server)
    page.locator("body").press("/")
    assert page.evaluate("EDeck.host.activeElement().id") == "embedding_deck_search"
    page.evaluate("""() => { window.__clicks = [];
        EDeck.hooks.cardClick.push((action, e) => window.__clicks.push(action + ':' + e.path)); }""")
    page.locator('.edeck-card[data-path="badhandv4.pt"]').focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.__clicks") == ["click:badhandv4.pt"]


def test_family_follows_the_host_by_polling(page, server):
    """In the WebUI the family comes from the loaded checkpoint; the tab asks the server
    every few seconds, so a checkpoint switch re-greys the cards by itself."""
    open_deck(page, server)
    page.evaluate("() => { EDeck.deck.hostName = 'a1111'; EDeck.deck.setFamily('SDXL'); }")
    easy = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    assert "edeck-incompatible" in easy.get_attribute("class")
    page.wait_for_function(
        """() => { const c = EDeck.shadow.querySelector('.edeck-card[data-path="EasyNegative.safetensors"]');
                   return !!c && !c.classList.contains('edeck-incompatible'); }""",
        timeout=10000,
    )
    assert page.evaluate("EDeck.deck.family") == "SD1"


def test_dot_folders_show_when_searched(page, fresh_server):
    """As the WebUI's default "hidden models: when searched": listed, counted, but shown
    only for a search of 4+ characters or when the dot-folder itself is opened."""
    folder = os.path.join(fresh_server.folder, ".trash")
    os.makedirs(folder)
    f.write_safetensors(os.path.join(folder, "old_negative.safetensors"), {"emb": (2, 768)})
    open_deck(page, fresh_server)
    page.click("#embedding_deck_refresh")
    page.wait_for_function(
        "() => EDeck.shadow.querySelector('#embedding_deck_status').dataset.total === '13'"
    )
    assert ".trash/old_negative.safetensors" not in card_paths(page)
    page.fill("#embedding_deck_search", "old")
    assert card_paths(page) == []
    page.fill("#embedding_deck_search", "old_")
    assert card_paths(page) == [".trash/old_negative.safetensors"]
    page.fill("#embedding_deck_search", "")
    page.click("#embedding_deck_tree_toggle")
    page.locator('#embedding_deck_tree [data-folder=".trash"]').click()
    assert card_paths(page) == [".trash/old_negative.safetensors"]
