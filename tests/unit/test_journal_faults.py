"""Fault injection at every step of every file operation, in process and in a killed child.

Each operation runs once cleanly to count its steps (the journal's fault points), then once
per step k with a fault at k: an exception (the in-process rollback runs), or ``os._exit``
in a forked child (nothing of ours runs after it, as with a crash or SIGKILL). Then the
library is repaired as at the next start, and the invariants hold: the library and the
trash are exactly as before the operation or exactly as after it, no temporary file or
journal is left, and a fresh scan lists exactly the embeddings on disk.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass

import factories as f
import pytest
from support import fixture_path

from embedding_deck import Library, convert, fileops, journal, orphans
from embedding_deck.errors import DeckError
from embedding_deck.formats import EMBEDDING_EXTS


class Crash(Exception):
    """The injected fault."""


@dataclass
class Ctx:
    root: str
    trash: str
    journal: journal.Journal

    def group(self, rel: str) -> fileops.Group:
        lib = Library(self.root)
        lib.scan()
        return fileops.group_of(self.root, rel, lambda r: r in lib.entries)

    def stamp(self, rel: str) -> str:
        return fileops.stamp_of(os.path.join(self.root, rel))

    def trash_id(self, reason: str) -> str:
        (item,) = (i for i in fileops.list_trash(self.trash, self.root) if i["reason"] == reason)
        return item["id"]


def _png(seed: int) -> bytes:
    import io

    out = io.BytesIO()
    f.picture(8, 8, seed=seed).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def template(tmp_path) -> str:
    """The library every run starts from (byte-identical copies)."""
    root = str(tmp_path / "template")
    os.makedirs(root)
    shutil.copy(fixture_path("trainer_zip_sd1.pt"), os.path.join(root, "foo.pt"))
    with open(os.path.join(root, "foo.json"), "w") as fh:
        json.dump({"description": "mine", "notes": "keep me"}, fh)
    with open(os.path.join(root, "foo.civitai.info"), "wb") as fh:
        fh.write(random.Random(7).randbytes(300_000))
    with open(os.path.join(root, "foo.txt"), "w") as fh:
        fh.write("a description")
    with open(os.path.join(root, "foo.preview.png"), "wb") as fh:
        fh.write(_png(1))
    f.write_safetensors(os.path.join(root, "Other.safetensors"), {"emb_params": (2, 768)})
    f.write_safetensors(os.path.join(root, "old.safetensors"), {"emb_params": (3, 768)})
    with open(os.path.join(root, "old.json"), "w") as fh:
        json.dump({"notes": "in the trash"}, fh)
    return root


def _setup(base: str, template: str, other_disk: str | None) -> Ctx:
    root = os.path.join(base, "emb")
    shutil.copytree(template, root)
    if other_disk:  # a folder of the library on another file system: moves copy
        target = os.path.join(other_disk, os.path.basename(base))
        os.makedirs(target)
        os.symlink(target, os.path.join(root, "sub"))
    else:
        os.makedirs(os.path.join(root, "sub"))
    trash = os.path.join(base, "cache", "trash")
    ctx = Ctx(root, trash, fileops.journal_for(root, trash))
    fileops.to_trash(root, trash, ctx.group("old.safetensors"), ctx.stamp("old.safetensors"))
    return ctx


def _convert_undo_setup(ctx: Ctx) -> None:
    convert.convert(ctx.root, ctx.trash, ctx.group("foo.pt"), ctx.stamp("foo.pt"))


OPS: dict[str, tuple[Callable[[Ctx], object], Callable[[Ctx], None] | None]] = {
    "rename": (
        lambda c: fileops.rename(c.root, c.group("foo.pt"), "bar", c.stamp("foo.pt"), c.journal),
        None,
    ),
    "move": (
        lambda c: fileops.move(c.root, c.group("foo.pt"), "sub", c.stamp("foo.pt"), ["sub"], c.journal),
        None,
    ),
    "delete": (lambda c: fileops.to_trash(c.root, c.trash, c.group("foo.pt"), c.stamp("foo.pt")), None),
    "restore": (lambda c: fileops.restore(c.root, c.trash, c.trash_id("delete")), None),
    "convert": (lambda c: convert.convert(c.root, c.trash, c.group("foo.pt"), c.stamp("foo.pt")), None),
    "convert-undo": (
        lambda c: convert.undo(
            c.root, c.trash, c.trash_id("convert"), "foo.safetensors", c.stamp("foo.safetensors")
        ),
        _convert_undo_setup,
    ),
    "replace-preview": (
        lambda c: fileops.replace_file(c.root, c.trash, "foo.preview.png", _png(2), "preview"),
        None,
    ),
    "new-preview": (
        lambda c: fileops.replace_file(c.root, c.trash, "Other.preview.png", _png(3), "preview"),
        None,
    ),
    "delete-preview": (lambda c: fileops.trash_file(c.root, c.trash, "foo.preview.png", "preview"), None),
    "empty-trash": (lambda c: fileops.empty_trash(c.trash, c.root), None),
}


# ---- what the invariants compare -----------------------------------------------------------
def _files(root: str) -> dict[str, bytes]:
    out = {}
    for base, _dirs, names in os.walk(root, followlinks=True):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


def _trash(trash: str) -> list[tuple]:
    """Trash items without their ids and times: (path, reason, files)."""
    out = []
    if not os.path.isdir(trash):
        return out
    for item in sorted(os.listdir(trash)):
        folder = os.path.join(trash, item)
        with open(os.path.join(folder, fileops.MANIFEST), encoding="utf-8") as fh:
            manifest = json.load(fh)  # an item without its manifest fails here
        files = _files(os.path.join(folder, "files"))
        assert set(os.listdir(folder)) == {fileops.MANIFEST, "files"}
        out.append(
            (manifest["path"], manifest["reason"], tuple(manifest["files"]), tuple(sorted(files.items())))
        )
    return sorted(out)


def _state(ctx: Ctx) -> tuple:
    return (_files(ctx.root), _trash(ctx.trash))


def _listed(ctx: Ctx) -> set[str]:
    lib = Library(ctx.root)
    lib.scan()
    return set(lib.entries)


def _on_disk(files: dict[str, bytes]) -> set[str]:
    exts = tuple(EMBEDDING_EXTS)
    return {p for p in files if p.lower().endswith(exts) and ".preview." not in p.lower()}


def _check(ctx: Ctx, before: tuple, after: tuple) -> str:
    journal.recover(ctx.journal)
    orphans.sweep(ctx.root, ctx.trash)
    state = _state(ctx)
    temps = [p for p in state[0] if os.path.basename(p).startswith(".edeck-")]
    assert temps == [], f"temporary files left: {temps}"
    assert not os.listdir(ctx.journal.folder) if os.path.isdir(ctx.journal.folder) else True
    assert not [n for n in os.listdir(ctx.trash) if n.startswith(".")] if os.path.isdir(ctx.trash) else True
    assert state in (before, after), "the library is neither as before nor as after the operation"
    assert _listed(ctx) == _on_disk(state[0])
    return "before" if state == before else "after"


def _other_disk(tmp_path) -> str | None:
    shm = "/dev/shm"
    if not os.path.isdir(shm) or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        return None
    return shm


@pytest.fixture(params=["one-disk", "two-disks"])
def disks(request, tmp_path):
    if request.param == "one-disk":
        yield None
        return
    shm = _other_disk(tmp_path)
    if shm is None:
        pytest.skip("no second file system (/dev/shm) on this machine")
    folder = os.path.join(shm, f"edeck-test-{os.getpid()}-{os.path.basename(tmp_path)}")
    os.makedirs(folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _prepared(base: str, template: str, op: str, disks: str | None) -> tuple[Ctx, Callable]:
    ctx = _setup(base, template, disks)
    run, setup = OPS[op]
    if setup:
        setup(ctx)
    return ctx, run


def _count_steps(tmp_path, template: str, op: str, disks: str | None) -> tuple[int, tuple, tuple]:
    ctx, run = _prepared(str(tmp_path / "clean"), template, op, disks)
    before = _state(ctx)
    labels = []
    journal.FAULT = labels.append
    try:
        run(ctx)
    finally:
        journal.FAULT = None
    after = _state(ctx)
    assert after != before
    return len(labels), before, after  # relative paths: runs in other folders compare equal


@pytest.mark.parametrize("op", sorted(OPS))
def test_an_exception_at_every_step_is_rolled_back_or_finished(tmp_path, template, op, disks):
    steps, before, after = _count_steps(tmp_path, template, op, disks)
    assert steps >= 2
    outcomes = []
    for k in range(steps):
        ctx, run = _prepared(str(tmp_path / f"raise-{k}"), template, op, disks)
        calls = []

        def fault(label, calls=calls, k=k):
            calls.append(label)
            if len(calls) == k + 1:
                raise Crash(label)

        journal.FAULT = fault
        try:
            with pytest.raises(Crash):
                run(ctx)
        finally:
            journal.FAULT = None
        outcomes.append(_check(ctx, before, after))
    # a fault at the first step leaves everything as it was; at the last, it is finished
    assert outcomes[0] == "before" and outcomes[-1] == "after"


@pytest.mark.parametrize("op", sorted(OPS))
def test_a_crash_at_every_step_is_repaired_at_the_next_start(tmp_path, template, op, disks):
    steps, before, after = _count_steps(tmp_path, template, op, disks)
    outcomes = []
    for k in range(steps):
        ctx, run = _prepared(str(tmp_path / f"crash-{k}"), template, op, disks)
        pid = os.fork()
        if pid == 0:  # the child: dies at step k, with no cleanup of any kind
            calls = []

            def die(label, calls=calls, k=k):
                calls.append(label)
                if len(calls) == k + 1:
                    os._exit(70)

            journal.FAULT = die
            try:
                run(ctx)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 70
        outcomes.append(_check(ctx, before, after))
    assert outcomes[0] == "before" and outcomes[-1] == "after"


def test_files_left_by_a_crash_without_a_journal_are_never_lost(tmp_path):
    """Temporary names of versions before the journal (or a torn atomic write): a copy of a
    file in place is removed, the only copy is kept under a visible name."""
    root = tmp_path / "emb"
    root.mkdir()
    (root / "foo.json").write_text('{"description": "x"}')
    (root / ".edeck-move-0123456789abcdef.tmp").write_text('{"description": "x"}')  # a copy
    (root / ".edeck-move-fedcba9876543210.tmp").write_text('{"notes": "only here"}')  # the only copy
    (root / ".edeck-aside-00112233445566ff.tmp").write_text('{"notes": "only here"}')  # its twin
    (root / ".edeck-write-00112233445566ff.tmp").write_text("half a save")
    (root / ".edeck-00112233445566ff.tmp").write_text("an older half save")
    notes = orphans.sweep(str(root))
    names = sorted(os.listdir(root))
    assert len(names) == 2 and names[0].startswith("edeck-recovered-") and names[0].endswith(".json")
    assert (root / names[0]).read_text() == '{"notes": "only here"}'
    assert len(notes) == 1 and names[0] in notes[0]


@pytest.mark.parametrize("op", sorted(OPS))
def test_an_io_error_at_every_rename_gives_a_sentence_and_loses_nothing(tmp_path, template, op, monkeypatch):
    """EIO from any os.replace (the journal's own writes included): the answer is a
    sentence (DeckError), never a raw OSError, and the files are as before or as after."""
    steps, before, after = _count_steps(tmp_path, template, op, None)
    real = os.replace
    calls = []
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(a), real(a, b)))
    ctx, run = _prepared(str(tmp_path / "count"), template, op, None)
    calls.clear()
    run(ctx)
    total = len(calls)
    for k in range(total):
        ctx, run = _prepared(str(tmp_path / f"eio-{k}"), template, op, None)
        seen = []

        def failing(a, b, seen=seen, k=k):
            seen.append(a)
            if len(seen) == k + 1:
                raise OSError(errno.EIO, os.strerror(errno.EIO), a)
            return real(a, b)

        monkeypatch.setattr(os, "replace", failing)
        try:
            run(ctx)
        except DeckError as err:
            assert str(err).endswith(".") and "Errno" not in str(err)
        finally:
            monkeypatch.setattr(os, "replace", real)
        _check(ctx, before, after)


def test_a_journal_whose_files_are_long_gone_is_dropped_without_news(tmp_path):
    """A library wiped and made again: its old journal names files that no longer exist."""
    root = tmp_path / "emb"
    root.mkdir()
    log = journal.Journal(str(root), str(tmp_path / "journal"))
    step = {
        "src": str(root / "gone.pt"),
        "dst": str(root / "sub" / "gone.pt"),
        "tmp": str(root / ".x"),
        "aside": "",
    }
    record = {
        "format": journal.FORMAT,
        "id": "20260101-000000-0000aaaa",
        "op": "move gone.pt",
        "root": log.root,
    }
    log.write({**record, "state": "prepare", "started": 1.0, "steps": [step]})
    assert journal.recover(log) == []
    assert os.listdir(tmp_path / "journal") == [] and os.listdir(root) == []
