"""Comparisons in the browser: the standalone page says why it cannot compare, and a
stand-in WebUI (tests/e2e/compare_server.py) runs 2 embeddings by 2 weights end to end:
selection, settings, progress, the labelled tiles, and a tile made a card's preview."""

from __future__ import annotations

import os

from e2e_helpers import neg, open_deck, pos, show_tab
from test_a11y import _check
from test_screenshots import _shot

NG = "ng_deepnegative_v1_75t.pt"
BH = "badhandv4.pt"


def card(page, path):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def wait_state(page, state):
    page.wait_for_function(
        "(s) => EDeck.shadow.querySelector('.edeck-compare-progress').dataset.state === s",
        arg=state,
        timeout=30000,
    )


def test_standalone_page_shows_compare_disabled_with_the_reason(page, server):
    open_deck(page, server)
    button = page.locator("#embedding_deck_compare_button")
    button.wait_for()
    why = "#embedding_deck_compare_why"
    reason = "need the WebUI"
    page.wait_for_function(f"() => EDeck.shadow.querySelector('{why}').textContent.includes('{reason}')")
    assert button.is_disabled()
    assert "need the WebUI" in button.get_attribute("title")
    assert page.locator("#embedding_deck_compare_why").is_visible()
    compare = card(page, NG).locator(".edeck-compare-card")
    assert compare.is_disabled()
    assert "need the WebUI" in compare.get_attribute("title")


def test_selection_by_keyboard_is_announced(page, compare_server):
    open_deck(page, compare_server)
    first = page.locator(".edeck-card").first
    first.focus()
    page.keyboard.press("Space")
    assert first.get_attribute("aria-selected") == "true"
    assert page.locator(".edeck-selcount").text_content() == "1 selected"
    assert page.locator("#embedding_deck_grid").get_attribute("aria-multiselectable") == "true"
    page.keyboard.press("Space")
    assert first.get_attribute("aria-selected") == "false"
    assert page.locator(".edeck-selcount").text_content() == ""


def test_two_embeddings_at_two_weights_end_to_end(page, compare_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_deck(page, compare_server)
    show_tab(page, "txt2img")
    pos(page).fill("a cat")
    neg(page).fill("lowres")
    show_tab(page, "Embeddings")
    card(page, NG).click(modifiers=["Control"])
    card(page, BH).click(modifiers=["Control"])
    assert card(page, NG).get_attribute("aria-selected") == "true"
    assert card(page, BH).get_attribute("aria-selected") == "true"
    assert neg(page).input_value() == "lowres"  # a Ctrl+click selects; it edits no prompt
    assert page.locator(".edeck-selcount").text_content() == "2 selected"
    _check(page, "tab with a selection", "#embedding_deck_host")

    page.locator("#embedding_deck_compare_button").click()
    panel = page.locator("#embedding_deck_compare")
    panel.wait_for(state="visible")
    page.wait_for_function(
        "() => EDeck.shadow.querySelector('#embedding_deck_compare [name=prompt]').value === 'a cat'"
    )
    assert panel.locator("[name=negative_prompt]").input_value() == "lowres"
    panel.locator("[name=seed]").fill("1234")
    panel.locator("[name=width]").fill("128")
    panel.locator("[name=height]").fill("128")
    panel.locator("[name=weights]").fill("0.8,1.2")
    panel.locator("[data-action=compare-run]").click()
    panel.locator("[data-action=compare-cancel]").wait_for(state="visible")
    wait_state(page, "done")
    assert panel.locator(".edeck-compare-progress-text").text_content() == "Done: 5 of 5"
    assert panel.locator("[data-action=compare-cancel]").is_hidden()

    tiles = panel.locator(".edeck-compare-tile")
    labels = [tiles.nth(i).get_attribute("data-label") for i in range(tiles.count())]
    assert labels == [
        "none",
        "ng_deepnegative_v1_75t 0.8",
        "ng_deepnegative_v1_75t 1.2",
        "badhandv4 0.8",
        "badhandv4 1.2",
    ]
    captions = [tiles.nth(i).locator("figcaption").get_attribute("title") for i in range(5)]
    assert captions[0] == "Prompt: a cat\nNegative prompt: lowres"
    assert captions[1] == "Prompt: a cat\nNegative prompt: lowres, (ng_deepnegative_v1_75t:0.8)"
    assert captions[4] == "Prompt: a cat\nNegative prompt: lowres, (badhandv4:1.2)"
    page.wait_for_function(
        """() => Array.from(EDeck.shadow.querySelectorAll('#embedding_deck_compare img'))
            .every(i => i.complete && i.naturalWidth > 0)"""
    )
    grid_width = page.evaluate("() => EDeck.shadow.querySelector('.edeck-compare-grid').naturalWidth")
    assert grid_width >= 5 * 128
    assert tiles.nth(0).locator("[data-action=compare-preview]").count() == 0  # "none" is no one's
    _shot(page, "compare.png")
    _check(page, "comparison panel", "#embedding_deck_host")

    assert card(page, NG).locator(".edeck-thumb img").count() == 0
    tiles.nth(2).locator("[data-action=compare-preview]").click()
    card(page, NG).locator(".edeck-thumb img").wait_for(timeout=10000)
    assert os.path.isfile(os.path.join(compare_server.folder, "ng_deepnegative_v1_75t.preview.png"))
    assert tiles.nth(2).locator("[data-action=compare-preview]").text_content() == "Preview made"
    outputs = os.path.join(os.path.dirname(compare_server.folder), "outputs", "embedding-deck")
    assert any(os.path.isfile(os.path.join(outputs, d, "grid.png")) for d in os.listdir(outputs))

    # the editor lists the last comparison and shows what the vectors resemble
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    card(page, NG).hover()
    card(page, NG).locator(".edeck-edit").click()
    editor = page.locator("#embedding_deck_modal")
    editor.wait_for(state="visible")
    editor.locator("[data-action=insight-last]").wait_for()
    assert "5 images" in editor.locator(".edeck-insight-last").text_content()
    editor.locator("[data-action=insight-nearest]").click()
    rows = editor.locator(".edeck-nearest-table tr[data-vector]")
    rows.first.wait_for()
    assert rows.count() == 75
    assert rows.first.locator("td").nth(2).text_content().count("token") == 5
    _check(page, "editor with nearest tokens", "#embedding_deck_host")


def test_cancel_stops_a_comparison(page, compare_server):
    open_deck(page, compare_server)
    card(page, NG).hover()
    card(page, NG).locator(".edeck-compare-card").click()
    panel = page.locator("#embedding_deck_compare")
    panel.wait_for(state="visible")
    steps = "#embedding_deck_compare [name=steps]"
    page.wait_for_function(f"() => EDeck.shadow.querySelector('{steps}').value !== ''")
    panel.locator("[name=width]").fill("64")
    panel.locator("[name=height]").fill("64")
    panel.locator("[name=weights]").fill("0.5, 0.75, 1, 1.25, 1.5, 2")  # 7 tiles, about 2 s
    panel.locator("[data-action=compare-run]").click()
    panel.locator("[data-action=compare-cancel]").click()
    wait_state(page, "cancelled")
    assert panel.locator(".edeck-modal-message").text_content() == "Cancelled."
    done = panel.locator(".edeck-compare-tile img").count()
    assert done < 7
    assert panel.locator("[data-action=compare-cancel]").is_hidden()


INFOTEXT = (
    "a dog, (masterpiece:1.1)\nNegative prompt: blurry, ng_deepnegative_v1_75t\n"
    "Steps: 12, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, Seed: 777, "
    "Size: 256x192, Model: realistic-v5"
)


def test_settings_come_from_the_last_image_of_the_target_tab(page, compare_server):
    open_deck(page, compare_server)
    # what the WebUI leaves after a generation: its hidden generation-info textbox
    page.evaluate(
        """(info) => {
            const box = document.createElement('div');
            box.id = 'generation_info_txt2img';
            box.hidden = true;
            const ta = document.createElement('textarea');
            ta.value = JSON.stringify({infotexts: [info], index_of_first_image: 0});
            box.appendChild(ta);
            document.body.appendChild(box);
        }""",
        INFOTEXT,
    )
    card(page, NG).hover()
    card(page, NG).locator(".edeck-compare-card").click()
    panel = page.locator("#embedding_deck_compare")
    steps = "#embedding_deck_compare [name=steps]"
    page.wait_for_function(f"() => EDeck.shadow.querySelector('{steps}').value === '12'")
    assert panel.locator(".edeck-compare-source").text_content() == (
        "Settings of the last image generated in txt2img."
    )
    assert panel.locator("[name=prompt]").input_value() == "a dog, (masterpiece:1.1)"
    assert panel.locator("[name=negative_prompt]").input_value() == "blurry, ng_deepnegative_v1_75t"
    values = [panel.locator(f"[name={n}]").input_value() for n in ("seed", "width", "height", "weights")]
    assert values == ["777", "256", "192", "1.0"]
    facts = panel.locator(".edeck-compare-facts").text_content()
    assert "DPM++ 2M Karras" in facts and "5.5" in facts and "realistic-v5" in facts
    panel.locator("[data-action=compare-close]").click()
    panel.wait_for(state="hidden")
