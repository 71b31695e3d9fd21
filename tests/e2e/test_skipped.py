"""Embeddings the WebUI skips: a click still inserts them, and says that the WebUI skips
them; the prompt report does not count them. Verdicts are about the host the user runs:
on Forge a .pt that only A1111 refuses gets no "!" badge, and the editor keeps the verdict
among its facts."""

from __future__ import annotations

from e2e_helpers import neg, open_deck, show_tab, wait_report

NEW_PT = "styles/cat-toy.bin"  # torch >= 2.2 zip entries: A1111 1.10 refuses it


def _card(page, path: str):
    return page.locator(f'.edeck-card[data-path="{path}"]')


def test_click_on_a_skipped_card_inserts_and_says_so(page, server):
    open_deck(page, server)  # the standalone page stands in for A1111 with an SD1 checkpoint
    message = page.locator("#embedding_deck_message")
    _card(page, "SDXL/negativeXL_D.safetensors").click()
    message.wait_for(state="visible")
    assert "negativeXL_D is in the prompt, but the WebUI skips it" in message.inner_text()
    assert "SDXL" in message.inner_text()
    refused = _card(page, NEW_PT)
    name = refused.get_attribute("data-name")
    assert "edeck-incompatible" in refused.get_attribute("class")
    assert refused.locator(".edeck-note").count() == 1  # A1111's verdict is this host's
    refused.click()
    page.wait_for_function(
        "(n) => EDeck.shadow.querySelector('#embedding_deck_message').textContent.includes(n + ' is in')",
        arg=name,
    )
    assert "A1111 1.10 refuses this file" in message.inner_text()
    _card(page, "EasyNegative.safetensors").click()  # a usable one: no message
    assert not message.is_visible()
    show_tab(page, "txt2img")
    assert neg(page).input_value() == f"negativeXL_D, {name}, EasyNegative"
    wait_report(
        page, [("negative", "negativeXL_D", "1"), ("negative", name, "1"), ("negative", "EasyNegative", "1")]
    )
    report = page.locator("#embedding_deck_prompt_report .edeck-report")
    skipped = page.locator("#embedding_deck_prompt_report tr[data-skipped='1']")
    assert skipped.count() == 2
    easy = _card_vectors(page, "EasyNegative.safetensors")
    assert report.get_attribute("data-total-vectors") == str(easy)


def _card_vectors(page, path: str) -> int:
    return int(page.evaluate("(p) => EDeck.deck.byPath.get(p).vectors", path))


def test_on_forge_a1111_only_verdicts_are_facts_not_badges(page, forge_server):
    open_deck(page, forge_server)
    card = _card(page, NEW_PT)
    assert card.locator(".edeck-note").count() == 0
    assert "edeck-incompatible" not in card.get_attribute("class")
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    page.wait_for_function(
        "(p) => EDeck.modal.current() && EDeck.modal.current().entry.path === p", arg=NEW_PT
    )
    other = modal.locator("td[data-fact='Other WebUIs']")
    assert other.count() == 1 and "Forge loads it" in other.inner_text()
    assert modal.locator("td[data-fact='Warning']").count() == 0
