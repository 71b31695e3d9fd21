"""Takes the README's screenshots (grid, editor, drawer) from the real page at 1400 and
390 px wide, light and dark, and checks that nothing runs off the screen while at it.

A normal run writes the pictures to the ignored test-results/screenshots/, so the tracked
docs/screenshots/ stay as they are; ``EDECK_UPDATE_DOCS=1 tools/test.sh`` refreshes those.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from support import ROOT


def shots_dir() -> str:
    """docs/screenshots when EDECK_UPDATE_DOCS=1 asks for new README pictures, else test-results."""
    if os.environ.get("EDECK_UPDATE_DOCS") == "1":
        return os.path.join(ROOT, "docs", "screenshots")
    return os.path.join(ROOT, "test-results", "screenshots")


def _shot(page, name: str) -> None:
    import gradio

    # one set of screenshots, from the Forge-like gradio 4 run
    if gradio.__version__.startswith("4"):
        os.makedirs(shots_dir(), exist_ok=True)
        page.screenshot(path=os.path.join(shots_dir(), name))


IN_GIT = shutil.which("git") is not None and os.path.exists(os.path.join(ROOT, ".git"))


@pytest.mark.skipif(not IN_GIT, reason="needs a git checkout")
def test_screenshots_leave_the_tracked_docs_alone_unless_asked(monkeypatch):
    monkeypatch.delenv("EDECK_UPDATE_DOCS", raising=False)
    shot = os.path.relpath(os.path.join(shots_dir(), "grid.png"), ROOT)
    ignored = subprocess.run(["git", "check-ignore", "-q", shot], cwd=ROOT, check=False)
    assert ignored.returncode == 0, f"{shot} is not ignored by git"
    monkeypatch.setenv("EDECK_UPDATE_DOCS", "1")
    assert shots_dir() == os.path.join(ROOT, "docs", "screenshots")


SIZES = {"desktop": (1400, 900), "phone": (390, 844)}


def _name(what: str, size: str, theme: str) -> str:
    """grid.png, grid-dark.png, grid-phone.png, grid-phone-dark.png…"""
    return what + ("-phone" if size == "phone" else "") + ("-dark" if theme == "dark" else "") + ".png"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_grid_editor_and_drawer(page, server, size, theme):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server.url + ("?__theme=dark" if theme == "dark" else ""))
    page.locator("#tabs button", has_text="Embeddings").first.click()
    page.wait_for_selector(".edeck-card img")
    widths = page.evaluate(
        "() => Array.from(EDeck.shadow.querySelectorAll('.edeck-card'))"
        ".map(c => c.getBoundingClientRect().right)"
    )
    assert max(widths) <= width  # no card runs off the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 10
    bg = page.evaluate("getComputedStyle(EDeck.shadow.querySelector('.edeck-card')).backgroundColor")
    r, g, b = (int(x) for x in bg[bg.index("(") + 1 : bg.index(")")].split(",")[:3])
    assert (r + g + b < 3 * 100) == (theme == "dark")  # follows the theme's block colour
    if size == "desktop":
        page.click("#embedding_deck_tree_toggle")
    card = page.locator('.edeck-card[data-path="badhandv4.pt"]')
    card.click()  # one card in the prompt: its outline and mark show
    page.mouse.move(0, height - 1)
    page.wait_for_timeout(400)
    _shot(page, _name("grid", size, theme))
    card = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    card.hover()
    card.locator(".edeck-edit").click()
    page.locator("#embedding_deck_modal").wait_for(state="visible")
    page.wait_for_function(
        "() => EDeck.shadow.querySelector('#embedding_deck_modal .edeck-modal-img').complete"
    )
    page.wait_for_timeout(300)
    _shot(page, _name("editor", size, theme))
    page.keyboard.press("Escape")
    if size == "desktop":
        page.click("#embedding_deck_tree_toggle")
    page.locator("#tabs button", has_text="txt2img").first.click()
    page.locator("#txt2img_neg_prompt textarea").fill("lowres, ")
    page.click("#embedding_deck_drawer_txt2img")
    page.locator("#embedding_deck_drawer .edeck-card img").first.wait_for()
    page.wait_for_timeout(400)
    _shot(page, _name("drawer", size, theme))
