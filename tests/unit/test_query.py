"""Search, sort and tree over real scanned entries (cases shared with the JS twin)."""

from __future__ import annotations

import json
import os

import pytest
from support import HERE

from embedding_deck import query_syntax
from embedding_deck.entry import Entry
from embedding_deck.query import Query, folder_tree, natural_key, ordered

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
            arch=r.get("arch", "unknown"),
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


def test_one_natural_order_for_paths_names_and_tree_folders():
    want = load_cases()["natural"]["paths"]
    rows = [
        Entry(name=p.rsplit("/", 1)[-1], path=p, folder=p.rpartition("/")[0], format="safetensors")
        for p in reversed(want)
    ]
    assert [e.path for e in ordered(rows, "path")] == want
    assert [e.path for e in ordered(rows, "path", descending=True)] == want[::-1]
    assert sorted(reversed(want), key=natural_key) == want
    names = [Entry(name=n, path=f"{n}.pt", folder="", format="safetensors") for n in ("x10", "x2", "X1")]
    assert [e.name for e in ordered(names, "name")] == ["X1", "x2", "x10"]
    folders = ["SD15", "sdxl", "SD2", "SD15/b10", "SD15/b9"]
    assert list(folder_tree([], folders)) == ["", "SD2", "SD15", "SD15/b9", "SD15/b10", "sdxl"]


def test_iso_time_matches_gmtime_for_every_second_it_remembers():
    """iso_time formats each whole second once: the remembered text is the same as a fresh
    one, before 1970 too, and values gmtime cannot take give None instead of an error."""
    import random
    import time

    from embedding_deck.entry import iso_time

    def fresh(ts: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))

    rnd = random.Random(7)
    values = [rnd.uniform(-2e9, 4e9) for _ in range(5000)] + [0.0, -0.5, -1.0, 1.999999, 1e9 + 0.9]
    for ts in values + values:  # the second pass answers from what the first remembered
        assert iso_time(ts) == fresh(ts), ts
    assert iso_time(None) is None
    assert iso_time(float("inf")) is None and iso_time(float("nan")) is None


@pytest.mark.parametrize("case", load_cases()["syntax"], ids=lambda c: c["id"])
def test_query_syntax_cases(case):
    entries = entries_from(load_cases()["entries"])
    favourites = frozenset(r["path"] for r in load_cases()["entries"] if r.get("fav"))
    uses = {r["path"]: r["uses"] for r in load_cases()["entries"] if "uses" in r}
    assert [e.path for e in Query(case["text"], favourites=favourites, uses=uses).run(entries)] == case[
        "expect"
    ]
    parsed = query_syntax.parse(case["text"])
    assert query_syntax.explain(parsed) == case["explain"]
    assert parsed.problems == case["problems"]
    assert parsed.syntax is case["syntax"]
