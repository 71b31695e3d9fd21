"""Reads a .safetensors file's header only: 8-byte length, then a JSON table of tensors.

Tensor bytes are never read. The header is checked against the file size so a truncated
download is reported instead of being listed as healthy.
"""

from __future__ import annotations

import json
import math
from typing import BinaryIO

from ..entry import Parsed
from ..errors import UnreadableFile
from .payload import classify

# safetensors itself refuses headers over 100 MB; real embedding headers are < 10 KB.
MAX_HEADER_BYTES = 16 * 1024 * 1024
DTYPE_BYTES = {
    "F64": 8,
    "F32": 4,
    "F16": 2,
    "BF16": 2,
    "I64": 8,
    "I32": 4,
    "I16": 2,
    "I8": 1,
    "U64": 8,
    "U32": 4,
    "U16": 2,
    "U8": 1,
    "BOOL": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
}


class HeaderTensor:
    """A tensor as the header describes it: shape and dtype, no data."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple[int, ...], dtype: str) -> None:
        self.shape = shape
        self.dtype = dtype


def read_header(fh: BinaryIO, size: int) -> tuple[dict, int]:
    """(parsed header dict, bytes of tensor data after it); raise UnreadableFile if bad."""
    head = fh.read(8)
    if len(head) < 8:
        raise UnreadableFile("The file is shorter than a safetensors header (8 bytes).")
    length = int.from_bytes(head, "little")
    if length > MAX_HEADER_BYTES:
        raise UnreadableFile(
            f"The safetensors header claims {length:,} bytes (limit {MAX_HEADER_BYTES:,}); "
            "the file is corrupt or not a safetensors file."
        )
    if 8 + length > size:
        raise UnreadableFile(
            f"The safetensors header claims {length:,} bytes but the file has only "
            f"{size - 8:,} after the length: the file is truncated or not safetensors."
        )
    raw = fh.read(length)  # exactly the header: the tensor bytes after it are never read
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise UnreadableFile("The safetensors header is not valid JSON.") from None
    if not isinstance(header, dict):
        raise UnreadableFile("The safetensors header is not a JSON object.")
    return header, size - 8 - length


def _tensors(header: dict, data_size: int) -> dict[str, HeaderTensor]:
    tensors: dict[str, HeaderTensor] = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            shape = tuple(map(int, info["shape"]))
            start, end = map(int, info["data_offsets"])
            dtype = str(info["dtype"])
        except (KeyError, TypeError, ValueError):
            raise UnreadableFile(f"The safetensors header entry {key!r} is malformed.") from None
        if end > data_size or start > end or min(shape, default=1) < 0:
            raise UnreadableFile(f"Tensor {key!r} lies beyond the end of the file: the file is truncated.")
        count = math.prod(shape)
        if dtype in DTYPE_BYTES and count * DTYPE_BYTES[dtype] != end - start:
            raise UnreadableFile(f"Tensor {key!r} has a size that does not match its shape.")
        tensors[key] = HeaderTensor(shape, dtype)
    return tensors


def read(fh: BinaryIO, size: int) -> Parsed:
    """Parse a safetensors embedding from its header."""
    header, data_size = read_header(fh, size)
    tensors = _tensors(header, data_size)
    parsed = Parsed(format="safetensors")
    if not tensors:
        raise UnreadableFile("The safetensors file holds no tensors.")
    classify(tensors, parsed)
    meta = header.get("__metadata__")
    if isinstance(meta, dict):
        parsed.internal_name = parsed.internal_name or _meta_str(meta, "name")
    return parsed


def _meta_str(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    return value if isinstance(value, str) else None
