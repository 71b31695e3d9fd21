"""Converts a ``.pt`` / ``.bin`` embedding to ``.safetensors`` without unpickling any code.

The tensors are found by the restricted reader (``vectors.locate``) and copied byte for
byte (float32, float16 or bfloat16, little-endian, contiguous) under the keys the WebUI
loads: ``emb_params`` for one tensor (SD1/SD2; a 1-D vector becomes [1, width], as the
WebUI reads it), ``clip_g`` + ``clip_l`` for SDXL. ``step``, ``sd_checkpoint``,
``sd_checkpoint_name`` (and the trainer's ``name``) go into ``__metadata__`` as strings.

The safetensors file is written here (8-byte header length, JSON header padded to 8
bytes, raw tensor bytes) as one journaled operation (``journal.run``): the new bytes go to
a temporary name, fsynced, the original goes to the trash, and the new file takes its name
with ``.safetensors``; all or nothing, even across a crash.
Sidecars share the stem, so they stay where they are and belong to the new file.
"""

from __future__ import annotations

import json
import os
from typing import Any

from . import fileops
from .errors import UnreadableFile
from .fileops import TargetExists
from .paths import check_rel, listed_path
from .vectors import Vectors, locate, read_tensors

CONVERTIBLE = (".pt", ".bin")


def encode(vectors: Vectors, datas: list[bytes]) -> bytes:
    """The bytes of a safetensors file holding ``vectors`` (a 1-D vector as [1, width])."""
    header: dict[str, Any] = {}
    if vectors.meta:
        header["__metadata__"] = dict(vectors.meta)
    start = 0
    for t, data in zip(vectors.tensors, datas, strict=True):
        shape = [1, t.shape[0]] if len(t.shape) == 1 else list(t.shape)
        header[t.key] = {"dtype": t.dtype, "shape": shape, "data_offsets": [start, start + len(data)]}
        start += len(data)
    raw = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    raw += b" " * (-len(raw) % 8)  # the tensor data starts 8-byte aligned, as safetensors writes it
    return len(raw).to_bytes(8, "little") + raw + b"".join(datas)


def to_safetensors_bytes(path: str) -> bytes:
    """The converted file's bytes; UnreadableFile with the reason when it cannot be done."""
    if os.path.splitext(path)[1].lower() not in CONVERTIBLE:
        raise UnreadableFile("Only .pt and .bin files are converted to .safetensors.")
    vectors = locate(path)
    return encode(vectors, read_tensors(path, vectors))


def convert(root: str, trash_dir: str, group: fileops.Group, stamp: Any) -> fileops.Moved:
    """Write ``X.safetensors`` beside ``X.pt``; the original goes to the trash.

    Refused (nothing changed) when the file changed since the page loaded, when
    ``X.safetensors`` exists, or when the tensors cannot be carried over (the sentence says
    why). ``Moved.new`` is the new file, ``Moved.trash_id`` the trash item holding the original.
    """
    path = listed_path(root, group.rel)
    stem, ext = os.path.splitext(group.name)
    if ext.lower() not in CONVERTIBLE:
        raise UnreadableFile("Only .pt and .bin files are converted to .safetensors.")
    fileops.check_stamp(path, stamp)
    new_name = stem + ".safetensors"
    target = os.path.join(os.path.dirname(path), new_name)
    if os.path.lexists(target):
        raise TargetExists(f"{new_name} already exists; rename or delete it first.")
    data = to_safetensors_bytes(path)
    new_file = fileops.Step(None, target, data, mode=os.stat(path).st_mode & 0o7777)
    moved = fileops.trash_files(root, trash_dir, group, [group.name], "convert", extra=[new_file])
    new_rel = fileops.join(group.folder, new_name)
    moved.new = new_rel
    moved.files = {group.rel: new_rel}
    return moved


def undo(root: str, trash_dir: str, item_id: Any, converted_rel: Any, stamp: Any) -> fileops.Moved:
    """Undo a conversion: the converted file goes to the trash, the original comes back."""
    plan = fileops.restore_steps(root, trash_dir, item_id)
    parts = check_rel(converted_rel)
    new_path = listed_path(root, converted_rel)
    if os.path.splitext(plan.main)[0] != os.path.splitext(converted_rel)[0]:
        raise UnreadableFile("That file is not the one converted from the trash item.")
    group = fileops.Group("/".join(parts[:-1]), parts[-1])
    fileops.check_stamp(new_path, stamp)
    moved = fileops.trash_files(
        root, trash_dir, group, [group.name], "convert-undo", extra=plan.steps, done_dirs=plan.done_dirs
    )
    return fileops.Moved(converted_rel, plan.main, {converted_rel: plan.main}, trash_id=moved.trash_id)
