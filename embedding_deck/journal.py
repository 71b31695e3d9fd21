"""The intent journal: a multi-file operation happens completely or not at all, even across a crash.

An operation is a list of ``Step``s, each one file: moved (``src`` → ``dst``), created
(new bytes → ``dst``) or removed (``src`` → nothing). ``run`` carries them out in phases:

1. **prepare**: the journal, naming every source, temporary and final path, is written
   (atomically, fsynced with its folder) before any file moves;
2. **stage**: each file goes to a temporary name in its destination folder
   (``.edeck-move-*.tmp``): a rename, or across file systems a fsynced copy, after which the
   original is renamed aside (``.edeck-aside-*.tmp``) until the end; new bytes are written
   to their temporary name and fsynced;
3. **commit**: the journal is rewritten with ``"state": "commit"``; this is the point of no
   return;
4. **finish**: every temporary file takes its final name, removed files and originals set
   aside are deleted, folders emptied by the operation are removed; then the journal goes.

A failure before the commit rolls every file back; after it, rolls forward. A journal left
by a crash (``recover``) is handled the same way: rolled back in ``prepare``, finished in
``commit``. Both are idempotent and never delete the only copy of a file: a temporary that
is not provably a copy of a file still in place is kept under a visible name.

Where the journal lives: ``<cache>/journal/<id>.json`` beside the trash (outside the
library, so the WebUI never walks it) and the same record as ``.edeck-journal.json`` in the
embeddings folder itself, so another WebUI sharing the folder finds and repairs it too. The
folder's lock (``locks``) makes sure one operation runs at a time, so one marker suffices.

``FAULT`` is the test hook: called with a label before every step that changes a file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .atomic import atomic_write_json, fsync_folder
from .errors import DeckError

FORMAT = "edeck-journal/1"
MARKER = ".edeck-journal.json"
FAULT: Callable[[str], None] | None = None


def point(label: str) -> None:
    """A step boundary: the tests' fault hook runs here."""
    if FAULT is not None:
        FAULT(label)


class Unfinished(DeckError):
    """An operation stopped half-way and could not be put back yet; its journal stays."""

    status_hint = 500


@dataclass
class Step:
    """One file of an operation. ``src`` None: new ``data`` lands at ``dst``; ``dst`` None:
    ``src`` is removed. ``mode``: permission bits for new data (else the umask's)."""

    src: str | None
    dst: str | None
    data: bytes | None = None
    mode: int | None = None
    tmp: str = ""
    aside: str = ""

    def record(self) -> dict[str, Any]:
        return {"src": self.src, "dst": self.dst, "tmp": self.tmp, "aside": self.aside}


class Journal:
    """Where one library's journals are written: the cache's folder and the library marker."""

    def __init__(self, root: str, folder: str | None = None) -> None:
        self.root = os.path.abspath(root)
        self.folder = folder

    def _files(self, op_id: str) -> list[str]:
        files = [os.path.join(self.root, MARKER)]
        if self.folder:
            files.insert(0, os.path.join(self.folder, f"{op_id}.json"))
        return files

    def write(self, record: dict[str, Any]) -> None:
        """Write the record to every place, durably; DeckError when none could be written."""
        written = 0
        failure: OSError | None = None
        for path in self._files(record["id"]):
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                atomic_write_json(path, record, indent=1)
                fsync_folder(os.path.dirname(path))
                written += 1
            except OSError as err:
                failure = err
        if not written:
            why = failure.strerror if failure and failure.strerror else "no place to write it"
            raise DeckError(f"Could not write the operation's journal ({why}); nothing was changed.")

    def remove(self, record: dict[str, Any]) -> None:
        for path in self._files(record["id"]):
            if not os.path.lexists(path):  # never written there (a read-only folder)
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                fsync_folder(os.path.dirname(path))

    def pending(self) -> list[dict[str, Any]]:
        """Journals of this library left behind, oldest first (a committed copy wins)."""
        found: dict[str, dict[str, Any]] = {}
        paths = [os.path.join(self.root, MARKER)]
        if self.folder and os.path.isdir(self.folder):
            paths += [
                os.path.join(self.folder, n) for n in sorted(os.listdir(self.folder)) if n.endswith(".json")
            ]
        for path in paths:
            record = _read(path)
            if record is None or record.get("root") != self.root and not path.endswith(MARKER):
                continue
            old = found.get(record["id"])
            if old is None or record.get("state") == "commit":
                found[record["id"]] = record
        return sorted(found.values(), key=lambda r: r.get("started", 0))

    def marker_left(self) -> bool:
        return os.path.lexists(os.path.join(self.root, MARKER))


def _read(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("format") != FORMAT
        or not isinstance(record.get("id"), str)
    ):
        return None
    if not isinstance(record.get("steps"), list):
        return None
    return record


# ---- running an operation -------------------------------------------------------------
def temp_name(folder: str, kind: str = "move") -> str:
    return os.path.join(folder, f".edeck-{kind}-{secrets.token_hex(8)}.tmp")


def run(
    journal: Journal,
    op: str,
    steps: list[Step],
    made_dirs: Iterable[str] = (),
    done_dirs: Iterable[str] = (),
) -> None:
    """Carry out ``steps`` all or nothing; ``op`` says what, e.g. "rename foo.pt".

    ``made_dirs``: folders the operation makes (removed again, if empty, on rollback);
    ``done_dirs``: folders removed, if empty, at the end. Raises DeckError with a sentence
    when it did nothing."""
    if journal.marker_left():
        raise Unfinished(
            "An earlier file operation in this folder is unfinished and could not be repaired; "
            "press Refresh, and see the log, before changing files."
        )
    for step in steps:
        base = os.path.dirname(step.dst or step.src or "")
        step.tmp = temp_name(base)
        step.aside = temp_name(os.path.dirname(step.src), "aside") if step.src else ""
    record = {
        "format": FORMAT,
        "id": time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4),
        "op": op,
        "root": journal.root,
        "pid": os.getpid(),
        "started": time.time(),
        "state": "prepare",
        "steps": [s.record() for s in steps],
        "made_dirs": list(made_dirs),
        "done_dirs": list(done_dirs),
    }
    journal.write(record)
    try:
        for step in steps:
            _stage(step)
        _sync_folders(record)
        point("commit")
        record["state"] = "commit"
        journal.write(record)
    except BaseException as err:
        try:
            roll_back(record)
        except OSError as undo_err:
            raise Unfinished(
                f"Could not {op} ({_why(err)}), and putting the files back failed too "
                f"({_why(undo_err)}); it will be retried at the next Refresh."
            ) from None
        journal.remove(record)
        if isinstance(err, OSError):
            raise DeckError(f"Could not {op} ({_why(err, True)}); every file was left as it was.") from None
        raise
    try:
        roll_forward(record)
    except OSError as err:
        raise Unfinished(
            f"Could not finish: {op} ({_why(err)}); it will be finished at the next Refresh."
        ) from None
    journal.remove(record)


def _stage(step: Step) -> None:
    if step.src is None:
        point("write")
        os.makedirs(os.path.dirname(step.tmp), exist_ok=True)
        _write_new(step)
        return
    point("stage")
    os.makedirs(os.path.dirname(step.tmp), exist_ok=True)
    try:
        os.replace(step.src, step.tmp)
        return
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
    # Another file system: copy, keep the original aside until the operation is finished.
    try:
        copy_durably(step.src, step.tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(step.tmp)
        raise
    point("copied")
    os.replace(step.src, step.aside)


def _write_new(step: Step) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(step.tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(step.data or b"")
            fh.flush()
            os.fsync(fh.fileno())
        if step.mode is not None:
            os.chmod(step.tmp, step.mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(step.tmp)
        raise


def copy_durably(src: str, dst: str) -> None:
    """Copy contents and times to a new file, fsynced before it is used."""
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        block = fin.read(1 << 16)
        fout.write(block)
        point("copying")  # a crash here leaves a partial copy beside a complete original
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())
    shutil.copystat(src, dst)


def _sync_folders(record: dict[str, Any]) -> None:
    folders = set()
    for s in record["steps"]:
        for key in ("src", "dst", "tmp"):
            if s.get(key):
                folders.add(os.path.dirname(s[key]))
    for folder in sorted(folders):
        with contextlib.suppress(FileNotFoundError):
            fsync_folder(folder)


def _why(err: BaseException, name_file: bool = False) -> str:
    """The cause in words, with the file it happened to (never one of our temporary names)."""
    if not isinstance(err, OSError):
        return type(err).__name__
    text = OS_CAUSES.get(err.errno or 0) or err.strerror or type(err).__name__
    name = os.path.basename(str(err.filename or ""))
    if name_file and name and not name.startswith(".edeck-"):
        return f"{name}: {text}"
    return text


OS_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the folder is on a read-only disk",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "a file vanished meanwhile (another program moved or deleted it)",
}


# ---- undoing and finishing (in process, and after a crash) -------------------------------
def roll_back(record: dict[str, Any]) -> list[str]:
    """Put every file where it was before the operation; notes for files kept aside."""
    notes: list[str] = []
    for s in reversed(record["steps"]):
        src, tmp, aside = s.get("src"), s.get("tmp"), s.get("aside")
        if not src:
            _unlink(tmp)  # new content, never acknowledged
            continue
        has_tmp, has_aside = _exists(tmp), _exists(aside)
        if not os.path.lexists(src):
            if has_aside:
                os.replace(aside, src)
                _unlink(tmp)  # its copy
            elif has_tmp:
                os.replace(tmp, src)
            continue
        # The original is in place. A temporary on another file system is a copy of it
        # (perhaps partial, cut by the crash); anything else is compared before removal.
        if _exists(tmp) and _device(tmp) != _device(src):
            os.unlink(tmp)
        for extra in (tmp, aside):
            if _exists(extra):
                _drop_or_keep(extra, src, notes)
    for folder in reversed(record.get("made_dirs", [])):
        _rmdir(folder)
    return notes


def roll_forward(record: dict[str, Any]) -> list[str]:
    """Give every staged file its final name; delete what the operation removes."""
    notes: list[str] = []
    for s in record["steps"]:
        src, dst, tmp, aside = s.get("src"), s.get("dst"), s.get("tmp"), s.get("aside")
        point("finish")
        if _exists(tmp):
            if dst is None:
                os.unlink(tmp)
            elif not os.path.lexists(dst):
                os.replace(tmp, dst)
            else:
                _drop_or_keep(tmp, dst, notes)
        if _exists(aside):
            if dst and os.path.lexists(dst) and _same_size(aside, dst):
                os.unlink(aside)  # the destination holds its complete, fsynced copy
            elif src and not os.path.lexists(src):
                os.replace(aside, src)
            else:
                _drop_or_keep(aside, src or "", notes)
    _sync_folders(record)
    for folder in record.get("done_dirs", []):
        _rmdir(folder)
    return notes


def _drop_or_keep(extra: str, original: str, notes: list[str]) -> None:
    """Delete ``extra`` when it is byte-identical to ``original``; else keep it visible."""
    if original and same_bytes(extra, original):
        os.unlink(extra)
        return
    kept = keep_visible(extra, original)
    notes.append(f"kept a copy that differed from {os.path.basename(original)} as {os.path.basename(kept)}")


def keep_visible(path: str, wanted: str, ext: str | None = None) -> str:
    """Rename a temporary file to a visible, unused name next to ``wanted``'s."""
    folder = os.path.dirname(path)
    if wanted:
        stem, suffix = _split_name(os.path.basename(wanted))
    else:
        stem, suffix = "edeck-recovered-" + time.strftime("%Y%m%d-%H%M%S"), ext or ""
    for n in range(1, 1000):
        name = f"{stem}.recovered-{n}{suffix}" if wanted else f"{stem}-{n}{suffix}"
        candidate = os.path.join(folder, name)
        if not os.path.lexists(candidate):
            os.replace(path, candidate)
            return candidate
    return path


def _split_name(name: str) -> tuple[str, str]:
    """``foo.preview.png`` → (``foo``, ``.preview.png``): the stem the embedding has."""
    stem, dot, _rest = name.partition(".")
    return (stem, dot + _rest) if stem else os.path.splitext(name)


def same_bytes(a: str, b: str) -> bool:
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                block = fa.read(1 << 20)
                if block != fb.read(1 << 20):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def _same_size(a: str, b: str) -> bool:
    try:
        return os.path.getsize(a) == os.path.getsize(b)
    except OSError:
        return False


def _device(path: str) -> int:
    return os.lstat(path).st_dev


def _exists(path: str | None) -> bool:
    return bool(path) and os.path.lexists(path)


def _unlink(path: str | None) -> None:
    # Checked first: on a read-only disk, unlinking a missing file fails with EROFS.
    if path and os.path.lexists(path):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _rmdir(folder: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def _present(record: dict[str, Any]) -> list[bool]:
    keys = ("src", "tmp", "aside", "dst")
    return [bool(s.get(k)) and os.path.lexists(s[k]) for s in record["steps"] for k in keys]


def recover(journal: Journal) -> list[str]:
    """Finish or roll back every journal left behind; a sentence per repair."""
    out = []
    for record in journal.pending():
        committed = record.get("state") == "commit"
        before = _present(record)
        notes = roll_forward(record) if committed else roll_back(record)
        journal.remove(record)
        if _present(record) == before and not notes:
            continue  # nothing was left to do (a journal whose files are long gone): no news
        what = record.get("op") or "a file operation"
        done = "finished it" if committed else "every file is back where it was"
        sentence = f"Repaired an operation a crash interrupted ({what}): {done}."
        if notes:
            sentence += " " + "; ".join(notes).capitalize() + "."
        out.append(sentence)
    return out
