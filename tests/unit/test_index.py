"""Library scans on real folders: walk rules, names, collisions, sidecars, previews, cache."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import factories as f
from support import fixture_path

from embedding_deck import Library


def st(folder, rel, shapes=None) -> str:
    path = os.path.join(str(folder), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return f.write_safetensors(path, shapes or {"emb_params": (2, 768)})


def by_path(entries) -> dict:
    return {e.path: e for e in entries}


def test_walk_rules_and_fields(emb_dir):
    st(emb_dir, "EasyNegative.safetensors")
    st(emb_dir, "SDXL/negativeXL_D.safetensors", {"clip_g": (8, 1280), "clip_l": (8, 768)})
    st(emb_dir, ".hidden/secret.safetensors")
    st(emb_dir, "日本語/ネガティブ (v2).safetensors", {"x": (4, 1024)})
    shutil.copy(fixture_path("trainer_legacy_sd2.pt"), emb_dir / "legacy.PT")
    (emb_dir / "notes.txt").write_text("not an embedding")
    (emb_dir / "x.preview.png").write_bytes(b"ignored by name")
    entries = by_path(Library(str(emb_dir)).scan())
    assert set(entries) == {
        "EasyNegative.safetensors",
        "SDXL/negativeXL_D.safetensors",
        ".hidden/secret.safetensors",
        "日本語/ネガティブ (v2).safetensors",
        "legacy.PT",
    }
    xl = entries["SDXL/negativeXL_D.safetensors"]
    assert (xl.name, xl.folder, xl.arch, xl.vectors) == ("negativeXL_D", "SDXL", "SDXL", 8)
    jp = entries["日本語/ネガティブ (v2).safetensors"]
    assert (jp.name, jp.arch, jp.folder) == ("ネガティブ (v2)", "SD2", "日本語")
    assert entries[".hidden/secret.safetensors"].hidden
    assert entries["legacy.PT"].step == 1200
    assert entries["EasyNegative.safetensors"].created_clock in ("birth", "mtime")
    assert entries["EasyNegative.safetensors"].size == os.path.getsize(emb_dir / "EasyNegative.safetensors")


def test_broken_files_are_entries_with_sentences(emb_dir):
    (emb_dir / "empty.pt").write_bytes(b"")
    (emb_dir / "dir.pt").mkdir()
    (emb_dir / "noise.safetensors").write_bytes(os.urandom(300))
    os.symlink("loop.pt", emb_dir / "loop.pt")
    os.symlink("missing.safetensors", emb_dir / "dangling.safetensors")
    entries = by_path(Library(str(emb_dir)).scan())
    assert "empty" in entries["empty.pt"].error and "skips" in entries["empty.pt"].error
    assert "folder" in entries["dir.pt"].error
    assert entries["noise.safetensors"].error
    assert "loops back" in entries["loop.pt"].error
    assert "does not exist" in entries["dangling.safetensors"].error
    assert all(e.arch == "unknown" for e in entries.values())


def test_symlinked_folders_followed_without_looping(emb_dir, tmp_path):
    outside = tmp_path / "shared"
    st(outside, "shared_emb.safetensors")
    os.symlink(outside, emb_dir / "linked")
    os.symlink(".", emb_dir / "self_loop")
    lib = Library(str(emb_dir))
    entries = by_path(lib.scan())
    assert "linked/shared_emb.safetensors" in entries
    assert "self_loop" in lib.repeated_folders
    assert len(entries) == 1


def test_permission_denied_as_another_user(tmp_path):
    """Root reads everything, so run the scan as 'nobody' to get a real EACCES."""
    if os.geteuid() != 0:
        folder = tmp_path / "emb"
        folder.mkdir()
        locked = st(folder, "locked.safetensors")
        os.chmod(locked, 0)
        entry = Library(str(folder)).scan()[0]
        assert "Permission denied" in entry.error
        return
    base = "/tmp/edeck-perm-test"
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base, mode=0o755)
    os.chmod(base, 0o755)
    locked = st(base, "locked.safetensors")
    st(base, "open.safetensors")
    os.chmod(locked, 0)
    os.chmod(os.path.join(base, "open.safetensors"), 0o644)
    errors = _scan_as_nobody(base)
    shutil.rmtree(base, ignore_errors=True)
    assert "Permission denied" in errors["locked.safetensors"]
    assert errors["open.safetensors"] is None


def _scan_as_nobody(folder: str) -> dict:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop to 'nobody', scan, report, exit without cleanup handlers
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            result = {e.path: e.error for e in Library(folder).scan()}
            os.write(write_end, json.dumps(result).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def test_name_collisions(emb_dir):
    st(emb_dir, "EasyNegative.safetensors")
    st(emb_dir, "SD15/EasyNegative.safetensors")
    st(emb_dir, "EasyNegativeV2.safetensors")
    entries = by_path(Library(str(emb_dir)).scan())
    root, sub = entries["EasyNegative.safetensors"], entries["SD15/EasyNegative.safetensors"]
    assert root.collides_with == ["SD15/EasyNegative.safetensors"]
    assert sub.collides_with == ["EasyNegative.safetensors"]
    # the WebUI walks the root's files before sub-folders: the sub-folder file wins
    assert (root.collision_winner, sub.collision_winner) == (False, True)
    assert entries["EasyNegativeV2.safetensors"].collides_with == []


def test_collision_ends_when_a_twin_goes(emb_dir):
    st(emb_dir, "EasyNegative.safetensors")
    st(emb_dir, "SD15/EasyNegative.safetensors")
    st(emb_dir, "SD15/bad_hands.safetensors")
    st(emb_dir, "bad_hands.safetensors")
    lib = Library(str(emb_dir))
    lib.scan()
    os.unlink(emb_dir / "SD15" / "EasyNegative.safetensors")
    entries = by_path(lib.scan())
    kept = entries["EasyNegative.safetensors"]
    assert (kept.collides_with, kept.collision_winner) == ([], None)
    twin = entries["SD15/bad_hands.safetensors"]
    assert (twin.collides_with, twin.collision_winner) == (["bad_hands.safetensors"], True)


def test_image_embedding_name_and_preview(emb_dir):
    f.write_png_text(str(emb_dir / "foo.png"), f.json_payload(8, name="myemb-500"))
    plain = emb_dir / "bar.png"
    f.picture().save(plain)
    entries = by_path(Library(str(emb_dir)).scan())
    assert set(entries) == {"foo.png"}  # bar.png is a plain picture: not listed
    assert entries["foo.png"].name == "myemb-500"
    assert entries["foo.png"].preview == "foo.png"
    f.picture().save(emb_dir / "foo.preview.png")
    assert by_path(Library(str(emb_dir)).scan())["foo.png"].preview == "foo.preview.png"


def test_preview_order_is_fixed(emb_dir):
    st(emb_dir, "a.safetensors")
    f.picture().save(emb_dir / "a.preview.png")
    f.picture().save(emb_dir / "a.jpg")
    st(emb_dir, "b.safetensors")
    f.picture().save(emb_dir / "b.preview.png")
    f.picture().save(emb_dir / "b.png")
    st(emb_dir, "c.safetensors")
    f.picture().save(emb_dir / "C.Preview.JPG")
    entries = by_path(Library(str(emb_dir)).scan())
    assert entries["a.safetensors"].preview == "a.preview.png"  # png family before jpg
    assert entries["b.safetensors"].preview == "b.preview.png"  # the explicit preview wins
    assert entries["c.safetensors"].preview == "C.Preview.JPG"  # case-insensitive fallback


def test_sidecars(emb_dir):
    st(emb_dir, "neg/bad.safetensors")
    (emb_dir / "neg/bad.txt").write_text("from txt")
    (emb_dir / "neg/bad.json").write_text(
        json.dumps({"description": "from json", "notes": "n", "sd version": "SD1", "custom": [1]})
    )
    (emb_dir / "neg/bad.civitai.info").write_text(
        json.dumps({"name": "v1", "baseModel": "SD 1.5", "trainedWords": ["bad"], "model": {"name": "Bad"}})
    )
    st(emb_dir, "neg/txt_only.safetensors")
    (emb_dir / "neg/txt_only.description.txt").write_text("described")
    st(emb_dir, "neg/corrupt.safetensors")
    (emb_dir / "neg/corrupt.json").write_text("{not json")
    entries = by_path(Library(str(emb_dir)).scan())
    bad = entries["neg/bad.safetensors"]
    assert bad.metadata["description"] == "from json"
    assert bad.metadata["custom"] == [1]
    assert bad.metadata["civitai"]["base_model"] == "SD 1.5"
    assert sorted(bad.sidecars) == ["neg/bad.civitai.info", "neg/bad.json", "neg/bad.txt"]
    assert entries["neg/txt_only.safetensors"].metadata["description"] == "described"
    corrupt = entries["neg/corrupt.safetensors"]
    assert corrupt.error is None and "not valid JSON" in corrupt.warnings[0]
    assert Path(emb_dir / "neg/corrupt.json").read_text() == "{not json"


def test_cache_reuses_unchanged_and_rereads_changed(emb_dir, tmp_path, monkeypatch):
    cache = str(tmp_path / "cache" / "index.json")
    st(emb_dir, "a.safetensors")
    st(emb_dir, "b.safetensors")
    first = Library(str(emb_dir), cache)
    first.scan()
    first.flush()
    assert os.path.exists(cache)

    calls = []
    import embedding_deck.index as index_mod

    real = index_mod.read_file
    monkeypatch.setattr(index_mod, "read_file", lambda p, s: calls.append(p) or real(p, s))
    lib = Library(str(emb_dir), cache)  # new process-like start: warm from the cache file
    lib.scan()
    assert calls == []
    time.sleep(0.01)
    st(emb_dir, "b.safetensors", {"emb_params": (5, 1024)})
    entries = by_path(lib.scan())
    assert [os.path.basename(c) for c in calls] == ["b.safetensors"]
    assert (entries["b.safetensors"].arch, entries["b.safetensors"].vectors) == ("SD2", 5)
    (emb_dir / "a.json").write_text('{"description": "new"}')
    assert by_path(lib.scan())["a.safetensors"].metadata["description"] == "new"
    os.unlink(emb_dir / "a.safetensors")
    assert set(by_path(lib.scan())) == {"b.safetensors"}


def test_missing_root_raises_oserror(tmp_path):
    try:
        Library(str(tmp_path / "nope")).scan()
    except OSError:
        return
    raise AssertionError("expected OSError")


def test_reused_listings_still_see_in_place_edits(emb_dir, monkeypatch):
    """An unchanged folder is not listed again, but its files are stat'ed again: a sidecar
    or embedding rewritten in place (same inode, folder mtime unchanged) is still seen."""
    from embedding_deck.scan import Walker

    monkeypatch.setattr(Walker, "SETTLE_NS", 0)
    st(emb_dir, "sub/a.safetensors")
    (emb_dir / "sub/a.json").write_text('{"description": "one"}')
    lib = Library(str(emb_dir))
    lib.scan()
    folder_mtime = os.stat(emb_dir / "sub").st_mtime_ns
    time.sleep(0.01)
    with open(emb_dir / "sub/a.json", "r+") as fh:  # in place, as A1111's editor writes
        fh.write('{"description": "two"}')
    with open(emb_dir / "sub/a.safetensors", "r+b") as fh:
        fh.seek(0, 2)
        fh.write(b" ")  # now one byte too long: still read, size changed
    assert os.stat(emb_dir / "sub").st_mtime_ns == folder_mtime  # the listing is reused
    entry = by_path(lib.scan())["sub/a.safetensors"]
    assert entry.metadata["description"] == "two"
    assert entry.size == os.path.getsize(emb_dir / "sub/a.safetensors")
    st(emb_dir, "sub/b.safetensors")  # a new name changes the folder mtime: listed again
    assert "sub/b.safetensors" in by_path(lib.scan())


def test_new_sidecar_or_preview_in_a_scanned_folder_is_seen(emb_dir, monkeypatch):
    """Stem, sidecars and preview of a name are remembered per listing: a new neighbour
    changes the folder, so the next scan sees it (and forgets a removed one)."""
    from embedding_deck.scan import Walker

    monkeypatch.setattr(Walker, "SETTLE_NS", 0)
    st(emb_dir, "sub/a.safetensors")
    lib = Library(str(emb_dir))
    lib.scan()
    lib.scan()  # now from the reused listing
    time.sleep(0.05)  # past the file system's coarse clock tick, so the folder mtime moves
    f.picture().save(emb_dir / "sub" / "a.preview.png")
    (emb_dir / "sub" / "a.txt").write_text("from a text file")
    entry = by_path(lib.scan())["sub/a.safetensors"]
    assert (entry.preview, entry.metadata.get("description")) == ("sub/a.preview.png", "from a text file")
    assert by_path(lib.scan())["sub/a.safetensors"].preview == "sub/a.preview.png"  # reused again
    time.sleep(0.05)
    os.unlink(emb_dir / "sub" / "a.preview.png")
    os.unlink(emb_dir / "sub" / "a.txt")
    entry = by_path(lib.scan())["sub/a.safetensors"]
    assert (entry.preview, entry.metadata.get("description")) == (None, None)


def test_a_file_recopied_with_its_old_mtime_and_inode_is_read_again(emb_dir, tmp_path, monkeypatch):
    """Size, mtime and inode can all come back (cp -p onto a freed inode); the ctime cannot,
    so the file is read again and its date created is asked afresh, in process and from the
    cache file."""
    import embedding_deck.index as index_mod

    cache = str(tmp_path / "cache" / "index.json")
    path = st(emb_dir, "a.safetensors", {"emb_params": (2, 768)})
    lib = Library(str(emb_dir), cache)
    assert lib.scan()[0].vectors == 2
    lib.flush()
    before = os.stat(path)
    time.sleep(0.05)  # past the file system's coarse clock tick, so the ctime moves
    data = open(path, "rb").read().replace(b"[2,768]", b"[3,512]")  # same length, new shape
    with open(path, "r+b") as fh:
        fh.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    monkeypatch.setattr(index_mod, "birth_time", lambda _p, _st: (1_234_567_890.0, "birth"))
    entry = lib.scan()[0]
    assert (entry.vectors, entry.created) == (3, 1_234_567_890.0)
    lib.flush()
    warm = Library(str(emb_dir), cache).scan()[0]  # a new process trusts the cache file
    assert (warm.vectors, warm.created) == (3, 1_234_567_890.0)


def test_refresh_one_marks_collisions_as_a_full_scan_would(emb_dir):
    """refresh_one re-marks only the changed file's old and new names: the same marks as
    a full scan after each of these renames (a twin made, broken, undone)."""
    st(emb_dir, "a.safetensors")
    st(emb_dir, "SD15/a.safetensors")
    st(emb_dir, "SD15/b.safetensors")
    st(emb_dir, "c.safetensors")
    lib = Library(str(emb_dir))
    lib.scan()

    def marks(entries) -> dict:
        return {e.path: (sorted(e.collides_with), e.collision_winner) for e in entries}

    for old, new in (
        ("c.safetensors", "b.safetensors"),  # b gains a twin
        ("SD15/a.safetensors", "SD15/d.safetensors"),  # a loses its twin
        ("b.safetensors", "c.safetensors"),  # and back
    ):
        os.rename(emb_dir / old, emb_dir / new)
        lib.refresh_one(old)
        lib.refresh_one(new)
        fresh = Library(str(emb_dir))
        assert marks(lib.entries.values()) == marks(fresh.scan()), (old, new)


def test_deferred_saves_write_the_cache_once(emb_dir, tmp_path, monkeypatch):
    for i in range(3):
        st(emb_dir, f"e{i}.safetensors")
    lib = Library(str(emb_dir), str(tmp_path / "cache.json"))
    lib.scan()
    lib.flush()
    writes = []
    real = lib._write_cache
    monkeypatch.setattr(lib, "_write_cache", lambda *a: (writes.append(1), real(*a)))
    with lib.deferred_saves():
        for i in range(3):
            os.utime(emb_dir / f"e{i}.safetensors", (1, 1))
            lib.refresh_one(f"e{i}.safetensors")
        assert writes == []
    lib.flush()
    assert writes == [1]
