"""Search, sort and tree over real scanned entries (cases shared with the JS twin)."""

from __future__ import annotations

import json
import os

import pytest
from support import HERE

from embedding_deck.entry import Entry
from embedding_deck.query import Query, folder_tree, ordered

CASES = os.path.join(HERE, "cases", "query.json")


def load_cases() -> dict:
    with open(CASES, encoding="utf-8") as fh:
        return json.load(fh)


def entries_from(rows: list[dict]) -> list[Entry]:
    return [
        Entry(
            name=r["name"],
            path=r["path"],
            folder=r["folder"],
            format="safetensors",
            size=r["size"],
            vectors=r["vectors"],
            created=r["created"],
            modified=r["modified"],
            metadata=r.get("metadata", {}),
        )
        for r in rows
    ]


@pytest.mark.parametrize("case", load_cases()["cases"], ids=lambda c: c["id"])
def test_query_cases(case):
    entries = entries_from(load_cases()["entries"])
    q = Query(case.get("text", ""), case.get("folder", ""), case.get("sort", "path"), case.get("desc", False))
    assert [e.path for e in q.run(entries)] == case["expect"]


def test_tree_counts():
    entries = entries_from(load_cases()["entries"])
    assert folder_tree(entries, ["", "neg", "neg/hands", "xl", "empty"]) == load_cases()["tree"]


def test_unknown_sort_key():
    with pytest.raises(ValueError, match="unknown sort key"):
        ordered([], "colour")
