"""Phone screenshots of the deck inside a running WebUI (or the standalone page), for the README.

    .venv/py311/bin/python tools/host_phone_shots.py http://127.0.0.1:7860 a1111 [--out docs/screenshots]

Writes ``<name>-phone-tab[-dark].png`` (the Embeddings tab scrolled to the deck, a card's
long-press menu open) and ``<name>-phone-drawer[-dark].png`` (the txt2img drawer after a
tap inserted a card, the weight stepper on it) at 390 x 844 with touch, light and dark.
Not a test: it needs a host started by hand (see ../shared/hosts in the dev notes).
"""

from __future__ import annotations

import argparse
import os

from playwright.sync_api import Page, sync_playwright

CHROMIUM = os.environ.get("EDECK_CHROMIUM", "/usr/bin/chromium")


def long_press(page: Page, x: float, y: float, ms: int = 800) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    page.wait_for_timeout(ms)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def shoot(page: Page, url: str, out: str, name: str, dark: bool) -> None:
    suffix = "-dark" if dark else ""
    page.goto(url + ("/?__theme=dark" if dark else "/"))
    ready = "() => !!window.EDeck && !!EDeck.deck && EDeck.deck.entries.length > 0"
    page.wait_for_function(ready, timeout=60000)
    page.locator("#tabs button", has_text="Embeddings").first.tap()
    card = page.locator(".edeck-card:visible").nth(1)
    card.wait_for()
    page.evaluate("EDeck.shadow.querySelector('.edeck-root').scrollIntoView({block: 'start'})")
    box = card.bounding_box()
    long_press(page, box["x"] + box["width"] / 3, box["y"] + box["height"] / 3)
    page.wait_for_timeout(300)
    page.screenshot(path=os.path.join(out, f"{name}-phone-tab{suffix}.png"))
    page.keyboard.press("Escape")
    page.locator("#tabs button", has_text="txt2img").first.tap()
    page.locator("#embedding_deck_drawer_txt2img").tap()
    page.wait_for_selector("#embedding_deck_drawer .edeck-card")
    page.locator("#embedding_deck_drawer .edeck-card").nth(1).tap()
    page.locator(".edeck-stepper-up:visible").tap()
    page.wait_for_timeout(300)
    page.screenshot(path=os.path.join(out, f"{name}-phone-drawer{suffix}.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("name", help="file name prefix, e.g. a1111 or forge-neo")
    parser.add_argument("--out", default=os.path.join("docs", "screenshots"))
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for dark in (False, True):
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=1
            )
            shoot(context.new_page(), args.url.rstrip("/"), args.out, args.name, dark)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
