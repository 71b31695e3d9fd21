"""Make previews in the browser, on the stand-in WebUI that generates (compare_server.py):
Fill in ▾ → the settings panel once → progress and Cancel in the toast → cards gain their
"without | with" previews without a refresh → a summary with what was skipped and why.
The standalone page offers no such job (it cannot generate)."""

from __future__ import annotations

import os

from e2e_helpers import fill_item, fill_menu, neg, open_deck, pos, show_tab
from PIL import Image
from test_a11y import _check

NG = "ng_deepnegative_v1_75t.pt"
SD15 = "SD15/EasyNegative.safetensors"


def card(page, path):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def _settings(page, width="64"):
    panel = page.locator("#embedding_deck_compare")
    panel.wait_for(state="visible")
    steps = "#embedding_deck_compare [name=steps]"
    page.wait_for_function(f"() => EDeck.shadow.querySelector('{steps}').value !== ''")
    panel.locator("[name=seed]").fill("4242")
    panel.locator("[name=width]").fill(width)
    panel.locator("[name=height]").fill(width)
    return panel


def test_make_previews_for_the_bare_cards(page, compare_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_deck(page, compare_server)
    show_tab(page, "txt2img")
    pos(page).fill("a cat")
    neg(page).fill("lowres")
    show_tab(page, "Embeddings")
    assert card(page, NG).locator(".edeck-thumb img").count() == 0
    entry = fill_item(page, "embedding_deck_make_previews")
    assert entry.text_content() == "Make previews: 5 without one"
    entry.click()
    panel = _settings(page, "128")
    assert panel.locator("#embedding_deck_compare_title").text_content() == "Make previews"
    assert panel.locator("[name=weights]").is_hidden()
    chosen = panel.locator(".edeck-compare-chosen").text_content()
    assert chosen.startswith("A preview for each of 2 embeddings") and "SD1 checkpoint" in chosen
    assert "unaestheticXL.safetensors — An SDXL embedding: the loaded checkpoint is SD1" in chosen
    _check(page, "make previews panel", "#embedding_deck_host")
    run = panel.locator("[data-action=compare-run]")
    assert run.text_content() == "Make 2 previews"
    run.click()
    panel.wait_for(state="hidden")
    toast = page.locator(".edeck-toast")
    toast.filter(has_text="Previews: 1 of 2").wait_for()
    assert toast.locator("[data-lib=previews-cancel]").is_visible()
    toast.filter(has_text="Previews: made 2, skipped 3, failed 0.").wait_for(timeout=30000)
    card(page, NG).locator(".edeck-thumb img").wait_for()  # without a refresh
    card(page, SD15).locator(".edeck-thumb img").wait_for()
    preview = os.path.join(compare_server.folder, "ng_deepnegative_v1_75t.preview.png")
    with Image.open(preview) as img:
        assert img.size == (128, 128)
        assert img.getpixel((10, 100)) != img.getpixel((118, 100))  # without | with
    # the three left are ones the checkpoint cannot use: asking again says so, nothing runs
    again = fill_item(page, "embedding_deck_make_previews")
    assert again.text_content() == "Make previews: 3 without one"
    again.click()
    toast.filter(
        has_text="The loaded checkpoint can use none of the embeddings without a preview."
    ).wait_for()
    assert "refiner_only.safetensors — Its width fits no SD1, SD2 or SDXL model" in toast.text_content()
    assert page.locator("#embedding_deck_compare").is_hidden()


def test_a_reload_in_the_middle_finds_the_job_and_cancel_stops_it(page, slow_compare_server):
    srv = slow_compare_server
    open_deck(page, srv)
    fill_item(page, "embedding_deck_make_previews").click()
    _settings(page).locator("[data-action=compare-run]").click()
    toast = page.locator(".edeck-toast")
    toast.filter(has_text="Previews: 1 of 2 — ").wait_for()
    page.reload()  # the page finds the running job and follows it again
    show_tab(page, "Embeddings")
    toast.filter(has_text="Previews: 1 of 2 — ").wait_for()
    toast.locator("[data-lib=previews-cancel]").click()
    toast.filter(has_text="Previews: stopped after").wait_for(timeout=30000)
    assert "(Cancelled.)" in toast.text_content()
    status = srv.get("edeck/v1/previews/make")
    assert status["state"] == "cancelled" and status["made"] == 0
    assert len(srv.get("edeck/v1/previews/plan")["usable"]) == 2
    # the menu offers the job again (once the page's next status poll has seen the end)
    page.wait_for_function("() => !EDeck.shadow.querySelector('#embedding_deck_make_previews').hidden")
    assert fill_item(page, "embedding_deck_make_previews").text_content() == "Make previews: 5 without one"


def test_the_standalone_page_offers_no_generated_previews(page, server):
    open_deck(page, server)
    page.locator("#embedding_deck_fill").wait_for()
    menu = fill_menu(page)
    menu.locator("[data-item=embedding_deck_civitai_all]").wait_for()
    assert menu.locator("[data-item=embedding_deck_make_previews]").count() == 0
