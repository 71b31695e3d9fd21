"""axe-core on the deck: the tab, the editor and the drawer, light and dark, have no serious
or critical accessibility violation. axe runs inside our shadow roots (it walks the flat
tree) and only there: the host page's own markup is not ours to judge. axe-core comes from
package-lock.json (tools/setup_env.sh runs npm ci)."""

from __future__ import annotations

import json
import os

import pytest
from e2e_helpers import show_tab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")

RUN_AXE = r"""async (include) => {
    const res = await axe.run({include: include}, {resultTypes: ['violations']});
    return res.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" >>> ") + " | "
                        + n.failureSummary.replace(/\s+/g, " ").slice(0, 300))}));
}"""


def _violations(page, *hosts: str) -> list:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    return page.evaluate(RUN_AXE, [[h] for h in hosts])


def _check(page, where: str, *hosts: str) -> None:
    found = _violations(page, *hosts)
    assert found == [], where + ": " + json.dumps(found, indent=1, ensure_ascii=False)


@pytest.fixture(scope="module", autouse=True)
def _axe_installed():
    if not os.path.exists(AXE):
        pytest.fail("axe-core is missing: run tools/setup_env.sh node (npm ci)")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_tab_editor_and_drawer_have_no_serious_violations(page, server, theme):
    page.goto(server.url + ("?__theme=dark" if theme == "dark" else ""))
    show_tab(page, "Embeddings")
    page.wait_for_selector(".edeck-card img")
    page.click('.edeck-card[data-path="badhandv4.pt"]')  # one card marked as in the prompt
    page.wait_for_selector(".edeck-card .edeck-in")
    _check(page, "tab", "#embedding_deck_host")

    page.click("#embedding_deck_tree_toggle")  # the folder tree open, a filter in the box
    page.fill("#embedding_deck_search", "neg")
    page.wait_for_selector(".edeck-tree-node")
    _check(page, "tab with tree", "#embedding_deck_host")
    page.fill("#embedding_deck_search", "")
    page.click("#embedding_deck_tree_toggle")

    for path in ("EasyNegative.safetensors", "broken/truncated.safetensors"):
        card = page.locator(f'.edeck-card[data-path="{path}"]')
        card.hover()
        card.locator(".edeck-edit").click()
        page.locator("#embedding_deck_modal").wait_for(state="visible")
        page.wait_for_selector("#embedding_deck_modal .edeck-facts td")
        _check(page, "editor of " + path, "#embedding_deck_host")
        page.keyboard.press("Escape")

    show_tab(page, "txt2img")
    page.click("#embedding_deck_drawer_txt2img")
    page.wait_for_selector("#embedding_deck_drawer .edeck-card")
    _check(page, "drawer", "#embedding_deck_drawer")
