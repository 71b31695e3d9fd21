"""Writing X.json: merge only changed keys, keep unknown keys, atomic, conflicts refused."""

from __future__ import annotations

import json
import os
import threading

import pytest

from embedding_deck import atomic, sidecar, user_metadata
from embedding_deck.errors import StaleWrite


def _write(path, data) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh)


def test_merge_keeps_unknown_keys_and_writes_forge_version(tmp_path):
    path = str(tmp_path / "EasyNegative.json")
    original = {"description": "old", "civitai": {"id": 7}, "custom": [1, "x"], "notes": "n"}
    _write(path, original)
    _, stamp = sidecar.read_user_metadata(path)
    written, notice = user_metadata.merge_changes(
        path,
        {"description": {"from": "old", "to": "new"}, "sd version": {"from": None, "to": "SDXL"}},
        stamp,
    )
    assert notice is None
    with open(path, encoding="utf-8") as fh:
        on_disk = json.load(fh)
    assert on_disk == written
    assert on_disk == {
        **original,
        "description": "new",
        "sd version": "SDXL",
        "sd_version_str": "SdVersion.SDXL",
    }


def test_emptied_field_is_removed_and_missing_file_created(tmp_path):
    path = str(tmp_path / "new.json")
    user_metadata.merge_changes(path, {"notes": {"from": None, "to": "hello"}}, None)
    assert json.load(open(path, encoding="utf-8")) == {"notes": "hello"}
    _, stamp = sidecar.read_user_metadata(path)
    user_metadata.merge_changes(path, {"notes": {"from": "hello", "to": ""}}, stamp)
    assert json.load(open(path, encoding="utf-8")) == {}


def test_other_programs_keys_are_merged_with_a_notice(tmp_path):
    path = str(tmp_path / "x.json")
    _write(path, {"description": "a"})
    _, stamp = sidecar.read_user_metadata(path)
    _write(path, {"description": "a", "activation text": "by civitai helper"})  # another tool
    written, notice = user_metadata.merge_changes(path, {"notes": {"from": None, "to": "mine"}}, stamp)
    assert "merged" in notice
    assert written == {"description": "a", "activation text": "by civitai helper", "notes": "mine"}


def test_same_key_changed_elsewhere_is_refused_and_file_untouched(tmp_path):
    path = str(tmp_path / "x.json")
    _write(path, {"description": "a"})
    _, stamp = sidecar.read_user_metadata(path)
    _write(path, {"description": "theirs"})
    before = open(path, "rb").read()
    with pytest.raises(StaleWrite, match="changed by another program"):
        user_metadata.merge_changes(path, {"description": {"from": "a", "to": "mine"}}, stamp)
    assert open(path, "rb").read() == before


def test_two_saves_racing_never_lose_an_edit(tmp_path):
    path = str(tmp_path / "x.json")
    _write(path, {"description": "start"})
    _, stamp = sidecar.read_user_metadata(path)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(key: str, value: str) -> None:
        barrier.wait()
        try:
            results[key] = user_metadata.merge_changes(path, {key: {"from": None, "to": value}}, stamp)
        except StaleWrite as err:
            results[key] = err

    threads = [threading.Thread(target=save, args=a) for a in (("notes", "A"), ("activation text", "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = json.load(open(path, encoding="utf-8"))
    # different keys: both land, whatever the interleaving; the second one is told
    assert final == {"description": "start", "notes": "A", "activation text": "B"}
    notices = [r[1] for r in results.values()]
    assert notices.count(None) == 1 and any(n and "merged" in n for n in notices)


def test_two_saves_racing_on_the_same_key_refuse_the_second(tmp_path):
    path = str(tmp_path / "x.json")
    _write(path, {"notes": "start"})
    _, stamp = sidecar.read_user_metadata(path)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def save(value: str) -> None:
        barrier.wait()
        try:
            results.append(
                user_metadata.merge_changes(path, {"notes": {"from": "start", "to": value}}, stamp)
            )
        except StaleWrite as err:
            results.append(err)

    threads = [threading.Thread(target=save, args=(v,)) for v in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, StaleWrite) for r in results) == 1
    assert json.load(open(path, encoding="utf-8"))["notes"] in ("A", "B")


def test_corrupt_sidecar_is_refused_and_kept(tmp_path):
    path = str(tmp_path / "x.json")
    with open(path, "w") as fh:
        fh.write("{broken")
    with pytest.raises(ValueError, match="not valid JSON"):
        user_metadata.merge_changes(path, {"notes": {"from": None, "to": "x"}}, None)
    assert open(path).read() == "{broken"


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / "x.json")
    _write(path, {"description": "keep me"})
    _, stamp = sidecar.read_user_metadata(path)

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        user_metadata.merge_changes(path, {"description": {"from": "keep me", "to": "lost"}}, stamp)
    assert json.load(open(path)) == {"description": "keep me"}
    assert [n for n in os.listdir(tmp_path) if n.startswith(".edeck-")] == []


def test_atomic_write_bytes_replaces_in_one_step(tmp_path):
    path = str(tmp_path / "f.bin")
    atomic.atomic_write_bytes(path, b"one")
    atomic.atomic_write_bytes(path, b"two")
    assert open(path, "rb").read() == b"two"


def test_edited_tags_add_and_remove_without_case():
    from embedding_deck.user_metadata import edited_tags

    assert edited_tags(["Hands", "sdxl"], ["hands", "go-to", "Go-To"], []) == ["Hands", "sdxl", "go-to"]
    assert edited_tags(["Hands", "sdxl"], [], ["HANDS"]) == ["sdxl"]
    assert edited_tags(None, [" new "], []) == ["new"]
    assert edited_tags(["a", 3, "b"], [], ["b"]) == ["a"]  # a non-text tag from elsewhere is dropped
    assert edited_tags(["a"], ["x"], ["x"]) == ["a"]  # removing wins over adding
