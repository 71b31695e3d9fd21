"""Lists every translatable UI string: EDeck.t("…") literals in javascript/, the tab's
static HTML, the standalone page's labels and the report, and fixed server sentences.

``python tools/extract_strings.py`` prints them as a JSON dict (English → English), the
source for localizations/*.json; the test suite checks ja_JP.json covers them all.
"""

from __future__ import annotations

import ast
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
    "skipped by the WebUI",
    # the list view's column headers (edeck_36_listview.js COLUMNS)
    "Name",
    "Folder",
    "SD",
    "Vectors",
    "Size",
    "Created",
    "Modified",
    "Uses",
    "Description",
    # the search's "understood as" parts (edeck_14_syntax.js SAID, through EDeck.t)
    'name contains "{v}"',
    'description contains "{v}"',
    'notes contain "{v}"',
    'tag is "{v}"',
    'in folder "{v}"',
    "SD version is {v}",
    "vectors {op} {v}",
    "a favourite",
    "not a favourite",
    "NOT {part}",
    "OR",
    "AND",
    # server sentences returned as values rather than raised
    "Rescanned the folder.",
    "WebUI is reloading embeddings…",
    "WebUI: no model is loaded yet; it loads embeddings with the first generation.",
    "WebUI: it has no embedding list to reload.",
    "WebUI: {0} loaded, {1} skipped.",
    "Forge: {0} listed; generation uses new files after the checkpoint is loaded again.",
    "Forge: {0} listed; generation uses them once a checkpoint is loaded.",
    "The WebUI could not reload its embeddings ({0}: {1}).",
    "There was no X.preview.png to delete.",
    "Civitai does not know this file.",
    "Civitai does not know this file (looked up before).",
    "Found on Civitai: {0} — {1}.",
    "Filled: {0}.",
    "Saved a preview.",
    "No preview image within the NSFW setting.",
    "No preview saved: {0}",
    "Civitai lookup failed: {0}",
    "It has a preview now.",
    "It is no longer in the embeddings folder.",
    "Skipped in the WebUI.",
    "The generation failed.",
    "The generated images could not be read ({0}).",
    "{0} had been changed by another program; your edits were merged into its new contents.",
    "This image embedding still answers to {0} in prompts: that name is stored inside the image, "
    "and renaming the file does not change it.",
    "It failed unexpectedly ({0}); it was left as it was.",
    # the actions on a selection (edeck_82_bulk.js ACTIONS: label, verb, done)
    "Move to a folder…",
    "Move",
    "Moved {n} embeddings to {value}.",
    "Add tags…",
    "Add tags",
    "Added the tags {value} to {n} embeddings.",
    "Remove tags…",
    "Remove tags",
    "Removed the tags {value} from {n} embeddings.",
    "Default target…",
    "Set",
    "The default target of {n} embeddings is now {value}.",
    "Preferred weight…",
    "The preferred weight of {n} embeddings is now {value}.",
    "Add to favourites",
    "Added {n} embeddings to the favourites.",
    "Remove from favourites",
    "Removed {n} embeddings from the favourites.",
    "Convert to .safetensors",
    "Converted {n} embeddings to .safetensors; the originals are in the trash.",
    "Delete to the trash",
    "Delete",
    "Deleted {n} embeddings (they are in the trash).",
]

# Server sentences: the first argument of our error classes, warnings, "error=" values and
# a few sentence-building functions, as templates with {0}, {1}… for their details.
ERROR_CALLS = {
    "UnreadableFile",
    "OutsideRoot",
    "NotFound",
    "StaleWrite",
    "BadUpload",
    "DeckError",
    "BadRequest",
    "ValueError",
    "HTTPException",
    "TooLarge",
    "UnencodablePath",
    "_refused",
    "PlanError",
    "Incompatible",
    "Unavailable",
    "Busy",
    "NameRefused",
    "TargetExists",
    "Unfinished",
    "BadSearch",
}
SENTENCE_FUNCS = {"_write_failure", "_builtin_preview_note", "stat_sentence"}
SENTENCE_DICTS = {"OS_ERRORS", "OS_ERROR_SENTENCES"}
SENTENCE_CONSTANTS = {"NO_CHECKPOINT", "busy_sentence"}  # sentences named once, used in several places


def _template(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts, n = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("{%d}" % n)
                n += 1
        return "".join(parts)
    return None


def _sentence_nodes(tree: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else getattr(fn, "attr", "")
            target = getattr(fn, "value", None)
            owner = getattr(target, "attr", None) or getattr(target, "id", None)
            if name in ERROR_CALLS or (name == "append" and owner == "warnings"):
                out += node.args[:1]
            out += [k.value for k in node.keywords if k.arg in ("error", "detail")]
        elif isinstance(node, ast.FunctionDef) and node.name in SENTENCE_FUNCS:
            out += [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in SENTENCE_DICTS and isinstance(node.value, ast.Dict):
                out += node.value.values
            elif name.startswith("A1111_REFUSES") or name in SENTENCE_CONSTANTS:
                out.append(node.value)
    return out


def server_sentences() -> list[str]:
    """Sentences the server may show in the tab (internal, lower-case fragments left out)."""
    found = []
    for package in ("embedding_deck", "embedding_deck_app"):
        for folder, _dirs, files in os.walk(os.path.join(ROOT, package)):
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                with open(os.path.join(folder, name), encoding="utf-8") as fh:
                    tree = ast.parse(fh.read())
                for node in _sentence_nodes(tree):
                    text = _template(node)
                    if text and " " in text and text.rstrip()[-1] in ".)":
                        found.append(text)
    return found


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
    found += parser.found + EXTRA + server_sentences()
    seen, out = set(), []
    for s in found:
        s = s.encode().decode("unicode_escape") if "\\" in s else s
        if s not in seen and s.strip():
            seen.add(s)
            out.append(s)
    return out


if __name__ == "__main__":
    print(json.dumps({s: s for s in strings()}, ensure_ascii=False, indent=1))
