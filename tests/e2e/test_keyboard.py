"""The deck by keyboard in a real browser: Esc is ours while the drawer or the editor is
open (the WebUI's own Esc → Interrupt handler must never see it), and the grid and tree
follow the WAI-ARIA patterns."""

from __future__ import annotations

from e2e_helpers import add_asset, neg, open_deck, show_tab


def _interrupts(page) -> int:
    return page.evaluate("window.__interrupts")


def test_esc_in_drawer_and_editor_never_reaches_the_host_interrupt(page, server):
    add_asset(page, "host_esc.js")  # a listener shaped like script.js's Esc → Interrupt
    open_deck(page, server)
    show_tab(page, "txt2img")
    neg(page).click()
    page.keyboard.press("Escape")
    assert _interrupts(page) == 1  # the stand-in does see an Esc that is not ours
    drawer = page.locator("#embedding_deck_drawer")
    # Esc with the focus in the drawer's search box
    page.click("#embedding_deck_drawer_txt2img")
    assert drawer.is_visible()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    assert _interrupts(page) == 1
    # Esc with the focus back in the prompt box the drawer edits
    page.click("#embedding_deck_drawer_txt2img")
    neg(page).focus()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    assert _interrupts(page) == 1
    # the editor over the drawer: the first Esc closes the editor only, the second the drawer
    page.click("#embedding_deck_drawer_txt2img")
    card = drawer.locator('.edeck-card[data-path="badhandv4.pt"]')
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not modal.is_visible() and drawer.is_visible()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    assert _interrupts(page) == 1


def test_esc_in_the_editor_from_the_tab_is_consumed(page, server):
    add_asset(page, "host_esc.js")
    open_deck(page, server)
    card = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not modal.is_visible()
    assert _interrupts(page) == 0
