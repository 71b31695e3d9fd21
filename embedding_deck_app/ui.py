"""The tab's gradio content: one HTML root that our JavaScript fills in.

The grid is rendered client-side from ``/edeck/v1/grid`` (windowed, so the DOM stays small
at 10,000 entries); gradio components appear only where gradio must carry a value.
Works unchanged on gradio 3.41 and 4.40.
"""

from __future__ import annotations

from html import escape

import gradio as gr

from embedding_deck.query import SORT_KEYS

from .deck import Deck

TAB_TITLE = "Embeddings"
TAB_ID = "embedding_deck"
SORT_LABELS = {
    "path": "Path",
    "name": "Name",
    "created": "Date created",
    "modified": "Date modified",
    "size": "File size",
    "vectors": "Vectors",
    "uses": "Most used",
    "last_used": "Last used",
}
# the page also sorts by usage (counted by the server, not in the CLI's entries)
PAGE_SORT_KEYS = (*SORT_KEYS, "uses", "last_used")


SEARCH_TITLE = (
    'Search (press / to focus). Every word must match. "exact phrase", -word (not), a OR b; '
    "fields: name: desc: notes: tag: folder: arch:sdxl vectors:>8 fav:yes"
)


def root_html(size: str = "medium") -> str:
    """The static skeleton; labels are plain text nodes so WebUI localization applies."""
    options = "".join(f'<option value="{k}">{escape(SORT_LABELS[k])}</option>' for k in PAGE_SORT_KEYS)
    return f"""
<div id="embedding_deck_root" class="edeck-root" data-edeck-size="{escape(size)}">
  <div class="edeck-toolbar" role="toolbar" aria-label="Embedding Deck tools">
    <input id="embedding_deck_search" class="edeck-search" type="search" autocomplete="off"
      placeholder="Search name, path, description, notes"
      title="{escape(SEARCH_TITLE)}"
      aria-describedby="embedding_deck_query_said"
      aria-label="Search name, path, description, notes">
    <div class="edeck-tools">
    <select id="embedding_deck_sort" class="edeck-select" title="Sort by"
      aria-label="Sort by">{options}</select>
    <button id="embedding_deck_sort_dir" class="edeck-button" type="button" title="Ascending"
      data-desc="false">↑</button>
    <button id="embedding_deck_tree_toggle" class="edeck-button" type="button"
      aria-pressed="false" title="Show the folder tree">Folders</button>
    <label class="edeck-check" title="Hide embeddings that do not fit the loaded checkpoint">
      <input id="embedding_deck_hide_incompatible" type="checkbox"><span>Hide incompatible</span></label>
    <label class="edeck-check edeck-target" title="Which tab's prompts a card click edits">
      <span>Target</span>
      <select id="embedding_deck_target" class="edeck-select">
        <option value="txt2img">txt2img</option><option value="img2img">img2img</option>
      </select></label>
    <button id="embedding_deck_refresh" class="edeck-button" type="button"
      title="Rescan the folder and reload the WebUI's embeddings">Refresh</button>
    </div>
    <span id="embedding_deck_status" class="edeck-status" role="status" aria-live="polite"
      data-total="0" data-visible="0"></span>
  </div>
  <div id="embedding_deck_query_hint" class="edeck-query-hint" hidden>
    <span id="embedding_deck_query_said" class="edeck-query-said" aria-live="polite"></span></div>
  <div id="embedding_deck_message" class="edeck-message" role="alert" hidden></div>
  <div class="edeck-body">
    <nav id="embedding_deck_tree" class="edeck-tree" aria-label="Folders" hidden></nav>
    <div id="embedding_deck_grid" class="edeck-grid" role="list" aria-label="Embeddings">
      <div class="edeck-spacer"></div>
    </div>
    <div id="embedding_deck_empty" class="edeck-empty" hidden></div>
  </div>
</div>
"""


def build_tab_contents(deck: Deck) -> None:
    """Create the tab's components in the current gradio context."""
    size = str(deck.host.settings().get("edeck_card_size", "medium"))
    gr.HTML(root_html(size), elem_id="embedding_deck_html")


def build_tab(deck: Deck) -> gr.Blocks:
    """The tab as its own Blocks, as the WebUI's ``on_ui_tabs`` expects."""
    with gr.Blocks(analytics_enabled=False) as blocks:
        build_tab_contents(deck)
    return blocks
