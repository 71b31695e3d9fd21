"""The WebUI's generation text ("infotext") of a saved image, read without decoding pixels.

A1111 and its forks store it as the PNG text chunk ``parameters`` (tEXt, iTXt or zTXt)
and, for JPEG and WebP, as the EXIF UserComment (piexif's ``UNICODE`` form: an 8-byte
prefix, then UTF-16 big-endian; ``ASCII`` too). This module walks the file's structure —
PNG chunks, JPEG markers, RIFF chunks, one TIFF IFD chain — and reads only those bytes:
the image data is skipped by seeking, every length is checked against the file, a text
bigger than ``MAX_TEXT`` is refused, and a broken file gives ``None`` with no exception.
Images come from the user's outputs folders, which other programs also write.
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

MAX_TEXT = 1 << 20  # an infotext is a few KB; a 1 MB one is not A1111's
KEYWORD = b"parameters"
_PNG = b"\x89PNG\r\n\x1a\n"
_EXIF_IFD = 0x8769
_USER_COMMENT = 0x9286


def read_infotext(path: str) -> str | None:
    """The infotext of the PNG/JPEG/WebP at ``path``, or None (none, unreadable, too big)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            fh.seek(0)
            if head.startswith(_PNG):
                return _png(fh)
            if head.startswith(b"\xff\xd8"):
                return _jpeg(fh)
            if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
                return _webp(fh)
    except (OSError, ValueError, struct.error, zlib.error, UnicodeDecodeError, MemoryError):
        return None
    return None


# ---- PNG ----------------------------------------------------------------------------------
def _png(fh: BinaryIO) -> str | None:
    fh.seek(len(_PNG))
    while True:
        header = fh.read(8)
        if len(header) < 8:
            return None
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            return None
        if kind in (b"tEXt", b"iTXt", b"zTXt") and length <= MAX_TEXT + 100:
            data = fh.read(length)
            if len(data) < length:
                return None
            text = _png_text(kind, data)
            if text is not None:
                return text
            fh.seek(4, 1)  # CRC
        else:
            fh.seek(length + 4, 1)  # the chunk (image data included) and its CRC, unread


def _png_text(kind: bytes, data: bytes) -> str | None:
    keyword, sep, rest = data.partition(b"\0")
    if not sep or keyword != KEYWORD:
        return None
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        return _inflate(rest[1:]).decode("latin-1")
    # iTXt: compression flag, method, language\0, translated keyword\0, text
    flag = rest[:1]
    parts = rest[2:].split(b"\0", 2)
    if len(parts) < 3:
        return None
    body = parts[2]
    return (_inflate(body) if flag == b"\x01" else body).decode("utf-8")


def _inflate(data: bytes) -> bytes:
    """zlib, refusing to grow past MAX_TEXT (a decompression bomb in a text chunk)."""
    d = zlib.decompressobj()
    out = d.decompress(data, MAX_TEXT + 1)
    if len(out) > MAX_TEXT:
        raise ValueError("text chunk too large")
    return out


# ---- JPEG ---------------------------------------------------------------------------------
def _jpeg(fh: BinaryIO) -> str | None:
    fh.seek(2)
    while True:
        marker = fh.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind in (0xD9, 0xDA):  # end of image, start of scan: no more metadata
            return None
        if 0xD0 <= kind <= 0xD7 or kind == 0x01:
            continue
        (length,) = struct.unpack(">H", fh.read(2))
        if length < 2:
            return None
        if kind == 0xE1 and length - 2 <= MAX_TEXT * 2 + 4096:
            data = fh.read(length - 2)
            if data.startswith(b"Exif\0\0"):
                return _exif_comment(data[6:])
        else:
            fh.seek(length - 2, 1)


# ---- WebP ---------------------------------------------------------------------------------
def _webp(fh: BinaryIO) -> str | None:
    (riff_size,) = struct.unpack("<I", fh.read(8)[4:])
    fh.seek(12)
    end = min(riff_size + 8, 1 << 40)
    while fh.tell() + 8 <= end:
        header = fh.read(8)
        if len(header) < 8:
            return None
        kind, size = header[:4], struct.unpack("<I", header[4:])[0]
        if kind == b"EXIF" and size <= MAX_TEXT * 2 + 4096:
            data = fh.read(size)
            return _exif_comment(data[6:] if data.startswith(b"Exif\0\0") else data)
        fh.seek(size + (size & 1), 1)  # chunks are padded to an even size
    return None


# ---- EXIF ---------------------------------------------------------------------------------
def _exif_comment(tiff: bytes) -> str | None:
    """The UserComment of a TIFF-structured EXIF block (IFD0 → Exif IFD), decoded."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    (ifd0,) = struct.unpack(order + "I", tiff[4:8])
    exif_ifd = _tag(tiff, order, ifd0, _EXIF_IFD)
    if exif_ifd is None:
        return None
    raw = _tag(tiff, order, exif_ifd[0], _USER_COMMENT, want_bytes=True)
    if raw is None:
        return None
    return _user_comment(raw[1])


def _tag(
    tiff: bytes, order: str, offset: int, tag: int, want_bytes: bool = False
) -> tuple[int, bytes | None] | None:
    """(value or offset, bytes) of ``tag`` in the IFD at ``offset``, or None."""
    if offset + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    for i in range(min(count, 1000)):
        at = offset + 2 + i * 12
        if at + 12 > len(tiff):
            return None
        t, kind, n, value = struct.unpack(order + "HHII", tiff[at : at + 12])
        if t != tag:
            continue
        if not want_bytes:
            return value, b""
        size = n * {1: 1, 2: 1, 7: 1}.get(kind, 0)
        if not size or size > MAX_TEXT * 2 + 8:
            return None
        data = tiff[at + 8 : at + 8 + size] if size <= 4 else tiff[value : value + size]
        return value, data if len(data) == size else None
    return None


def _user_comment(raw: bytes | None) -> str | None:
    if not raw or len(raw) < 8:
        return None
    prefix, body = raw[:8], raw[8:]
    if prefix == b"UNICODE\0":
        # piexif writes UTF-16 big-endian; a byte-order mark, when present, decides
        if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return body.decode("utf-16")
        return body.decode("utf-16-be")
    if prefix == b"ASCII\0\0\0":
        return body.decode("ascii", "replace")
    return raw.decode("utf-8", "replace").strip("\0") or None
