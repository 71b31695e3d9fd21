"""Prompt editing in a real browser: card click at the caret in the negative prompt,
toggle off, Shift+click, Ctrl+Up/Down (once per key, even with a host-style handler),
undo, the drawer — and the server-side report proving gradio saw every change."""

from __future__ import annotations

import pytest
from e2e_helpers import add_asset, neg, open_deck, pos, show_tab, wait_report


def _set_caret(page, locator, text: str, caret: int) -> None:
    locator.click()
    locator.fill(text)
    locator.evaluate("(ta, c) => { ta.focus(); ta.setSelectionRange(c, c); }", caret)
    locator.dispatch_event("keyup")


def _card(page, path: str):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def _click_from_deck(page, path: str, back: str = "txt2img") -> None:
    """Go to the Embeddings tab, click a card there, come back to the prompts."""
    show_tab(page, "Embeddings")
    _card(page, path).click()
    show_tab(page, back)


def test_click_inserts_at_caret_then_second_click_removes(page, server):
    open_deck(page, server)
    show_tab(page, "txt2img")
    _set_caret(page, neg(page), "a cat, dog", 5)
    _click_from_deck(page, "badhandv4.pt")
    assert neg(page).input_value() == "a cat, badhandv4, dog"
    assert pos(page).input_value() == ""
    wait_report(page, [("negative", "badhandv4", "1")])
    show_tab(page, "Embeddings")
    assert _card(page, "badhandv4.pt").get_attribute("data-in-prompt") == "−"
    _card(page, "badhandv4.pt").click()
    show_tab(page, "txt2img")
    assert neg(page).input_value() == "a cat, dog"
    wait_report(page, [])


def test_shift_click_and_plus_button_go_to_positive(page, server):
    open_deck(page, server)
    _card(page, "ng_deepnegative_v1_75t.pt").click(modifiers=["Shift"])
    _card(page, "badhandv4.pt").hover()
    _card(page, "badhandv4.pt").locator("[data-action=positive]").click()
    show_tab(page, "txt2img")
    assert pos(page).input_value() == "ng_deepnegative_v1_75t, badhandv4"
    assert neg(page).input_value() == ""
    wait_report(page, [("positive", "ng_deepnegative_v1_75t", "1"), ("positive", "badhandv4", "1")])


def test_weighted_entry_removed_and_near_miss_untouched(page, server):
    open_deck(page, server)
    show_tab(page, "txt2img")
    _set_caret(page, neg(page), "EasyNegativeV2, (badhandv4:1.2)", 0)
    _click_from_deck(page, "badhandv4.pt")
    assert neg(page).input_value() == "EasyNegativeV2"


def test_ctrl_arrows_three_up_three_down_and_undo(page, server):
    add_asset(page, "builtin_keys.js")  # a host-style handler listening as well
    open_deck(page, server)
    show_tab(page, "txt2img")
    box = neg(page)
    _set_caret(page, box, "a cat, EasyNegative", 10)
    for expected in ("a cat, (EasyNegative:1.1)", "a cat, (EasyNegative:1.2)", "a cat, (EasyNegative:1.3)"):
        box.press("Control+ArrowUp")
        assert box.input_value() == expected
    wait_report(page, [("negative", "EasyNegative", "1.3")])
    for _ in range(3):
        box.press("Control+ArrowDown")
    assert box.input_value() == "a cat, EasyNegative"
    assert page.evaluate("window.__builtinFired") == 0  # exactly one handler acted per key
    wait_report(page, [("negative", "EasyNegative", "1")])
    box.press("Control+ArrowUp")
    assert box.input_value() == "a cat, (EasyNegative:1.1)"
    box.press("Control+z")
    assert box.input_value() == "a cat, EasyNegative"
    wait_report(page, [("negative", "EasyNegative", "1")])


def test_setting_hands_keys_back_to_the_builtin_handler(page, server):
    page.add_init_script("window.__testOpts = {edeck_own_weight_keys: false};")
    add_asset(page, "host_globals.js")
    add_asset(page, "builtin_keys.js")
    open_deck(page, server)
    show_tab(page, "txt2img")
    box = neg(page)
    _set_caret(page, box, "cat", 1)
    box.press("Control+ArrowUp")
    assert page.evaluate("window.__builtinFired") == 1
    assert box.input_value() == "(cat:1.1)"


def test_undo_of_a_card_click_made_from_the_deck_tab(page, server):
    open_deck(page, server)
    show_tab(page, "txt2img")
    _set_caret(page, neg(page), "a cat", 5)
    _click_from_deck(page, "EasyNegative.safetensors")
    box = neg(page)
    assert box.input_value() == "a cat, EasyNegative"
    box.focus()
    box.press("Control+z")
    assert box.input_value() == "a cat"
    wait_report(page, [])


def test_undo_walks_back_through_tab_clicks_ctrl_up_and_typing(page, server):
    """Card clicks made from the Embeddings tab join the browser's undo stack: they keep the
    user's own history (typing, Ctrl+Up) below them instead of wiping it."""
    open_deck(page, server)
    show_tab(page, "txt2img")
    box = neg(page)
    box.click()
    page.keyboard.type("lowres, bad anatomy")
    box.press("Control+ArrowUp")
    typed = "lowres, bad (anatomy:1.1)"
    assert box.input_value() == typed
    show_tab(page, "Embeddings")
    _card(page, "badhandv4.pt").click()
    _card(page, "EasyNegative.safetensors").click()
    assert page.evaluate("EDeck.host.activeElement().dataset.path") == "EasyNegative.safetensors"
    show_tab(page, "txt2img")
    assert box.input_value() == typed + ", badhandv4, EasyNegative"
    box.focus()
    box.press("Control+z")
    assert box.input_value() == typed + ", badhandv4"
    wait_report(page, [("negative", "badhandv4", "1")])
    box.press("Control+z")
    assert box.input_value() == typed
    box.press("Control+z")
    assert box.input_value() == "lowres, bad anatomy"
    # The user's own typing is still there to undo. How many steps it takes is the browser's
    # choice (Chromium may split fast typing into several groups), so undo until it is gone.
    seen = [box.input_value()]
    while seen[-1] and len(seen) < 20:
        box.press("Control+z")
        seen.append(box.input_value())
    assert seen[-1] == "", seen
    assert all("lowres, bad anatomy".startswith(text) for text in seen), seen
    wait_report(page, [])


@pytest.mark.parametrize("tab", ["txt2img", "img2img"])
def test_drawer_beside_the_negative_prompt(page, server, tab):
    open_deck(page, server)
    show_tab(page, tab)
    _set_caret(page, neg(page, tab), "ugly, blurry", 5)
    page.click(f"#embedding_deck_drawer_{tab}")
    drawer = page.locator("#embedding_deck_drawer")
    assert drawer.is_visible()
    drawer.locator('.edeck-card[data-path="badhandv4.pt"]').click()
    assert neg(page, tab).input_value() == "ugly, badhandv4, blurry"
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    report = "embedding_deck_prompt_report" + ("" if tab == "txt2img" else "_img2img")
    wait_report(page, [("negative", "badhandv4", "1")], report)
    # the deck went back to its tab and still works there
    show_tab(page, "Embeddings")
    assert _card(page, "badhandv4.pt").is_visible()


def test_host_globals_are_used_when_present(page, server):
    add_asset(page, "host_globals.js")
    open_deck(page, server)
    _card(page, "badhandv4.pt").click()
    calls = page.evaluate("window.__hostCalls")
    assert calls["gradioApp"] > 0 and calls["onUiLoaded"] > 0 and calls["updateInput"] > 0
    show_tab(page, "txt2img")
    assert neg(page).input_value() == "badhandv4"
    wait_report(page, [("negative", "badhandv4", "1")])


def test_webui_weight_settings_are_honoured(page, server):
    page.add_init_script(
        "window.__testOpts = {keyedit_precision_attention: 0.05, keyedit_precision_extra: 0.1,"
        " extra_networks_add_text_separator: '; '};"
    )
    add_asset(page, "host_globals.js")
    open_deck(page, server)
    show_tab(page, "txt2img")
    box = neg(page)
    _set_caret(page, box, "cat, <lora:x:0.5>", 1)
    box.press("Control+ArrowUp")
    assert box.input_value() == "(cat:1.05), <lora:x:0.5>"
    box.evaluate("ta => ta.setSelectionRange(14, 14)")
    box.press("Control+ArrowUp")
    assert box.input_value() == "(cat:1.05), <lora:x:0.6>"
    # the WebUI's extra-networks separator, changed from its default, is used between names
    box.evaluate("ta => { ta.setSelectionRange(ta.value.length, ta.value.length); }")
    box.dispatch_event("keyup")
    _click_from_deck(page, "badhandv4.pt")
    assert box.input_value() == "(cat:1.05), <lora:x:0.6>; badhandv4"
