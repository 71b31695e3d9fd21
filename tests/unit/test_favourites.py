"""Favourites kept by the file's hash: renames and moves by hand keep them."""

from __future__ import annotations

import hashlib
import os

import factories as f

from embedding_deck.favourites import Favourites


def _store(root, data):
    calls = []

    def hasher(rel: str) -> str:
        calls.append(rel)
        with open(os.path.join(root, rel), "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()

    return Favourites(str(data), hasher), calls


def _files(root) -> list[tuple[str, int]]:
    out = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            out.append((os.path.relpath(path, root).replace(os.sep, "/"), os.path.getsize(path)))
    return out


def test_a_favourite_survives_a_rename_and_a_move_by_hand(tmp_path):
    root = tmp_path / "emb"
    os.makedirs(root / "sub")
    f.write_safetensors(str(root / "a.safetensors"), {"emb_params": (2, 768)})
    f.write_safetensors(str(root / "b.safetensors"), {"emb_params": (2, 768)})  # same size, other vectors
    store, calls = _store(str(root), tmp_path / "data")
    assert store.set("a.safetensors", os.path.getsize(root / "a.safetensors"), True) is True
    assert store.paths(_files(str(root))) == {"a.safetensors"}
    calls.clear()
    assert store.paths(_files(str(root))) == {"a.safetensors"}
    assert calls == []  # nothing moved: nothing hashed
    os.rename(root / "a.safetensors", root / "sub" / "renamed.safetensors")
    assert store.paths(_files(str(root))) == {"sub/renamed.safetensors"}
    assert set(calls) <= {"b.safetensors", "sub/renamed.safetensors"}  # only files of that size
    calls.clear()
    assert store.paths(_files(str(root))) == {"sub/renamed.safetensors"}  # the new path was saved
    assert calls == []
    store.set("sub/renamed.safetensors", 0, False)
    assert store.paths(_files(str(root))) == set()


def test_a_deleted_favourite_is_not_listed_and_a_broken_store_means_none(tmp_path):
    root = tmp_path / "emb"
    os.makedirs(root)
    f.write_safetensors(str(root / "a.safetensors"), {"emb_params": (2, 768)})
    store, _ = _store(str(root), tmp_path / "data")
    store.set("a.safetensors", os.path.getsize(root / "a.safetensors"), True)
    os.remove(root / "a.safetensors")
    assert store.paths(_files(str(root))) == set()
    with open(store.file, "w", encoding="utf-8") as fh:
        fh.write("{not json")
    assert store.paths(_files(str(root))) == set()


def test_set_many_writes_the_store_once(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    for name in ("a", "b", "c"):
        f.write_safetensors(str(root / f"{name}.safetensors"), {"emb_params": (ord(name) - 95, 768)})
    store, _calls = _store(str(root), tmp_path / "data")
    files = _files(str(root))
    sizes = dict(files)
    store.set("a.safetensors", sizes["a.safetensors"], True)
    writes = []
    real = store._save
    store._save = lambda records: (writes.append(len(records)), real(records))
    store.set_many([(p, sizes[p], p != "a.safetensors") for p in sorted(sizes)])
    assert writes == [2]
    assert store.paths(files) == {"b.safetensors", "c.safetensors"}


def test_the_store_is_read_again_only_when_it_changed(tmp_path, monkeypatch):
    import embedding_deck.favourites as fav

    root = tmp_path / "lib"
    root.mkdir()
    f.write_safetensors(str(root / "a.safetensors"), {"emb_params": (2, 768)})
    f.write_safetensors(str(root / "b.safetensors"), {"emb_params": (3, 768)})
    files = _files(str(root))
    sizes = dict(files)
    mine, _ = _store(str(root), tmp_path / "data")
    other, _ = _store(str(root), tmp_path / "data")  # another WebUI on the same data folder
    mine.set("a.safetensors", sizes["a.safetensors"], True)
    reads = []
    real = fav.read_list
    monkeypatch.setattr(fav, "read_list", lambda *a: (reads.append(1), real(*a))[1])
    for _ in range(3):
        assert mine.paths(files) == {"a.safetensors"}
    assert reads == []  # unchanged: not read again
    other.set("b.safetensors", sizes["b.safetensors"], True)
    reads.clear()
    assert mine.paths(files) == {"a.safetensors", "b.safetensors"}  # the other's write is seen
    assert len(reads) == 1
