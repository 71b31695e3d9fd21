"""Rename, move, delete to the trash, restore and convert on real folders, with every kind
of sidecar; collisions and stale stamps refused; a crash at any step rolled back."""

from __future__ import annotations

import errno
import json
import os
import shutil

import factories as f
import pytest
from support import fixture_path

from embedding_deck import Library, fileops
from embedding_deck.errors import NotFound, OutsideRoot, StaleWrite
from embedding_deck.fileops import NameRefused, TargetExists

SIDECARS = [
    "foo.json",
    "foo.civitai.info",
    "foo.txt",
    "foo.description.txt",
    "foo.preview.png",
    "foo.preview.jpg",
    "foo.png",
]


@pytest.fixture
def lib(emb_dir, tmp_path):
    root = str(emb_dir)
    shutil.copy(fixture_path("trainer_zip_sd1.pt"), emb_dir / "foo.pt")
    for name in SIDECARS:
        if name.endswith((".png", ".jpg")):
            f.picture(8, 8).save(emb_dir / name)
        elif name.endswith((".json", ".info")):
            (emb_dir / name).write_text(json.dumps({"description": name}))
        else:
            (emb_dir / name).write_text(name)
    shutil.copy(fixture_path("diffusers_1d.bin"), emb_dir / "foobar.bin")
    (emb_dir / "foobar.json").write_text("{}")
    f.write_safetensors(str(emb_dir / "Other.safetensors"), {"emb_params": (2, 768)})
    f.write_png_text(str(emb_dir / "img.png"), f.json_payload(2, name="inner-500"))
    f.picture(8, 8).save(emb_dir / "img.preview.png")
    (emb_dir / "img.json").write_text("{}")
    (emb_dir / "sub").mkdir()
    library = Library(root)
    library.scan()
    library.trash = str(tmp_path / "cache" / "trash")
    return library


def _snapshot(root: str) -> dict[str, bytes]:
    out = {}
    for base, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


def _group(lib, rel="foo.pt"):
    return fileops.group_of(lib.root, rel, lambda r: r in lib.entries)


def _stamp(lib, rel="foo.pt"):
    return fileops.stamp_of(os.path.join(lib.root, rel))


def test_the_group_is_every_sidecar_and_no_other_embedding(lib):
    assert sorted(_group(lib).sidecars) == sorted(SIDECARS)
    # an image embedding takes its X.preview.* but never a plain picture of its stem
    assert sorted(_group(lib, "img.png").sidecars) == ["img.json", "img.preview.png"]


def test_rename_moves_every_sidecar(lib):
    before = _snapshot(lib.root)
    moved = fileops.rename(lib.root, _group(lib), "bar", _stamp(lib))
    after = _snapshot(lib.root)
    assert moved.new == "bar.pt" and moved.files["foo.preview.png"] == "bar.preview.png"
    for old, new in moved.files.items():
        assert after[new] == before[old] and old not in after
    entry = {e.path: e for e in lib.scan()}["bar.pt"]
    assert entry.preview == "bar.preview.png" and entry.metadata["description"] == "foo.json"
    assert len(entry.sidecars) == 4


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        (" bar", "space"),
        ("a(b)", "prompt syntax"),
        ("a:b", "prompt syntax"),
        ("a,b", "prompt syntax"),
        ("a/b", "prompt syntax"),
        ("a\x01b", "control"),
        (".hidden", "hidden"),
        ("CON", "device"),
        ("x.preview", "preview"),
        ("x" * 201, "longer"),
    ],
)
def test_unusable_names_are_refused(lib, name, why):
    before = _snapshot(lib.root)
    with pytest.raises(NameRefused, match=why):
        fileops.rename(lib.root, _group(lib), name, _stamp(lib))
    assert _snapshot(lib.root) == before


def test_collisions_and_existing_targets_are_refused(lib):
    with pytest.raises(NameRefused, match="already called"):
        fileops.check_collision("other", "foo", [e.name for e in lib.entries.values()])
    fileops.check_collision("FOO", "foo", ["foo"])  # a change of case only is the same name
    (lib.root and open(os.path.join(lib.root, "bar.civitai.info"), "w")).close()
    before = _snapshot(lib.root)
    with pytest.raises(TargetExists, match=r"bar\.civitai\.info already exists"):
        fileops.rename(lib.root, _group(lib), "bar", _stamp(lib))
    assert _snapshot(lib.root) == before


def test_a_file_changed_since_the_page_loaded_is_refused(lib):
    stamp = _stamp(lib)
    os.utime(os.path.join(lib.root, "foo.pt"), ns=(1, 1))
    with pytest.raises(StaleWrite, match="changed on disk"):
        fileops.rename(lib.root, _group(lib), "bar", stamp)
    with pytest.raises(StaleWrite):
        fileops.to_trash(lib.root, lib.trash, _group(lib), None)


def test_paths_leaving_the_folder_are_refused(lib):
    for rel in ("../foo.pt", "/etc/passwd", "sub/../foo.pt"):
        with pytest.raises(OutsideRoot):
            _group(lib, rel)
    with pytest.raises(NotFound):
        fileops.move(lib.root, _group(lib), "..", _stamp(lib), lib.folders)


def test_move_into_a_folder_and_back(lib):
    before = _snapshot(lib.root)
    moved = fileops.move(lib.root, _group(lib), "sub", _stamp(lib), lib.folders)
    assert moved.new == "sub/foo.pt" and os.path.exists(os.path.join(lib.root, "sub", "foo.description.txt"))
    lib.scan()
    back = fileops.move(lib.root, _group(lib, "sub/foo.pt"), "", _stamp(lib, "sub/foo.pt"), lib.folders)
    assert back.new == "foo.pt" and _snapshot(lib.root) == before


def test_move_refuses_a_taken_name_in_the_target(lib):
    (open(os.path.join(lib.root, "sub", "foo.txt"), "w")).close()
    before = _snapshot(lib.root)
    with pytest.raises(TargetExists):
        fileops.move(lib.root, _group(lib), "sub", _stamp(lib), lib.folders)
    assert _snapshot(lib.root) == before


def test_delete_to_the_trash_and_restore(lib):
    before = _snapshot(lib.root)
    moved = fileops.to_trash(lib.root, lib.trash, _group(lib), _stamp(lib))
    assert not any(n.startswith("foo.") for n in os.listdir(lib.root))
    assert not lib.trash.startswith(lib.root)
    [item] = fileops.list_trash(lib.trash, lib.root)
    assert item["id"] == moved.trash_id and item["path"] == "foo.pt" and len(item["files"]) == 8
    fileops.restore(lib.root, lib.trash, moved.trash_id)
    assert _snapshot(lib.root) == before and fileops.list_trash(lib.trash, lib.root) == []


def test_restore_refuses_when_the_path_is_taken(lib):
    moved = fileops.to_trash(lib.root, lib.trash, _group(lib), _stamp(lib))
    open(os.path.join(lib.root, "foo.txt"), "w").close()
    with pytest.raises(TargetExists, match="exists again"):
        fileops.restore(lib.root, lib.trash, moved.trash_id)
    assert len(fileops.list_trash(lib.trash, lib.root)) == 1
    for bad in ("../x", "20260101-000000-zzzzzzzz", None, "x" * 5):
        with pytest.raises(NotFound):
            fileops.restore(lib.root, lib.trash, bad)


def test_restore_makes_a_removed_folder_again(lib):
    fileops.move(lib.root, _group(lib), "sub", _stamp(lib), lib.folders)
    lib.scan()
    moved = fileops.to_trash(lib.root, lib.trash, _group(lib, "sub/foo.pt"), _stamp(lib, "sub/foo.pt"))
    os.rmdir(os.path.join(lib.root, "sub"))
    fileops.restore(lib.root, lib.trash, moved.trash_id)
    assert os.path.exists(os.path.join(lib.root, "sub", "foo.preview.jpg"))


def test_empty_trash(lib):
    fileops.to_trash(lib.root, lib.trash, _group(lib), _stamp(lib))
    keep = fileops.to_trash(lib.root, lib.trash, _group(lib, "foobar.bin"), _stamp(lib, "foobar.bin"))
    assert fileops.empty_trash(lib.trash, lib.root, ["nope", keep.trash_id]) == 1
    assert fileops.empty_trash(lib.trash, lib.root) == 1
    assert os.listdir(lib.trash) == []


def _fail_on(monkeypatch, n: int, err: int = errno.EIO):
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == n:
            raise OSError(err, os.strerror(err))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_a_trash_on_another_file_system(lib, monkeypatch):
    """os.replace across devices fails (EXDEV): files are copied, originals removed last."""
    real = os.replace

    def replace(src, dst):
        if (lib.trash in src) != (lib.trash in dst):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    before = _snapshot(lib.root)
    moved = fileops.to_trash(lib.root, lib.trash, _group(lib), _stamp(lib))
    assert not os.path.exists(os.path.join(lib.root, "foo.pt"))
    assert [n for n in os.listdir(lib.root) if n.endswith(".tmp")] == []
    fileops.restore(lib.root, lib.trash, moved.trash_id)
    assert _snapshot(lib.root) == before
