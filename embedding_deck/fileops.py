"""Rename, move, delete to a trash and restore an embedding together with all its sidecars.

An embedding travels with every file named after it in its folder: ``X.json``,
``X.civitai.info``, ``X.txt``, ``X.description.txt``, ``X.preview.*`` and plain ``X.png``
-style previews (found as the scan finds them: ``scan.Folder``), never another embedding.

Every operation is all or nothing, even across a crash: its files (sidecars first, the
embedding last) go through ``journal.run``, which writes the intent before the first file
moves and finishes or rolls back an interrupted operation later. Callers hold the
library's lock (``locks``) so that two WebUIs on one folder never interleave.

Refused with a sentence: a target that exists, a file changed since the page loaded
(``stamp``: size and mtime in ns), a name the WebUI cannot use, any path leaving the folder.
The trash lives outside the embeddings folder (the WebUI walks hidden folders too):
``<trash dir>/<id>/files/…`` with ``<id>/manifest.json`` recording the original paths.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import DeckError, NotFound, OutsideRoot, StaleWrite
from .formats import IMAGE_EXTS
from .journal import OS_CAUSES, Journal, Step, point
from .journal import run as journal_run
from .orphans import EMPTYING
from .paths import check_rel, listed_path, resolve_inside
from .scan import CORRUPTED, Walker, stem_of


class NameRefused(DeckError):
    """A new name the WebUI cannot use, or that another embedding already has."""

    status_hint = 422


class TargetExists(DeckError):
    """A file already sits where an operation would put one."""

    status_hint = 409


# Brackets, colons, pipes and commas are prompt syntax (attention, editing, alternation,
# separators; the infotext strips ":" and ","), so a name holding one cannot be typed
# into a prompt; the rest cannot be part of a file name on Windows.
PROMPT_SYNTAX = "()[]<>:|,\\"
NOT_IN_FILE_NAMES = '/*?"'
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
# A stem ending like this makes the WebUI (or the scan) take the file for a sidecar.
SIDECAR_LIKE = (".preview", ".description", ".civitai")
MAX_NAME_BYTES = 200  # leaves room for the longest sidecar suffix under 255
TRASH_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")
MANIFEST = "manifest.json"


# ---- stamps and names --------------------------------------------------------------------
def stamp_of(path: str) -> str:
    """The file's stamp as the page holds it: ``"<size>:<mtime in ns>"``."""
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"


def check_stamp(path: str, stamp: Any) -> None:
    """StaleWrite when the file changed since the page got ``stamp``."""
    if not isinstance(stamp, str) or not stamp:
        raise StaleWrite("The request lacks the file's stamp; refresh the list and try again.")
    if stamp_of(path) != stamp:
        raise StaleWrite(
            f"{os.path.basename(path)} changed on disk since the list was loaded; nothing was done. "
            "Refresh the list and try again."
        )


def check_name(name: Any) -> str:
    """The new prompt name (a file stem), or NameRefused with the reason."""
    if not isinstance(name, str) or not name.strip():
        raise NameRefused("The new name is empty.")
    if name != name.strip():
        raise NameRefused("The name starts or ends with a space; the WebUI would not find it in a prompt.")
    bad = sorted({ch for ch in name if ch in PROMPT_SYNTAX or ch in NOT_IN_FILE_NAMES})
    if bad:
        raise NameRefused(
            f"The name holds {' '.join(bad)}: brackets, colons, pipes and commas are prompt syntax, "
            "and the others cannot be part of a file name everywhere."
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise NameRefused("The name holds a control character.")
    if name.startswith("."):
        raise NameRefused("A name starting with a dot makes a hidden file.")
    if name.endswith("."):
        raise NameRefused("A name ending with a dot cannot be kept on Windows.")
    if name.split(".")[0].upper() in WINDOWS_RESERVED:
        raise NameRefused(f"{name} is a device name on Windows; choose another.")
    if name.lower().endswith(SIDECAR_LIKE):
        raise NameRefused(
            "A name ending in .preview, .description or .civitai makes the WebUI take the file "
            "for a preview or a sidecar."
        )
    try:
        encoded = os.fsencode(name)
    except UnicodeEncodeError:
        raise NameRefused("The name holds characters no file name on this system can have.") from None
    if len(encoded) > MAX_NAME_BYTES:
        raise NameRefused(f"The name is longer than {MAX_NAME_BYTES} bytes.")
    return name


def check_collision(name: str, old_name: str, names_in_use: Iterable[str]) -> None:
    """NameRefused when another embedding already answers to ``name`` in prompts (the
    WebUI keeps one of them silently; its tokenizer ignores case)."""
    lowered = name.lower()
    if lowered == old_name.lower():
        return
    if any(n.lower() == lowered for n in names_in_use):
        raise NameRefused(
            f"Another embedding is already called {name} (the WebUI would keep only one of them); "
            "choose another name."
        )


# ---- the group of files ------------------------------------------------------------------
@dataclass
class Group:
    """An embedding and its sidecars: relative paths, all in one folder."""

    folder: str
    name: str
    sidecars: list[str] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return join(self.folder, self.name)

    def names(self) -> list[str]:
        """File names, sidecars first and the embedding last (the order files move in)."""
        return [*self.sidecars, self.name]


def group_of(root: str, rel: str, is_entry: Callable[[str], bool]) -> Group:
    """The embedding at ``rel`` and the sidecars beside it now (a fresh folder listing).

    ``is_entry(rel)`` tells which candidates are listed embeddings: those are never taken
    along (``X.png`` is a preview of ``X.pt`` only when it is not an embedding itself).
    """
    parts = check_rel(rel)
    folder_rel = "/".join(parts[:-1])
    name = parts[-1]
    path = listed_path(root, rel)
    if not os.path.isfile(path):
        raise NotFound(f"{rel} is not a file in the embeddings folder (any more); refresh the list.")
    folder_abs = listed_path(root, folder_rel) if folder_rel else root
    listing, cands = Walker(root).folder(folder_abs, folder_rel)
    stem = stem_of(name)
    others = {stem_of(c.name) for c in cands if c.name != name and is_entry(c.rel)}
    if name.lower().endswith(CORRUPTED) and stem in others:
        return Group(folder_rel, name)  # the sidecars belong to the file loaded under that name
    taken = {c.name for c in cands if is_entry(c.rel)}
    image = os.path.splitext(name)[1].lower() in IMAGE_EXTS
    found = [n for _suffix, n in listing.sidecars.get(stem.lower(), [])]
    found += [
        n for _rank, suffix, n in listing.previews.get(stem.lower(), []) if not image or ".preview." in suffix
    ]
    sidecars = []
    for n in sorted(set(found)):
        if n == name or n in taken:
            continue
        if n[: len(stem)] != stem and n[: len(stem)] in others:
            continue  # matched case-insensitively, but it is another embedding's exact sidecar
        sidecars.append(n)
    return Group(folder_rel, name, sidecars)


def renamed(group: Group, new_stem: str) -> dict[str, str]:
    """Each file name of the group → its name after a rename to ``new_stem``."""
    stem = stem_of(group.name)
    out = {n: new_stem + n[len(stem) :] for n in group.names()}
    if len({v.lower() for v in out.values()}) != len(out):
        raise TargetExists(
            "Two sidecars differ only in upper/lower case and would get the same new name; "
            "rename or remove one of them first."
        )
    return out


# ---- all or nothing ----------------------------------------------------------------------
def move_together(
    pairs: list[tuple[str, str]], what: str = "move {}", journal: Journal | None = None
) -> None:
    """Move each ``src`` to its ``dst``: all of them, or none (``journal.run``).

    Raises TargetExists when a destination is taken, DeckError (a sentence) when a step
    fails; in both cases every file is where it was.
    """
    steps = [Step(src, dst) for src, dst in pairs]
    run_steps(steps, what, journal or Journal(os.path.dirname(pairs[0][0])))


def run_steps(
    steps: list[Step],
    what: str,
    journal: Journal,
    made_dirs: Iterable[str] = (),
    done_dirs: Iterable[str] = (),
) -> None:
    """Refuse when a destination is taken, then ``journal.run`` the steps."""
    leaving = {s.src for s in steps if s.src}
    for step in steps:
        if step.dst in leaving:
            continue  # a file of this operation moves away first (a replaced preview)
        if step.dst and os.path.lexists(step.dst) and not (step.src and _same_file(step.src, step.dst)):
            raise TargetExists(f"{os.path.basename(step.dst)} already exists there; nothing was changed.")
    main = next((s for s in reversed(steps) if s.src and not s.src.endswith(MANIFEST)), steps[-1])
    label = os.path.basename(main.src or main.dst or "")
    try:
        journal_run(journal, what.format(label), steps, made_dirs, done_dirs)
    except FileExistsError as err:  # a destination appeared between the check and the move
        raise TargetExists(
            f"{os.path.basename(err.filename or '')} appeared meanwhile; nothing was changed."
        ) from None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


# ---- operations --------------------------------------------------------------------------
@dataclass
class Moved:
    """What an operation did: old relative path → new one, for every file moved."""

    old: str | None
    new: str | None
    files: dict[str, str | None] = field(default_factory=dict)
    trash_id: str | None = None
    notice: str | None = None


def rename(root: str, group: Group, new_stem: str, stamp: Any, journal: Journal | None = None) -> Moved:
    """Rename the embedding and its sidecars to ``new_stem`` (extension kept)."""
    check_name(new_stem)
    path = listed_path(root, group.rel)
    check_stamp(path, stamp)
    names = renamed(group, new_stem)
    folder_abs = os.path.dirname(path)
    pairs = [(os.path.join(folder_abs, n), os.path.join(folder_abs, names[n])) for n in group.names()]
    move_together(pairs, "rename {}", journal or Journal(root))
    files = {join(group.folder, n): join(group.folder, names[n]) for n in group.names()}
    return Moved(group.rel, files[group.rel], files)


def move(
    root: str, group: Group, folder: Any, stamp: Any, folders: Iterable[str], journal: Journal | None = None
) -> Moved:
    """Move the embedding and its sidecars into ``folder``, a folder of the library."""
    if not isinstance(folder, str):
        raise OutsideRoot("The destination folder must be text.")
    if folder and folder not in set(folders):
        raise NotFound(f"There is no folder {folder} in the embeddings folder.")
    if folder == group.folder:
        raise TargetExists("The embedding is already in that folder.")
    target = listed_path(root, folder) if folder else root
    path = listed_path(root, group.rel)
    check_stamp(path, stamp)
    source = os.path.dirname(path)
    pairs = [(os.path.join(source, n), os.path.join(target, n)) for n in group.names()]
    move_together(pairs, "move {}", journal or Journal(root))
    files = {join(group.folder, n): join(folder, n) for n in group.names()}
    return Moved(group.rel, files[group.rel], files)


# ---- the trash ---------------------------------------------------------------------------
def journal_for(root: str, trash_dir: str) -> Journal:
    """The journal of a library whose trash is ``trash_dir``: ``journal/`` beside it."""
    return Journal(root, os.path.join(os.path.dirname(os.path.abspath(trash_dir)), "journal"))


def _new_trash_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)


def _trash_item(trash_dir: str, item_id: Any) -> str:
    if not isinstance(item_id, str) or not TRASH_ID.match(item_id):
        raise NotFound("There is no such item in the trash.")
    folder = os.path.join(trash_dir, item_id)
    if not os.path.isfile(os.path.join(folder, MANIFEST)):
        raise NotFound("There is no such item in the trash (it was restored or emptied).")
    return folder


def to_trash(
    root: str,
    trash_dir: str,
    group: Group,
    stamp: Any,
    names: list[str] | None = None,
    reason: str = "delete",
) -> Moved:
    """Move the embedding and its sidecars (or only ``names`` of them) into a new trash item."""
    path = listed_path(root, group.rel)
    check_stamp(path, stamp)
    return trash_files(root, trash_dir, group, names or group.names(), reason)


def trash_files(
    root: str,
    trash_dir: str,
    group: Group,
    names: list[str],
    reason: str,
    extra: list[Step] | None = None,
    done_dirs: Iterable[str] = (),
) -> Moved:
    """Move ``names`` of the group into a new trash item, with the ``extra`` steps, all or
    nothing. The item's manifest lands last, so an item is listed only once complete."""
    item_id = _new_trash_id()
    item = os.path.join(trash_dir, item_id)
    files_dir = os.path.join(item, "files")
    source = os.path.dirname(listed_path(root, group.rel))
    manifest = {
        "id": item_id,
        "root": os.path.abspath(root),
        "path": group.rel,
        "files": [join(group.folder, n) for n in names],
        "reason": reason,
        "deleted": time.time(),
    }
    data = json.dumps(manifest, indent=4, ensure_ascii=False).encode("utf-8", "surrogateescape")
    steps = [Step(os.path.join(source, n), os.path.join(files_dir, n)) for n in names]
    steps += [*(extra or []), Step(None, os.path.join(item, MANIFEST), data)]
    made = [p for p in (trash_dir, item, files_dir) if not os.path.isdir(p)]
    run_steps(steps, "move {} to the trash", journal_for(root, trash_dir), made, done_dirs)
    return Moved(group.rel, None, {join(group.folder, n): None for n in names}, trash_id=item_id)


def list_trash(trash_dir: str, root: str) -> list[dict[str, Any]]:
    """The trash items of this embeddings folder, newest first."""
    out = []
    try:
        ids = sorted(os.listdir(trash_dir), reverse=True)
    except OSError:
        return []
    for item_id in ids:
        if not TRASH_ID.match(item_id):
            continue
        manifest = _read_manifest(os.path.join(trash_dir, item_id))
        if manifest is None or manifest.get("root") != os.path.abspath(root):
            continue
        out.append(
            {
                "id": item_id,
                "path": manifest.get("path"),
                "files": manifest.get("files", []),
                "reason": manifest.get("reason", "delete"),
                "deleted": manifest.get("deleted"),
            }
        )
    return out


def _read_manifest(item: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(item, MANIFEST), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class Restore:
    """The steps that put a trash item back, and the folders left empty afterwards."""

    main: str
    rels: list[str]
    steps: list[Step]
    done_dirs: list[str]


def restore_steps(root: str, trash_dir: str, item_id: Any) -> Restore:
    """The moves that put a trash item's files back and drop its manifest; refused when a
    path is taken. Missing folders are made again (inside the root only)."""
    item = _trash_item(trash_dir, item_id)
    manifest = _read_manifest(item) or {}
    if manifest.get("root") != os.path.abspath(root):
        raise NotFound("That trash item belongs to another embeddings folder.")
    rels = manifest.get("files")
    main = manifest.get("path")
    if not isinstance(rels, list) or not rels or main not in rels:
        raise NotFound("The trash item's manifest is damaged; its files are left in the trash.")
    pairs = []
    for rel in rels:
        parts = check_rel(rel)
        dst = listed_path(root, rel)
        if os.path.lexists(dst):
            raise TargetExists(f"{rel} exists again; rename or move it, then restore.")
        pairs.append((os.path.join(item, "files", parts[-1]), dst))
    for rel in rels:
        folder_rel = rel.rpartition("/")[0]
        if folder_rel and not os.path.isdir(listed_path(root, folder_rel)):
            resolve_inside(root, folder_rel)  # a folder made again stays inside the root
            os.makedirs(listed_path(root, folder_rel), exist_ok=True)
    main_abs = listed_path(root, main)
    pairs.sort(key=lambda p: p[1] == main_abs)  # the embedding last
    steps = [Step(src, dst) for src, dst in pairs]
    steps.append(Step(os.path.join(item, MANIFEST), None))
    return Restore(main, rels, steps, [os.path.join(item, "files"), item])


def restore(root: str, trash_dir: str, item_id: Any) -> Moved:
    """Put every file of a trash item back where it was; refused when a path is taken."""
    plan = restore_steps(root, trash_dir, item_id)
    run_steps(plan.steps, "restore {}", journal_for(root, trash_dir), done_dirs=plan.done_dirs)
    return Moved(None, plan.main, {rel: rel for rel in plan.rels})


def empty_trash(trash_dir: str, root: str, ids: list[str] | None = None) -> int:
    """Delete trash items of this folder for good (``ids``, or all); how many were removed.

    Each item is first renamed ``.edeck-emptying-<id>`` (one atomic step, the commit), then
    deleted; a crash between the two is finished by ``orphans.sweep``.
    """
    wanted = {i["id"] for i in list_trash(trash_dir, root)}
    if ids is not None:
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise NotFound("The trash items must be a list of ids.")
        wanted &= set(ids)
    for item_id in sorted(wanted):
        doomed = os.path.join(trash_dir, EMPTYING + item_id)
        point("empty")
        try:
            os.replace(os.path.join(trash_dir, item_id), doomed)
        except OSError as err:
            why = OS_CAUSES.get(err.errno or 0) or err.strerror or type(err).__name__
            raise DeckError(
                f"Could not empty the trash ({why}, in {trash_dir}); the items not deleted yet are all there."
            ) from None
        point("emptied")
        shutil.rmtree(doomed, ignore_errors=True)
    return len(wanted)


def replace_file(root: str, trash_dir: str, rel: str, data: bytes, reason: str) -> str | None:
    """Write ``data`` at ``rel`` (a preview); a file already there goes to the trash in the
    same all-or-nothing step. The trash item's id, or None when nothing was replaced."""
    parts = check_rel(rel)
    path = listed_path(root, rel)
    if not os.path.lexists(path):
        run_steps([Step(None, path, data)], "write {}", journal_for(root, trash_dir))
        return None
    new = Step(None, path, data, mode=os.stat(path).st_mode & 0o7777)
    group = Group("/".join(parts[:-1]), parts[-1])
    return trash_files(root, trash_dir, group, [group.name], reason, extra=[new]).trash_id


def trash_file(root: str, trash_dir: str, rel: str, reason: str) -> str | None:
    """Move the one file at ``rel`` (a preview) to the trash; None when there is none."""
    parts = check_rel(rel)
    if not os.path.lexists(listed_path(root, rel)):
        return None
    group = Group("/".join(parts[:-1]), parts[-1])
    return trash_files(root, trash_dir, group, [group.name], reason).trash_id


def restore_name(root: str, group: Group, stamp: Any, journal: Journal | None = None) -> Moved:
    """Give a file the WebUI renamed ``X.pt.corrupted`` its name back (its sidecars never moved)."""
    if not group.name.lower().endswith(CORRUPTED):
        raise NameRefused("Only a file the WebUI renamed to .corrupted gets its name back.")
    path = listed_path(root, group.rel)
    check_stamp(path, stamp)
    new_name = group.name[: -len(CORRUPTED)]
    target = os.path.join(os.path.dirname(path), new_name)
    move_together([(path, target)], "restore the name of {}", journal or Journal(root))
    new_rel = join(group.folder, new_name)
    return Moved(group.rel, new_rel, {group.rel: new_rel})
