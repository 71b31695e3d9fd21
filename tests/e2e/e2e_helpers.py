"""Page helpers shared by the browser tests."""

from __future__ import annotations

import os

ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")


def open_deck(page, server) -> None:
    """Load the page, switch to the Embeddings tab, wait for the cards."""
    page.goto(server.url)
    show_tab(page, "Embeddings")
    page.wait_for_selector(".edeck-card", timeout=20000)


def show_tab(page, label: str) -> None:
    page.locator("#tabs button", has_text=label).first.click()


def card_paths(page) -> list[str]:
    """data-path of the rendered cards in visual order (top to bottom, left to right)."""
    return page.evaluate(
        """() => Array.from(EDeck.shadow.querySelectorAll('#embedding_deck_grid .edeck-card'))
            .map(c => { const r = c.getBoundingClientRect(); return [r.top, r.left, c.dataset.path]; })
            .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(x => x[2])"""
    )


def add_asset(page, name: str) -> None:
    """Inject one of our host stand-ins before any page script runs."""
    with open(os.path.join(ASSETS, name), encoding="utf-8") as fh:
        page.add_init_script(fh.read())


def neg(page, tab: str = "txt2img"):
    return page.locator(f"#{tab}_neg_prompt textarea")


def pos(page, tab: str = "txt2img"):
    return page.locator(f"#{tab}_prompt textarea")


def report_rows(page, report_id: str = "embedding_deck_prompt_report") -> list[tuple[str, str, str]]:
    """(prompt, name, weight) rows of the server-side prompt report."""
    return page.evaluate(
        f"""() => Array.from(document.querySelectorAll('#{report_id} tr[data-name]'))
            .map(r => [r.dataset.prompt, r.dataset.name, r.dataset.weight])"""
    )


def wait_report(
    page, rows: list[tuple[str, str, str]], report_id: str = "embedding_deck_prompt_report"
) -> None:
    """Wait until the server's report (computed from gradio's values) shows exactly rows."""
    import json

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait(page, rows, report_id, json)
    except PlaywrightTimeout:
        raise AssertionError(f"report shows {report_rows(page, report_id)}, expected {rows}") from None


def _wait(page, rows, report_id, json) -> None:
    page.wait_for_function(
        f"""(want) => JSON.stringify(Array.from(document.querySelectorAll('#{report_id} tr[data-name]'))
            .map(r => [r.dataset.prompt, r.dataset.name, r.dataset.weight])) === want""",
        arg=json.dumps([list(r) for r in rows], separators=(",", ":"), ensure_ascii=False),
        timeout=10000,
    )


def fill_menu(page):
    """Open the toolbar's Fill in ▾ menu; its items (data-item = the hidden button's id)."""
    fill = page.locator("#embedding_deck_fill")
    fill.click()
    assert fill.get_attribute("aria-expanded") == "true"
    menu = page.locator(".edeck-menu")
    menu.locator("[role=menuitem]").first.wait_for()
    return menu


def fill_item(page, item: str):
    """The Fill in ▾ item that presses the hidden button with id ``item`` (menu opened)."""
    entry = fill_menu(page).locator(f"[data-item={item}]")
    entry.wait_for()
    return entry
