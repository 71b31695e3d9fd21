"""The deck looks the same in the tab, the drawer and the editor, in both gradios, light and
dark, whatever the host's CSS says: it renders in shadow roots that only the theme's
variables reach. Checked on computed styles, with the host's own rules on the page (gradio's
real stylesheet, plus the rules A1111 and gradio 4.40 apply to every button)."""

from __future__ import annotations

import pytest
from e2e_helpers import show_tab

# gradio 4.40's preflight (live on the 4.40 page; added here for the 3.41 run too) and the
# kind of page-wide element rules a host or a theme extension ships.
HOST_CSS = """
.gradio-container-4-40-0 button, .gradio-container button { background: transparent; padding: 0; margin: 0;
    border: 0; font-size: 100%; line-height: inherit; }
.gradio-container-4-40-0 select, .gradio-container select { background: #fff none; height: 38px;
    appearance: none; }
button, select, input, textarea { font-family: "Times New Roman", serif; letter-spacing: 3px; }
body { font-family: "Times New Roman", serif; }
"""

STYLE_JS = """(sel) => {
    const q = (s) => { const [root, rest] = s.split(' >>> ');
        const r = rest === undefined ? EDeck.shadow : document.querySelector(root).shadowRoot;
        return r.querySelector(rest === undefined ? s : rest); };
    const el = q(sel); const cs = getComputedStyle(el); const r = el.getBoundingClientRect();
    return {bg: cs.backgroundColor, radius: cs.borderTopLeftRadius, padding: cs.paddingLeft,
            border: cs.borderTopWidth, font: cs.fontFamily, size: cs.fontSize, color: cs.color,
            spacing: cs.letterSpacing, appearance: cs.appearance, image: cs.backgroundImage,
            scheme: cs.colorScheme, h: Math.round(r.height), w: Math.round(r.width)};
}"""

# the colour a text is seen on: the first opaque background up the (shadow-crossing) tree
CONTRAST_JS = """(sel) => {
    const q = (s) => { const [root, rest] = s.split(' >>> ');
        const r = rest === undefined ? EDeck.shadow : document.querySelector(root).shadowRoot;
        return r.querySelector(rest === undefined ? s : rest); };
    const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
    const lum = (c) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
    const el = q(sel); let n = el; let bg = null;
    while (n && !bg) {
        if (n.nodeType === 1) {
            const c = rgb(getComputedStyle(n).backgroundColor);
            if (c.length < 4 || c[3] > 0.9) bg = c;
        }
        n = n.parentNode || n.host;
        if (n && n.nodeType === 11) n = n.host;
        if (n === document) n = null;
    }
    bg = bg || [255, 255, 255];
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _style(page, selector: str) -> dict:
    return page.evaluate(STYLE_JS, selector)


def _transparent(colour: str) -> bool:
    return colour == "transparent" or colour.replace(" ", "").endswith(",0)")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_host_css_cannot_restyle_the_deck(page, server, theme):
    page.goto(server.url + ("?__theme=dark" if theme == "dark" else ""))
    page.add_style_tag(content=HOST_CSS)
    show_tab(page, "Embeddings")
    page.wait_for_selector(".edeck-card")
    card = page.locator('.edeck-card[data-path="EasyNegative.safetensors"]')
    card.hover()
    edit = _style(page, '.edeck-card[data-path="EasyNegative.safetensors"] .edeck-edit')
    assert not _transparent(edit["bg"]) and edit["radius"] == "50%" and edit["w"] == 26
    plus = _style(page, '.edeck-card[data-path="EasyNegative.safetensors"] .edeck-add-positive')
    assert not _transparent(plus["bg"]) and plus["radius"] == "50%"
    search = _style(page, "#embedding_deck_search")
    sort = _style(page, "#embedding_deck_sort")
    refresh = _style(page, "#embedding_deck_refresh")
    assert search["h"] == sort["h"] == refresh["h"] == 34  # one control height
    assert refresh["padding"] == "10px" and refresh["border"] == "1px"
    assert sort["appearance"] != "none" and sort["image"] == "none"  # the native chevron stays
    assert "Times" not in refresh["font"] and refresh["spacing"] == "normal"
    check = _style(page, "#embedding_deck_hide_incompatible")
    assert check["scheme"] == theme  # a dark checkbox in the dark theme
    tab_font = refresh["font"]

    # the editor, opened from the tab: same font, same control sizes
    card.locator(".edeck-edit").click()
    page.locator("#embedding_deck_modal").wait_for(state="visible")
    upload = _style(page, "#embedding_deck_modal .edeck-upload")
    cancel = _style(page, "#embedding_deck_modal [data-action=cancel]")
    assert upload["size"] == cancel["size"] and upload["h"] == cancel["h"]
    assert cancel["font"] == tab_font and cancel["border"] == "1px" and cancel["radius"] != "0px"
    assert page.evaluate(CONTRAST_JS, "#embedding_deck_modal .edeck-modal-title") >= 4.5
    page.keyboard.press("Escape")

    # the drawer, over txt2img: the host's font and our variables, a readable title and ✕
    show_tab(page, "txt2img")
    button = page.locator("#embedding_deck_drawer_txt2img")
    assert button.evaluate("b => getComputedStyle(b).paddingLeft") == "10px"
    fill = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).backgroundImage]")
    assert not _transparent(fill[0]) or fill[1] != "none"
    button.click()
    title = _style(page, "#embedding_deck_drawer >>> .edeck-drawer-title")
    close = _style(page, "#embedding_deck_drawer >>> .edeck-drawer-close")
    assert title["font"] == tab_font and close["font"] == tab_font
    assert close["h"] == 34 and close["radius"] != "0px"
    for sel in (".edeck-drawer-title", ".edeck-drawer-close"):
        assert page.evaluate(CONTRAST_JS, "#embedding_deck_drawer >>> " + sel) >= 4.5, sel
    in_drawer = _style(page, "#embedding_deck_refresh")
    assert in_drawer == refresh | {"w": in_drawer["w"]}  # the toolbar looks the same in the drawer


RECT_JS = """(el) => { const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"""


@pytest.mark.parametrize(("width", "max_rows"), [(360, 6), (800, 3), (1400, 2)])
def test_narrow_windows(page, server, width, max_rows):
    """Every control above the grid (Compare too) in at most max_rows rows: at 360 px search
    and count, then the tools wrapped (test_phone.py checks each is reachable by touch); at
    800 px all tools visible."""
    page.set_viewport_size({"width": width, "height": 760})
    page.goto(server.url)
    show_tab(page, "Embeddings")
    page.wait_for_selector(".edeck-card")
    tops = page.evaluate(
        """() => { const sel = ['input', 'select', 'button', '.edeck-status']
                .map(t => `.edeck-root > :not(.edeck-body) ${t}`).join(', ');
            const els = Array.from(EDeck.shadow.querySelectorAll(sel));
            const boxes = els.map(e => e.getBoundingClientRect()).filter(r => r.height > 0)
                .sort((a, b) => a.top - b.top);
            const rows = [];  // a new row starts below the bottom of the one before
            for (const r of boxes) {
                if (!rows.length || r.top >= rows[rows.length - 1]) rows.push(r.bottom);
                else rows[rows.length - 1] = Math.max(rows[rows.length - 1], r.bottom);
            }
            return rows; }"""
    )
    assert len(tops) <= max_rows, tops
    cards = page.locator(".edeck-card")
    lefts = {round(cards.nth(i).evaluate(RECT_JS)["left"]) for i in range(min(cards.count(), 4))}
    assert len(lefts) >= 2  # at least two columns
    first = cards.first
    name = first.locator(".edeck-name").evaluate(RECT_JS)
    box = first.evaluate(RECT_JS)
    assert (
        first.locator(".edeck-name").inner_text()
        and box["top"] <= name["top"] < name["bottom"] <= box["bottom"]
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the drawer: on screen, never over the prompt box it edits; on a phone-wide window the
    # whole screen, with that prompt as a line on top (a strip below the box left the
    # cards a quarter of the screen)
    show_tab(page, "txt2img")
    page.click("#embedding_deck_drawer_txt2img")
    drawer = page.locator("#embedding_deck_drawer").evaluate(RECT_JS)
    prompt = page.locator("#txt2img_neg_prompt textarea").evaluate(RECT_JS)
    assert drawer["left"] >= 0 and drawer["right"] <= width and drawer["top"] >= 0
    overlap = min(drawer["bottom"], prompt["bottom"]) > max(drawer["top"], prompt["top"]) and min(
        drawer["right"], prompt["right"]
    ) > max(drawer["left"], prompt["left"])
    if width <= 640:
        assert drawer == {"top": 0, "left": 0, "right": width, "bottom": 760}
        assert page.locator("#embedding_deck_drawer_prompt").is_visible()
    else:
        assert not overlap, (drawer, prompt)
        assert page.locator("#embedding_deck_drawer_prompt").is_hidden()
    page.locator("#embedding_deck_drawer .edeck-card").first.wait_for()
    page.keyboard.press("Escape")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_greyed_card_text_keeps_its_contrast(page, server, theme):
    page.goto(server.url + ("?__theme=dark" if theme == "dark" else ""))
    show_tab(page, "Embeddings")
    page.wait_for_selector(".edeck-card.edeck-incompatible")
    card = '.edeck-card[data-path="SDXL/negativeXL_D.safetensors"]'
    assert "edeck-incompatible" in page.locator(card).get_attribute("class")
    for part in (".edeck-name", ".edeck-why"):
        opacity = page.evaluate(
            "(s) => { let n = EDeck.shadow.querySelector(s), o = 1;"
            " while (n && n.nodeType === 1) { o *= +getComputedStyle(n).opacity; n = n.parentNode; }"
            " return o; }",
            card + " " + part,
        )
        assert opacity == 1, part
        assert page.evaluate(CONTRAST_JS, card + " " + part) >= 4.5, part


def test_drawer_is_styled_from_its_first_frame(page, server):
    """The drawer's stylesheet is in before it first opens, even on a slow connection."""
    import time

    def slow(route):
        time.sleep(1.0)  # every stylesheet of ours arrives a second late
        route.continue_()

    page.route("**/style.css*", slow)
    page.goto(server.url)
    show_tab(page, "Embeddings")
    page.wait_for_selector(".edeck-card")
    tab_font = _style(page, "#embedding_deck_refresh")["font"]
    page.wait_for_timeout(1500)
    show_tab(page, "txt2img")
    page.click("#embedding_deck_drawer_txt2img")
    close = _style(page, "#embedding_deck_drawer >>> .edeck-drawer-close")
    assert close["font"] == tab_font and close["h"] == 34, close
