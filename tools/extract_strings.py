"""Lists every translatable UI string: EDeck.t("…") literals in javascript/, the tab's
static HTML, the standalone page's labels and the report, and fixed server sentences.

``python tools/extract_strings.py`` prints them as a JSON dict (English → English), the
source for localizations/*.json; the test suite checks ja_JP.json covers them all.
"""

from __future__ import annotations

import json
import os
import re
import sys
from html.parser import HTMLParser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

T_CALL = re.compile(
    r'(?:EDeck\.t|\btr)\(\s*(?:[^"()]*\?\s*)?"((?:[^"\\]|\\.)*)"(?:\s*:\s*"((?:[^"\\]|\\.)*)")?'
)
FIELD = re.compile(r'\["[^"]+", "([^"]+)", "(?:textarea|input|number|select)"')
OPTION = re.compile(r'\["[^"]*", "((?:[^"\\]|\\.)+)"\]')
FACT = re.compile(r'\["([A-Z][^"]+)", ')
LITERAL_TEXT = re.compile(r'(?:text|title): (?:EDeck\.t\()?"([^"]+)"')
EXTRA = [
    # gradio labels on the standalone page
    "Prompt",
    "Negative prompt",
    "Model family (stands in for the loaded checkpoint)",
    "txt2img",
    "img2img",
    "Embeddings",
    # the prompt report
    "Embedding",
    "Weight",
    "Vectors",
    "No embeddings in the prompts.",
    "Vectors used by embeddings",
    "positive",
    "negative",
    "75 per chunk",
    # fixed server sentences shown in the tab
    "Rescanned the folder.",
    "Rescanned the folder and reloaded the WebUI's embeddings.",
    "Rescanned the folder; the WebUI will load the embeddings with the first model.",
    "Log in to the WebUI first.",
    "Refused: this request came from another site.",
    "That embedding is no longer in the folder; the list was refreshed.",
    "This embedding has no preview.",
    "There was no X.preview.png to delete.",
    "That file is not an image (use PNG, JPEG or WebP).",
    "The upload was empty.",
    "The image is damaged or truncated.",
    "The file is empty (0 bytes); the WebUI skips it.",
    "This is a folder named like an embedding file, not a file.",
    "The file is a symbolic link that loops back on itself.",
    "Permission denied: the WebUI's user cannot read this file.",
    "The zip archive is damaged or truncated.",
    "Not a torch file: it is neither a zip archive nor a pickle.",
]


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found += [v for k, v in attrs if k in ("title", "placeholder", "aria-label") and v]

    def handle_data(self, data: str) -> None:
        if data.strip() and data.strip() not in ("↑",):
            self.found.append(data.strip())


def strings() -> list[str]:
    """Every translatable English string, in a stable order."""
    found: list[str] = []
    js_dir = os.path.join(ROOT, "javascript")
    for name in sorted(os.listdir(js_dir)):
        with open(os.path.join(js_dir, name), encoding="utf-8") as fh:
            text = fh.read()
        for m in T_CALL.finditer(text):
            found += [g for g in m.groups() if g]
        if name == "edeck_40_modal.js":
            found += (
                FIELD.findall(text) + OPTION.findall(text) + FACT.findall(text) + LITERAL_TEXT.findall(text)
            )
    from embedding_deck_app.ui import root_html

    parser = _Texts()
    parser.feed(root_html())
    found += parser.found + EXTRA
    seen, out = set(), []
    for s in found:
        s = s.encode().decode("unicode_escape") if "\\" in s else s
        if s not in seen and s.strip():
            seen.add(s)
            out.append(s)
    return out


if __name__ == "__main__":
    print(json.dumps({s: s for s in strings()}, ensure_ascii=False, indent=1))
