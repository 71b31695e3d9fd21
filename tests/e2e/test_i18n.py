"""The standalone page in Japanese (--lang ja): toolbar, status, reasons, editor."""

from __future__ import annotations


def test_japanese_interface(page, ja_server):
    page.goto(ja_server.url)
    page.locator("#tabs button", has_text="埋め込み").first.click()
    page.wait_for_selector(".edeck-card")
    assert page.get_attribute("#embedding_deck_search", "placeholder") == "名前・パス・説明・メモを検索"
    assert page.inner_text("#embedding_deck_refresh") == "更新"
    assert page.inner_text("#embedding_deck_status") == "12 個の埋め込み"
    why = page.locator('.edeck-card[data-path="SDXL/negativeXL_D.safetensors"] .edeck-why')
    assert why.inner_text().startswith("SDXL 用の埋め込みです")
    broken = page.locator('.edeck-card[data-path="broken/truncated.safetensors"] .edeck-error-text')
    assert (
        broken.inner_text()
        == "テンソル 'emb_params' がファイルの終わりを越えています。ファイルが途中で切れています。"
    )
    card = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    assert "説明" in modal.inner_text() and "保存" in modal.inner_text()


def test_tab_label_stays_japanese_when_clicked(page, ja_server):
    page.goto(ja_server.url)
    tab = page.locator("#tabs button", has_text="埋め込み").first
    tab.click()
    page.wait_for_selector(".edeck-card")
    page.locator("#tabs button", has_text="txt2img").first.click()
    page.locator("#tabs button", has_text="埋め込み").first.click()
    page.wait_for_timeout(300)
    labels = page.locator("#tabs button").all_inner_texts()
    assert "Embeddings" not in labels and "埋め込み" in labels, labels


def test_japanese_fragments_and_a_server_that_is_down(page, ja_server):
    page.goto(ja_server.url)
    page.locator("#tabs button", has_text="埋め込み").first.click()
    page.wait_for_selector(".edeck-card")
    broken = page.locator('.edeck-card[data-path="broken/truncated.safetensors"]')
    assert "テンソル" in broken.get_attribute("title")
    card = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    assert "ベクトル" in card.locator(".edeck-vec").inner_text()
    card.hover()
    card.locator(".edeck-edit").click()
    modal = page.locator("#embedding_deck_modal")
    modal.wait_for(state="visible")
    arch = modal.locator("td[data-fact='Architecture']").inner_text()
    assert "幅 768" in arch and "wide" not in arch
    page.keyboard.press("Escape")
    ja_server.stop()  # the server goes away: the next request gets a Japanese sentence
    page.click("#embedding_deck_refresh")
    message = page.locator("#embedding_deck_message")
    message.wait_for(state="visible")
    text = message.inner_text()
    assert "サーバーが応答しません" in text and "Failed to fetch" not in text, text
