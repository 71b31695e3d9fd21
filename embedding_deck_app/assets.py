"""Our JavaScript and CSS files: which ones, in what order, and their tags for a page.

The WebUI injects ``javascript/*.js`` and ``style.css`` itself; the standalone page uses
``page_tags`` to do the same, so both run the identical files.
"""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JS_DIR = os.path.join(ROOT, "javascript")
CSS_FILE = os.path.join(ROOT, "style.css")


def js_files() -> list[str]:
    """File names of our scripts, in the WebUI's (alphabetical) load order."""
    return sorted(n for n in os.listdir(JS_DIR) if n.endswith(".js"))


def asset_path(name: str) -> str | None:
    """Absolute path of an asset by file name, or None when it is not one of ours."""
    if name == "style.css":
        return CSS_FILE
    if name in js_files():
        return os.path.join(JS_DIR, name)
    return None


def _version(path: str) -> int:
    return int(os.stat(path).st_mtime)


def page_tags(base: str) -> tuple[str, str]:
    """(script tags for </head>, stylesheet tag for </body>) served from ``base``."""
    scripts = "".join(
        f'<script type="text/javascript" src="{base}/{n}?{_version(os.path.join(JS_DIR, n))}"></script>'
        for n in js_files()
    )
    css = f'<link rel="stylesheet" property="stylesheet" href="{base}/style.css?{_version(CSS_FILE)}">'
    return scripts, css
