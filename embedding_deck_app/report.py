"""The prompt report: which embeddings the prompts use, at what weight, and their cost.

Computed on the server from the prompt boxes' gradio values, so it shows exactly what a
Generate would send. Names are escaped: they come from file names.
"""

from __future__ import annotations

from html import escape

from embedding_deck.prompt_scan import scan_prompt

from .deck import Deck


def report_html(deck: Deck, positive: str, negative: str) -> str:
    """An HTML table of the embeddings in both prompts, with data-* hooks for tests."""
    try:
        entries = [] if deck.folder_problem() else deck.entries()
    except OSError:
        entries = []
    by_path = {e.path: e for e in entries}
    family = deck.host.model_family()
    rows, totals = [], {"positive": 0, "negative": 0}
    for kind, text in (("positive", positive or ""), ("negative", negative or "")):
        for found in scan_prompt(text, entries):
            entry = by_path.get(found.path)
            skipped = entry is not None and deck.skip_reason(entry, family)
            # the WebUI skips it: it costs no token, and the row says so
            cost = (
                f'<s>{found.vectors}</s> <span title="{escape(skipped)}">skipped by the WebUI</span>'
                if skipped
                else str(found.vectors)
            )
            totals[kind] += 0 if skipped else found.vectors
            rows.append(
                f'<tr data-prompt="{kind}" data-name="{escape(found.name)}" data-weight="{found.weight:g}"'
                f' data-vectors="{0 if skipped else found.vectors}" data-skipped="{1 if skipped else 0}">'
                f"<td><span>{kind}</span></td><td>{escape(found.name)}</td>"
                f"<td>{found.weight:g}</td><td>{cost}</td></tr>"
            )
    total = totals["positive"] + totals["negative"]
    body = "".join(rows) or '<tr><td colspan="4">No embeddings in the prompts.</td></tr>'
    # Fixed phrases in their own elements, so the WebUI's exact-match localizer applies.
    return (
        f'<div class="edeck-report" data-total-vectors="{total}">'
        "<table><thead><tr><th>Prompt</th><th>Embedding</th><th>Weight</th><th>Vectors</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        f"<p><span>Vectors used by embeddings</span>: <b>{total}</b> "
        f"(<span>positive</span> {totals['positive']}, <span>negative</span> {totals['negative']}; "
        "<span>75 per chunk</span>)</p></div>"
    )
