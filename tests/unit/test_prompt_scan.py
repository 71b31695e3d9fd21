"""Finding embeddings in prompts (shared table with the JS twin) and the prompt report."""

from __future__ import annotations

import json
import os

import pytest
from support import HERE

from embedding_deck.entry import Entry
from embedding_deck.prompt_scan import find_all, scan_prompt

with open(os.path.join(HERE, "cases", "prompt.json"), encoding="utf-8") as fh:
    TABLE = json.load(fh)


@pytest.mark.parametrize("case", TABLE["find"], ids=lambda c: c["id"])
def test_find_cases(case):
    got = [[o.start, o.end, o.weight] for o in find_all(case["text"], case["name"])]
    assert got == case["expect"]


def _entry(name: str, path: str, vectors: int, **kw) -> Entry:
    return Entry(name=name, path=path, folder="", format="safetensors", vectors=vectors, **kw)


def test_scan_prompt_reports_weights_and_costs():
    entries = [
        _entry("EasyNegative", "EasyNegative.safetensors", 8, collision_winner=False),
        _entry("EasyNegative", "SD15/EasyNegative.safetensors", 8, collision_winner=True),
        _entry("badhandv4", "badhandv4.pt", 6),
        _entry("ng_deepnegative_v1_75t", "ng.pt", 75),
        _entry("broken", "broken.pt", 0, error="bad"),
        _entry("ネガティブ (v2)", "jp.safetensors", 4),
    ]
    found = scan_prompt(
        "(easynegative:1.2), badhandv4v2, ng_deepnegative_v1_75t, broken, ネガティブ (v2)", entries
    )
    assert [(f.name, f.path, f.weight, f.vectors) for f in found] == [
        ("EasyNegative", "SD15/EasyNegative.safetensors", 1.2, 8),
        ("ng_deepnegative_v1_75t", "ng.pt", 1.0, 75),
        ("ネガティブ (v2)", "jp.safetensors", 1.0, 4),
    ]
