"""WebUI entry of Embedding Deck: registers the tab, the settings and the routes.

Both root packages are imported at module top level: A1111 puts the extension root on
``sys.path`` only while this file loads.
"""

from __future__ import annotations

from modules import script_callbacks

import embedding_deck  # noqa: F401 - imported now, while the extension root is on sys.path
import embedding_deck_app  # noqa: F401
from embedding_deck_app import routes, security, ui
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_webui import WebUIHost, register_settings

_deck: Deck | None = None


def _get_deck() -> Deck:
    global _deck
    if _deck is None:
        _deck = Deck(WebUIHost())
    return _deck


def on_ui_tabs() -> list:
    """The WebUI's tab callback: one (Blocks, title, elem_id) tuple."""
    return [(ui.build_tab(_get_deck()), ui.TAB_TITLE, ui.TAB_ID)]


def on_app_started(demo: object, app: object) -> None:
    """Mount our routes on the app (again after each UI reload, on the new app)."""
    deck = _get_deck()
    deck.host.attach_app(app)
    routes.mount(app, deck, dependencies=security.dependencies(app, deck.host.allowed_hosts))


script_callbacks.on_ui_tabs(on_ui_tabs)
script_callbacks.on_ui_settings(register_settings)
script_callbacks.on_app_started(on_app_started)


def on_image_saved(params: object) -> None:
    """Each image the WebUI saves: count the embeddings its infotext lists (TI hashes)."""
    info = getattr(params, "pnginfo", None) or {}
    _get_deck().usage.image_saved(str(getattr(params, "filename", "")), info.get("parameters"))


script_callbacks.on_image_saved(on_image_saved)
