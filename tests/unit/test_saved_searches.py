"""Saved searches: checked input, replace by name, a broken file means none."""

from __future__ import annotations

import pytest

from embedding_deck.saved_searches import MAX_SEARCHES, BadSearch, SavedSearches


def test_save_replace_delete_and_survive_a_new_instance(tmp_path):
    store = SavedSearches(str(tmp_path / "data"))
    assert store.list() == []
    store.save({"name": "SDXL negatives", "text": "arch:sdxl neg", "sort": "vectors", "desc": True})
    store.save({"name": "hands", "text": "hands", "sort": "colour"})  # unknown sort: path
    rows = store.save({"name": "sdxl NEGATIVES", "text": " arch:sdxl ", "desc": "yes"})  # same name: replaced
    assert rows == [
        {"name": "hands", "text": "hands", "sort": "path", "desc": False},
        {"name": "sdxl NEGATIVES", "text": "arch:sdxl", "sort": "path", "desc": False},
    ]
    assert SavedSearches(str(tmp_path / "data")).list() == rows
    assert [r["name"] for r in store.delete("HANDS")] == ["sdxl NEGATIVES"]


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"name": "", "text": "x"},
        {"name": "x" * 81, "text": "x"},
        {"name": "a", "text": ""},
        {"name": "a", "text": "x" * 1001},
        {"name": 3, "text": "x"},
    ],  # fmt: skip
)
def test_bad_searches_are_refused_with_a_sentence(tmp_path, raw):
    with pytest.raises(BadSearch):
        SavedSearches(str(tmp_path)).save(raw)


def test_a_limit_and_a_broken_file(tmp_path):
    store = SavedSearches(str(tmp_path))
    for i in range(MAX_SEARCHES):
        store.save({"name": f"s{i}", "text": "x"})
    with pytest.raises(BadSearch, match="At most"):
        store.save({"name": "one more", "text": "x"})
    store.save({"name": "s0", "text": "y"})  # replacing one is fine
    with open(store.file, "w", encoding="utf-8") as fh:
        fh.write('{"searches": [{"name": "ok", "text": "a"}, {"name": ""}, 7]}')
    assert store.list() == [{"name": "ok", "text": "a", "sort": "path", "desc": False}]
    with open(store.file, "w", encoding="utf-8") as fh:
        fh.write("not json")
    assert store.list() == []
