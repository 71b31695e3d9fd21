"""Embeddings stored in images, the two ways A1111 writes them.

1. PNG text chunk ``sd-ti-embedding``: base64 of the JSON of the .pt dict, tensors as
   ``{"TORCHTENSOR": nested lists}``. Chunks are walked by hand, so pixels are not decoded.
2. Pixel data ("image data" route, the only one for WebP/AVIF/JXL): zlib-compressed JSON
   split into low/high nibbles in two side blocks scrambled by an LCG. Decoding needs the
   pixels, so it is bounded by ``MAX_PIXELS``.

A plain picture (a preview) is reported as ``NotAnEmbedding``, which the scanner uses to
leave it out of the list silently, as the WebUI does.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import struct
import zlib
from typing import Any, BinaryIO

from ..entry import Parsed
from ..errors import UnreadableFile
from .payload import classify

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_KEY = b"sd-ti-embedding"
MAX_TEXT_BYTES = 16 * 1024 * 1024
MAX_JSON_BYTES = 16 * 1024 * 1024
# A 75-vector SDXL image embedding is about 600x4000 px; 40 MP leaves room and bounds memory.
MAX_PIXELS = 40_000_000


class NotAnEmbedding(Exception):
    """The image is a plain picture: no text chunk and no pixel-encoded payload."""


class ShapeOnly:
    """A tensor decoded from JSON nested lists, reduced to its shape."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape


def _nested_shape(value: Any) -> tuple[int, ...]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def _object_hook(obj: dict) -> Any:
    if "TORCHTENSOR" in obj:
        return ShapeOnly(_nested_shape(obj["TORCHTENSOR"]))
    return obj


def _decode_json(raw: bytes, what: str) -> Any:
    if len(raw) > MAX_JSON_BYTES:
        raise UnreadableFile(f"Refused: the {what} payload is larger than any embedding.")
    try:
        return json.loads(raw.decode("utf-8"), object_hook=_object_hook)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UnreadableFile(f"The {what} payload is not valid embedding JSON.") from None


def png_text_payload(fh: BinaryIO) -> bytes | None:
    """The raw value of the ``sd-ti-embedding`` text chunk, or None; pixels are not read."""
    fh.seek(0)
    if fh.read(8) != PNG_SIGNATURE:
        return None
    total = 0
    while True:
        head = fh.read(8)
        if len(head) < 8:
            return None
        length, kind = struct.unpack(">I4s", head)
        if kind == b"IDAT" or kind == b"IEND":
            # A1111 writes the chunk before the pixels; Pillow also reads text after IDAT,
            # so keep walking but skip the pixel bytes without reading them.
            if kind == b"IEND":
                return None
            fh.seek(length + 4, 1)
            continue
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            total += length
            if total > MAX_TEXT_BYTES:
                raise UnreadableFile("Refused: the PNG text chunks are absurdly large.")
            body = fh.read(length)
            fh.seek(4, 1)
            if len(body) < length:
                raise UnreadableFile("The PNG file is truncated inside a text chunk.")
            value = _text_value(kind, body)
            if value is not None:
                return value
        else:
            fh.seek(length + 4, 1)


def _text_value(kind: bytes, body: bytes) -> bytes | None:
    key, _, rest = body.partition(b"\x00")
    if key != TEXT_KEY:
        return None
    if kind == b"tEXt":
        return rest
    if kind == b"zTXt":
        return _inflate(rest[1:])
    compressed, rest = rest[0], rest[2:]  # iTXt: flag, method, lang\0, translated\0, text
    _lang, _, rest = rest.partition(b"\x00")
    _trans, _, text = rest.partition(b"\x00")
    return _inflate(text) if compressed else text


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_TEXT_BYTES)
    except zlib.error:
        raise UnreadableFile("The compressed PNG text chunk is corrupt.") from None
    if inflater.unconsumed_tail:
        raise UnreadableFile("Refused: the compressed PNG text chunk inflates too far.")
    return out


def parse_text_chunk(value: bytes) -> Parsed:
    """Decode the ``sd-ti-embedding`` value (base64 JSON) into shape facts."""
    try:
        raw = base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        raise UnreadableFile("The sd-ti-embedding text chunk is not valid base64.") from None
    data = _decode_json(raw, "sd-ti-embedding text chunk")
    return classify(data, Parsed(format="png-text", is_image=True))


def read(fh: BinaryIO, size: int, ext: str) -> Parsed:
    """Parse an image embedding; raise NotAnEmbedding for a plain picture."""
    # Like the WebUI (Pillow's ``img.text``), the text chunk counts whenever the *content*
    # is PNG, so a PNG renamed to .webp still loads through its chunk.
    value = png_text_payload(fh)
    if value is not None:
        return parse_text_chunk(value)
    fh.seek(0)
    return _read_pixels(fh.as_file() if hasattr(fh, "as_file") else fh, ext)


def _open_image(fh: BinaryIO, ext: str) -> Any:
    from PIL import Image

    try:
        img = Image.open(fh)
        width, height = img.size
    except Image.DecompressionBombError:
        raise UnreadableFile("Refused: the image is absurdly large (a decompression bomb).") from None
    except Exception:  # noqa: BLE001 - Pillow raises many types for bad input
        if ext in (".avif", ".jxl"):
            raise UnreadableFile(
                f"This Python's Pillow cannot open {ext} files, so it cannot be checked."
            ) from None
        raise UnreadableFile("The image is damaged or not an image Pillow can read.") from None
    if width * height > MAX_PIXELS:
        raise UnreadableFile(
            f"Refused: the image has {width * height:,} pixels; an embedding image is far smaller."
        )
    return img


def _read_pixels(fh: BinaryIO, ext: str) -> Parsed:
    try:
        import numpy as np
    except ImportError:
        raise UnreadableFile(
            "numpy is not installed, so an embedding hidden in image pixels cannot be checked."
        ) from None

    img = _open_image(fh, ext)
    try:
        pixels = np.asarray(img.convert("RGB"))
    except Exception:  # noqa: BLE001
        raise UnreadableFile("The image data is damaged or truncated.") from None
    raw = decode_pixel_payload(pixels)
    data = _decode_json(raw, "image-data")
    fmt = "png-pixels" if ext == ".png" else f"{ext[1:]}-pixels"
    return classify(data, Parsed(format=fmt, is_image=True))


@functools.lru_cache(maxsize=8)
def _lcg_mask(shape: tuple[int, ...]) -> Any:
    import numpy as np

    count = int(np.prod(shape))
    out = np.empty(count, dtype=np.uint8)
    seed = 0
    for i in range(count):
        seed = (1664525 * seed + 1013904223) % 4294967296
        out[i] = (seed % 255) & 0x0F
    return out.reshape(shape)


def decode_pixel_payload(pixels: Any) -> bytes:
    """The zlib payload hidden in an RGB array, or NotAnEmbedding for a plain picture."""
    import numpy as np

    lit = (pixels > 0).all(axis=2)
    rows, cols = np.any(lit, axis=1), np.any(lit, axis=0)
    if not rows.any():
        raise NotAnEmbedding
    r0, r1 = np.argmax(rows), len(rows) - np.argmax(rows[::-1])
    c0, c1 = np.argmax(cols), len(cols) - np.argmax(cols[::-1])
    low = pixels[r0:r1, c0:c1] & 0x0F
    empty = np.where(low.sum(axis=(0, 2)) == 0)[0]
    if len(empty) < 2:
        raise NotAnEmbedding
    lower, upper = low[:, : empty[0]], low[:, empty[-1] + 1 :]
    if lower.shape != upper.shape or lower.size == 0:
        raise UnreadableFile("The image-data blocks do not match: the picture was altered.")
    mask = _lcg_mask(lower.shape)
    data = ((upper ^ mask).astype(np.uint8) << 4) | (lower ^ mask)
    try:
        return zlib.decompressobj().decompress(data.tobytes(), MAX_JSON_BYTES)
    except zlib.error:
        raise UnreadableFile(
            "The image carries embedding-like data that does not decode (lossy re-save?)."
        ) from None
