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
