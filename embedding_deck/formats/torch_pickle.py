"""Reads torch ``.pt`` / ``.bin`` files (zip and legacy serialisations) without running them.

Both paths unpickle through ``restricted_pickle``; storages stay on disk. Sizes are checked
against the archive directory (zip) or by seeking (legacy), so truncation is reported
without reading tensor bytes. Also notes when A1111 1.10's own loader would refuse a file.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable
from typing import Any, BinaryIO

from ..entry import Parsed
from ..errors import UnreadableFile
from . import zip_directory
from .payload import classify
from .restricted_pickle import (
    A1111_ALLOWED,
    MAX_PICKLE_BYTES,
    ForbiddenGlobal,
    RestrictedUnpickler,
    StorageStub,
    TensorStub,
)

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_BLOCK = 4096
# The member pattern A1111 1.10's safe.py accepts; torch >= 2.2 adds .format_version etc.
# (a regular expression: the reference the fast check below is tested against)
A1111_ZIP_MEMBER = r"^([^/]+)/((data/\d+)|version|byteorder|.data/serialization_id|(data\.pkl))$"
A1111_REFUSES_ZIP = (
    "A1111 1.10 refuses this file: its safe loader does not accept the zip entries "
    "{names} that torch 2.2 and newer write (Forge loads it). Re-save it with an older "
    "torch or as .safetensors."
)
A1111_REFUSES_GLOBAL = (
    "A1111 1.10 refuses this file: its safe loader does not allow {names} (Forge loads it)."
)


_A1111_NAMES = frozenset(("version", "byteorder", ".data/serialization_id", "data.pkl"))


def _rest_accepted(rest: str) -> bool:
    return rest in _A1111_NAMES or (rest.startswith("data/") and rest[5:].isdigit() and rest[5:].isascii())


def _a1111_odd(members: Iterable[str]) -> set[str]:
    """The member names (after the archive folder) A1111 1.10's loader would refuse.

    The same rule as ``A1111_ZIP_MEMBER`` (<one folder>/<known name or data/N>), without
    a regex match per member.
    """
    odd = set()
    for member in members:
        folder, sep, rest = member.partition("/")
        if not (folder and sep and _rest_accepted(rest)):
            odd.add(rest or member)
    return odd


def read(fh: BinaryIO, size: int) -> Parsed:
    """Parse a .pt/.bin embedding, choosing the zip or legacy reader by its magic bytes."""
    magic = fh.read(4)
    fh.seek(0)
    if magic[:2] == b"PK":
        return _read_zip(fh, size)
    if magic[:1] == b"\x80":
        return _read_legacy(fh, size)
    raise UnreadableFile("Not a torch file: it is neither a zip archive nor a pickle.")


def _unpickle(data: bytes, storages: dict[str, StorageStub] | None = None) -> tuple[Any, set]:
    # A stream with peek(): the C unpickler then takes the bytes in one block instead of
    # calling read() in Python for every opcode (twice as fast for an embedding's pickle).
    unpickler = RestrictedUnpickler(io.BufferedReader(io.BytesIO(data)), storages)
    return _guarded(unpickler.load), unpickler.globals_used


def _guarded(load: Any) -> Any:
    try:
        return load()
    except ForbiddenGlobal as err:
        raise UnreadableFile(
            f"Refused: the file asks to run {err.name}, which an embedding never needs "
            "(it may be malicious). Nothing in it was executed."
        ) from None
    except RecursionError:
        raise UnreadableFile("Refused: the pickle is nested too deeply.") from None
    except MemoryError:
        raise UnreadableFile("Refused: the pickle needs too much memory.") from None
    except Exception as err:  # noqa: BLE001 - any unpickling failure is a broken file
        raise UnreadableFile(f"The pickle inside is broken or truncated ({_short(err)}).") from None


def _short(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) <= 80 else text[:77] + "…"


def _zip_pickle(fh: BinaryIO, size: int) -> tuple[str, bytes, dict[str, int]]:
    """(member prefix, data.pkl bytes, stored size of every member)."""
    try:
        table = zip_directory.members(fh, size)
        pkl = _the_pickle(table)
        data = zip_directory.read_member(fh, size, table[pkl], MAX_PICKLE_BYTES)
    except zip_directory.Fallback:
        import zipfile  # the rare general path only: not imported for every scan

        archive, table = zip_directory.members_slow(fh)
        pkl = _the_pickle(table)
        if table[pkl][1] > MAX_PICKLE_BYTES:
            raise UnreadableFile("Refused: data.pkl is larger than any embedding needs.") from None
        # zipfile raises NotImplementedError for a compression method it does not support
        try:
            data = archive.read(pkl)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise UnreadableFile("data.pkl in the archive is damaged.") from None
    return pkl[: -len("data.pkl")], data, {name: v[1] for name, v in table.items()}


def _the_pickle(table: dict) -> str:
    pkl = [n for n in table if n.endswith("/data.pkl") or n == "data.pkl"]
    if len(pkl) != 1:
        raise UnreadableFile(f"The archive has {len(pkl)} data.pkl entries; a torch file has one.")
    return pkl[0]


def _read_zip(fh: BinaryIO, size: int) -> Parsed:
    prefix, data, sizes = _zip_pickle(fh, size)
    storages: dict[str, StorageStub] = {}
    obj, used = _unpickle(data, storages)
    parsed = classify(obj, Parsed(format="pt-zip"))
    for key, stub in storages.items():
        member = f"{prefix}data/{key}"
        if member not in sizes:
            raise UnreadableFile(f"The archive lacks the tensor data {member!r}: it is damaged.")
        if stub.numel is not None and sizes[member] < stub.numel * stub.itemsize:
            raise UnreadableFile("A tensor in the archive is shorter than its shape says.")
    _check_shapes(obj)
    odd = sorted(_a1111_odd(sizes))
    if odd:
        parsed.warnings.append(A1111_REFUSES_ZIP.format(names=", ".join(odd)))
    _warn_globals(parsed, used)
    return parsed


def _read_legacy(fh: BinaryIO, size: int) -> Parsed:
    # Legacy layout: magic, protocol, sys_info, the object, the storage-key list, then per
    # storage an 8-byte element count followed by its raw bytes. torch itself reads the
    # five pickles back to back from the file; so do we, and stop before the raw bytes.
    # Nothing says where the pickles end, so they are streamed like any buffered read
    # would: a first block (an embedding's pickles fit in it), the file if they run on.
    storages: dict[str, StorageStub] = {}
    values, used, end = _legacy_values(fh, size, storages)
    data, keys = values[3], values[4]
    parsed = classify(data, Parsed(format="pt-legacy"))
    _check_legacy_sizes(fh, end, size, keys, storages)
    _check_shapes(data)
    _warn_globals(parsed, used)
    return parsed


def _legacy_values(fh: BinaryIO, size: int, storages: dict[str, StorageStub]) -> tuple[list, set, int]:
    """The legacy file's five pickles from its first block, or from the file if they run on."""
    fh.seek(0)
    block = fh.read(min(size, LEGACY_BLOCK))
    try:
        return _legacy_pickles(io.BufferedReader(io.BytesIO(block)), storages)
    except UnreadableFile:
        if len(block) >= size:
            raise  # the block was the whole file: the failure is real
        storages.clear()
        fh.seek(0)
        return _legacy_pickles(fh.as_file() if hasattr(fh, "as_file") else fh, storages)


def _legacy_pickles(stream: BinaryIO, storages: dict[str, StorageStub]) -> tuple[list, set, int]:
    """The five pickles, the globals they used, and the offset after the last one."""
    unpickler = RestrictedUnpickler(stream, storages)  # load() reads one pickle at a time
    values = []
    for _ in range(5):
        values.append(_guarded(unpickler.load))
        if len(values) == 1 and values[0] != LEGACY_MAGIC:
            raise UnreadableFile("Not a torch file: the legacy magic number is missing.")
    return values, unpickler.globals_used, stream.tell()


def _check_legacy_sizes(
    fh: BinaryIO, pos: int, size: int, keys: Any, storages: dict[str, StorageStub]
) -> dict[str, tuple[int, int]]:
    """Each storage's (file offset, byte length), checked against the file size."""
    if not isinstance(keys, list):
        raise UnreadableFile("The legacy storage list is malformed.")
    where = {}
    for key in keys:
        stub = storages.get(str(key))
        if pos + 8 > size:
            raise UnreadableFile("The file is truncated: tensor data is missing.")
        fh.seek(pos)
        (count,) = struct.unpack("<q", fh.read(8))
        itemsize = stub.itemsize if stub else 4
        if count < 0:
            raise UnreadableFile("The legacy tensor header is corrupt.")
        where[str(key)] = (pos + 8, count * itemsize)
        pos += 8 + count * itemsize
        if pos > size:
            raise UnreadableFile("The file is truncated: tensor data is missing.")
    return where


class Layout:
    """Where a torch file's tensors lie: the decoded object (tensor stubs with shape,
    offset and stride), each storage's (file offset, byte length), and the byte order."""

    def __init__(self, obj: Any, storages: dict[str, StorageStub], where: dict, little: bool) -> None:
        self.obj = obj
        self.storages = storages
        self.where = where
        self.little_endian = little


def layout(fh: BinaryIO, size: int) -> Layout:
    """The tensor layout of a .pt/.bin file, through the same restricted unpickler (no code
    runs; no tensor byte is read here)."""
    magic = fh.read(4)
    fh.seek(0)
    storages: dict[str, StorageStub] = {}
    if magic[:2] == b"PK":
        prefix, data, _sizes = _zip_pickle(fh, size)
        obj, _used = _unpickle(data, storages)
        try:
            table = zip_directory.members(fh, size)
        except zip_directory.Fallback:
            table = zip_directory.members_slow(fh)[1]
        where = {}
        for key in storages:
            entry = table.get(f"{prefix}data/{key}")
            if entry is None:
                raise UnreadableFile(f"The archive lacks the tensor data {prefix}data/{key}: it is damaged.")
            where[key] = (zip_directory.data_offset(fh, size, entry), entry[1])
        order = table.get(f"{prefix}byteorder")
        little = order is None or zip_directory.read_member(fh, size, order, 16).strip() == b"little"
        return Layout(obj, storages, where, little)
    if magic[:1] == b"\x80":
        values, _used, end = _legacy_values(fh, size, storages)
        where = _check_legacy_sizes(fh, end, size, values[4], storages)
        info = values[1] if isinstance(values[1], dict) else {}
        return Layout(values[3], storages, where, info.get("little_endian", True) is True)
    raise UnreadableFile("Not a torch file: it is neither a zip archive nor a pickle.")


# A shape bigger than this cannot be an embedding (75 vectors x 2048 is 153,600).
MAX_ELEMENTS = 50_000_000


def _check_shapes(obj: Any) -> None:
    for value in _tensor_values(obj):
        count = 1
        for n in value.shape:
            if n < 0:
                raise UnreadableFile("A tensor has a negative dimension: the file is corrupt.")
            count *= n
        if count > MAX_ELEMENTS:
            raise UnreadableFile(
                f"Refused: a tensor of shape {list(value.shape)} is absurd for an embedding."
            )


def _tensor_values(obj: Any) -> list[TensorStub]:
    if not isinstance(obj, dict):
        return []
    found = []
    for value in obj.values():
        inner = getattr(value, "_parameters", value)
        if isinstance(inner, dict):
            found += [v for v in inner.values() if isinstance(v, TensorStub)]
        elif isinstance(value, TensorStub):
            found.append(value)
    return found


def _warn_globals(parsed: Parsed, used: set[str]) -> None:
    extra = sorted(g for g in used if g not in A1111_ALLOWED)
    if extra:
        parsed.warnings.append(A1111_REFUSES_GLOBAL.format(names=", ".join(extra)))
