"""Find on Civitai in the browser, against a local fake Civitai (tests/fake_civitai.py)."""

from __future__ import annotations

import hashlib
import os

import pytest
from conftest import _running
from e2e_helpers import fill_item, fill_menu, show_tab
from fake_civitai import FakeCivitai, model_record, version_record


@pytest.fixture
def civitai_server(tmp_path):
    fake = FakeCivitai()
    with _running(str(tmp_path), ("--civitai-url", fake.url)) as srv:
        srv.fake = fake
        yield srv
    fake.close()


def _publish(srv, rel: str, **over) -> None:
    with open(os.path.join(srv.folder, rel), "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    srv.fake.records[sha.upper()] = version_record(sha, srv.fake.url, **over)
    srv.fake.models[7808] = model_record()


def _edit(page, name: str) -> None:
    card = page.locator(".edeck-card", has_text=name).first
    card.hover()
    card.locator(".edeck-edit").click()
    page.wait_for_selector("#embedding_deck_modal:visible")


def test_find_on_civitai_fills_the_editor_and_the_card(page, civitai_server):
    _publish(civitai_server, "ng_deepnegative_v1_75t.pt")
    page.goto(civitai_server.url)
    show_tab(page, "Embeddings")
    card = page.locator(".edeck-card", has_text="ng_deepnegative_v1_75t").first
    card.wait_for()
    assert card.locator(".edeck-thumb img").count() == 0  # a bare card
    _edit(page, "ng_deepnegative_v1_75t")
    page.locator("[data-action=civitai]").click()
    msg = page.locator(".edeck-modal-message")
    msg.filter(has_text="Found on Civitai").wait_for()
    assert "Filled: description, activation text." in msg.inner_text()
    assert "Saved a preview." in msg.inner_text()
    description = page.locator("#embedding_deck_modal textarea[name=description]").input_value()
    assert description == "Use it in the negative prompt.\n\n• SD 1.5"
    assert page.locator("#embedding_deck_modal [name='activation text']").input_value() == "easynegative"
    fact = page.locator("#embedding_deck_modal td[data-fact=Civitai]")
    assert fact.inner_text() == "EasyNegative — EasyNegative (rqdwdw) Open on Civitai"
    assert page.locator("#embedding_deck_modal td[data-fact='Base model']").inner_text() == "SD 1.5"
    assert page.locator("#embedding_deck_modal td[data-fact='Trained words']").inner_text() == "easynegative"
    link = page.locator("#embedding_deck_modal td[data-fact=Civitai] a")
    assert link.get_attribute("href") == f"{civitai_server.fake.url}/models/7808?modelVersionId=9208"
    assert link.get_attribute("rel") == "noopener noreferrer"
    page.locator("#embedding_deck_modal .edeck-word", has_text="easynegative").click()  # a trained word
    assert page.evaluate("EDeck.caret.box('txt2img', 'neg').value") == "easynegative"
    page.keyboard.press("Escape")
    card.locator(".edeck-thumb img").wait_for()  # the card got its preview at once
    assert os.path.exists(os.path.join(civitai_server.folder, "ng_deepnegative_v1_75t.civitai.info"))


def test_a_file_civitai_does_not_know_offers_look_again(page, civitai_server):
    page.goto(civitai_server.url)
    show_tab(page, "Embeddings")
    page.locator(".edeck-card", has_text="badhandv4").first.wait_for()
    _edit(page, "badhandv4")
    again = page.locator("[data-action=civitai-again]")
    assert again.is_hidden()
    page.locator("[data-action=civitai]").click()
    page.locator(".edeck-modal-message", has_text="Civitai does not know this file.").wait_for()
    assert again.is_visible()
    _publish(civitai_server, "badhandv4.pt", baseModel="SDXL 1.0")
    newest = [{"id": 10001, "name": "v2.0"}, {"id": 9208, "name": "EasyNegative"}]
    civitai_server.fake.models[7808] = model_record(modelVersions=newest)
    again.click()
    page.locator(".edeck-modal-message", has_text="Found on Civitai").wait_for()
    assert again.is_hidden()
    # Civitai says SDXL, the file's own width says SD1: the editor shows the disagreement
    base = page.locator("#embedding_deck_modal td[data-fact='Base model']").inner_text()
    assert base == "SDXL 1.0 ⚠ the file itself is SD1"
    newer = page.locator("#embedding_deck_modal td[data-fact='Newer version']").inner_text()
    assert newer == "Newer version available: v2.0"
    page.keyboard.press("Escape")
    card = page.locator(".edeck-card", has_text="badhandv4").first
    assert card.locator(".edeck-newer").inner_text() == "⬆ new"


@pytest.fixture
def quick_civitai_server(tmp_path, monkeypatch):
    monkeypatch.setenv("EDECK_CIVITAI_PAUSE", "0.05")
    fake = FakeCivitai()
    with _running(str(tmp_path), ("--civitai-url", fake.url)) as srv:
        srv.fake = fake
        yield srv
    fake.close()


def test_bulk_lookup_shows_progress_updates_cards_and_sums_up(page, quick_civitai_server):
    srv = quick_civitai_server
    _publish(srv, "ng_deepnegative_v1_75t.pt")
    _publish(srv, "badhandv4.pt")
    page.goto(srv.url)
    show_tab(page, "Embeddings")
    page.locator("#embedding_deck_fill").wait_for()
    bulk = fill_item(page, "embedding_deck_civitai_all")
    assert bulk.text_content() == "Find on Civitai: 11 without info"  # the broken file is not asked
    bulk.click()
    page.locator("[data-lib=civitai-all]").click()
    toast = page.locator(".edeck-toast")
    toast.filter(has_text="Civitai: found 2, not on Civitai 9, failed 0.").wait_for(timeout=30000)
    card = page.locator(".edeck-card", has_text="ng_deepnegative_v1_75t").first
    card.locator(".edeck-thumb img").wait_for()  # updated without a refresh
    assert fill_item(page, "embedding_deck_civitai_all").text_content() == "Find on Civitai: 9 without info"
    page.keyboard.press("Escape")
    assert len([p for p, _ in srv.fake.requests if "by-hash" in p]) == 11


def test_nsfw_cards_blur_until_show(page, civitai_server):
    _publish(
        civitai_server,
        "ng_deepnegative_v1_75t.pt",
        model={"name": "Spicy", "type": "TextualInversion", "nsfw": True},
    )
    page.goto(civitai_server.url)
    show_tab(page, "Embeddings")
    page.locator(".edeck-card", has_text="ng_deepnegative_v1_75t").first.wait_for()
    _edit(page, "ng_deepnegative_v1_75t")
    page.locator("[data-action=civitai]").click()
    page.locator(".edeck-modal-message", has_text="Found on Civitai").wait_for()
    page.keyboard.press("Escape")
    card = page.locator(".edeck-card", has_text="ng_deepnegative_v1_75t").first
    img = card.locator(".edeck-thumb img")
    img.wait_for()
    assert "blur" in img.evaluate("(i) => getComputedStyle(i).filter")
    card.locator(".edeck-reveal").click()
    assert img.evaluate("(i) => getComputedStyle(i).filter") == "none"
    assert page.evaluate("EDeck.caret.box('txt2img', 'neg').value") == ""  # Show inserted nothing


def test_choose_another_civitai_image(page, civitai_server):
    srv = civitai_server
    images = [{"url": f"{srv.fake.url}/images/safe.png", "nsfwLevel": 1},
              {"url": f"{srv.fake.url}/images/other.png", "nsfwLevel": 1},
              {"url": f"{srv.fake.url}/images/x.png", "nsfwLevel": 8}]  # fmt: skip
    srv.fake.images["other.png"] = srv.fake.images["x.png"]
    _publish(srv, "ng_deepnegative_v1_75t.pt", images=images)
    page.goto(srv.url)
    show_tab(page, "Embeddings")
    page.locator(".edeck-card", has_text="ng_deepnegative_v1_75t").first.wait_for()
    _edit(page, "ng_deepnegative_v1_75t")
    assert page.locator("[data-action=civitai-images]").is_hidden()  # nothing looked up yet
    page.locator("[data-action=civitai]").click()
    page.locator(".edeck-modal-message", has_text="Saved a preview.").wait_for()
    page.locator("[data-action=civitai-images]").click()
    picks = page.locator(".edeck-civitai-pick")
    picks.first.wait_for()
    assert picks.count() == 2  # the X image is outside the NSFW setting
    assert picks.nth(0).get_attribute("aria-pressed") == "true"
    before = os.path.getsize(os.path.join(srv.folder, "ng_deepnegative_v1_75t.preview.png"))
    picks.nth(1).click()
    pressed = "() => EDeck.shadow.querySelectorAll('.edeck-civitai-pick')[1].ariaPressed === 'true'"
    page.wait_for_function(pressed)
    after = os.path.getsize(os.path.join(srv.folder, "ng_deepnegative_v1_75t.preview.png"))
    assert after != before  # the red image replaced the blue one


def test_check_for_updates_badges_cards(page, quick_civitai_server):
    srv = quick_civitai_server
    _publish(srv, "ng_deepnegative_v1_75t.pt")
    page.goto(srv.url)
    show_tab(page, "Embeddings")
    page.locator(".edeck-card", has_text="ng_deepnegative_v1_75t").first.wait_for()
    assert (
        fill_menu(page).locator("[data-item=embedding_deck_civitai_updates]").count() == 0
    )  # none looked up
    page.keyboard.press("Escape")
    _edit(page, "ng_deepnegative_v1_75t")
    page.locator("[data-action=civitai]").click()
    page.locator(".edeck-modal-message", has_text="Found on Civitai").wait_for()
    page.keyboard.press("Escape")
    srv.fake.models[7808] = model_record(modelVersions=[{"id": 10001, "name": "v2.0"}, {"id": 9208}])
    fill_item(page, "embedding_deck_civitai_updates").click()
    page.locator(
        ".edeck-toast", has_text="Civitai: 1 with a newer version, 0 up to date, failed 0."
    ).wait_for()
    card = page.locator(".edeck-card", has_text="ng_deepnegative_v1_75t").first
    card.locator(".edeck-newer").wait_for()
