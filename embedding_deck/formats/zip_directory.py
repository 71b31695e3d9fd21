"""A minimal reader for torch's zip archives: the member table and one stored member.

``zipfile`` is general and slow for thousands of small files; torch writes plain archives
(no comment, members stored uncompressed), which we read with exact small reads: the end
record, the central directory, then ``data.pkl`` (its local header usually comes from the
reader's first bytes). Tensor members are never read. Anything unusual (ZIP64, a comment,
compression) falls back to ``zipfile``.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, BinaryIO

from ..errors import UnreadableFile

if TYPE_CHECKING:
    import zipfile

EOCD = struct.Struct("<4sHHHHIIH")
CDIR = struct.Struct("<4sHHHHHHIIIHHHHHII")
# The central-directory fields we use: signature, method, stored size, name/extra/comment
# lengths and the local header offset (the rest of CDIR skipped as padding).
CDIR_FIELDS = struct.Struct("<4s6xH8xI4xHHH8xI")
LOCAL = struct.Struct("<4sHHHHHIIIHH")
MAX_DIRECTORY_BYTES = 1024 * 1024


class Fallback(Exception):
    """The archive needs the general ``zipfile`` reader."""


def members(fh: BinaryIO, size: int) -> dict[str, tuple[int, int, int]]:
    """Map member name → (local header offset, stored size, method), from the directory."""
    if size < EOCD.size:
        raise UnreadableFile("The zip archive is damaged or truncated.")
    fh.seek(size - EOCD.size)
    sig, _d, _cd, _n, total, cd_size, cd_offset, comment = EOCD.unpack(fh.read(EOCD.size))
    if sig != b"PK\x05\x06" or comment:
        raise Fallback
    if total == 0xFFFF or cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        raise Fallback  # ZIP64
    if cd_size > MAX_DIRECTORY_BYTES or cd_offset + cd_size > size - EOCD.size:
        raise UnreadableFile("The zip archive is damaged or truncated.")
    fh.seek(cd_offset)
    return _directory(fh.read(cd_size), total)


def _directory(table: bytes, total: int) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    pos = 0
    unpack, fixed = CDIR_FIELDS.unpack_from, CDIR.size
    for _ in range(total):
        if pos + fixed > len(table):
            raise UnreadableFile("The zip archive's directory is damaged.")
        sig, method, stored, name_len, extra_len, comment_len, offset = unpack(table, pos)
        if sig != b"PK\x01\x02":
            raise UnreadableFile("The zip archive's directory is damaged.")
        name = table[pos + fixed : pos + fixed + name_len].decode("utf-8", "replace")
        out[name] = (offset, stored, method)
        pos += fixed + name_len + extra_len + comment_len
    return out


def read_member(fh: BinaryIO, size: int, entry: tuple[int, int, int], limit: int) -> bytes:
    """The bytes of one stored member (``limit`` caps what we are willing to read)."""
    offset, length, method = entry
    if method != 0:
        raise Fallback
    if length > limit:
        raise UnreadableFile("Refused: data.pkl is larger than any embedding needs.")
    fh.seek(data_offset(fh, size, entry))
    data = fh.read(length)
    if len(data) != length:
        raise UnreadableFile("The zip archive is damaged or truncated.")
    return data


def data_offset(fh: BinaryIO, size: int, entry: tuple[int, int, int]) -> int:
    """Where a stored (uncompressed) member's bytes start, from its local header."""
    offset, length, method = entry
    if method != 0:
        raise UnreadableFile("A member of the archive is compressed; torch never writes that.")
    fh.seek(offset)
    head = fh.read(LOCAL.size)  # from the reader's first bytes when data.pkl comes first
    if len(head) < LOCAL.size or head[:4] != b"PK\x03\x04":
        raise UnreadableFile("The zip archive is damaged or truncated.")
    name_len, extra_len = LOCAL.unpack(head)[9:11]
    start = offset + LOCAL.size + name_len + extra_len
    if start + length > size:
        raise UnreadableFile("The zip archive is damaged or truncated.")
    return start


def members_slow(fh: BinaryIO) -> tuple[zipfile.ZipFile, dict[str, tuple[int, int, int]]]:
    """The general path through ``zipfile`` for archives the fast path does not handle."""
    import zipfile  # rare: not imported for every scan

    if hasattr(fh, "as_file"):
        fh = fh.as_file()
    try:
        archive = zipfile.ZipFile(fh)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile("The zip archive is damaged or truncated.") from None
    return archive, {i.filename: (i.header_offset, i.file_size, i.compress_type) for i in infos}
