"""Where an embedding's vectors lie in its file, their raw bytes, and a hash of them.

The torch readers' restricted unpickler already knows each storage (zip member
``data/N`` or a legacy storage) and each tensor's offset and stride in it; a safetensors
header gives byte ranges directly. ``locate`` turns either into ``Tensor`` records in the
order the WebUI uses (one tensor, or SDXL ``clip_g`` then ``clip_l``), and ``read_tensors``
reads exactly those byte ranges. Nothing is unpickled with code, and no torch is needed.

``vector_digest`` hashes the vectors (dtype, shape as [vectors, width], bytes), not the
file: a .pt and the .safetensors converted from it hash the same.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, field
from typing import Any

from .errors import UnreadableFile
from .formats import safetensors_header, torch_pickle
from .formats.payload import _params_of
from .formats.pread import PRead
from .formats.restricted_pickle import TensorStub

# torch storage class → safetensors dtype, for the element types an embedding uses
STORAGE_DTYPES = {"FloatStorage": "F32", "HalfStorage": "F16", "BFloat16Storage": "BF16"}
ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2}
MAX_TENSOR_BYTES = 256 * 1024 * 1024


@dataclass
class Tensor:
    """One tensor to carry over: its key, dtype, shape and byte range in the file."""

    key: str
    dtype: str
    shape: tuple[int, ...]
    offset: int
    nbytes: int


@dataclass
class Vectors:
    """An embedding's tensors (WebUI order) and the trainer facts that go with them."""

    tensors: list[Tensor]
    sdxl: bool
    meta: dict[str, str] = field(default_factory=dict)


def locate(path: str) -> Vectors:
    """The tensors of a .pt/.bin/.safetensors embedding; UnreadableFile (a sentence) if the
    file cannot be converted or hashed."""
    ext = os.path.splitext(path)[1].lower()
    size = os.path.getsize(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        fh = PRead(fd, size)
        if ext in (".pt", ".bin"):
            return _from_torch(torch_pickle.layout(fh, size))
        if ext == ".safetensors":
            return _from_safetensors(fh, size)
    finally:
        os.close(fd)
    raise UnreadableFile("Only .pt, .bin and .safetensors files hold tensors that can be read here.")


def read_tensors(path: str, vectors: Vectors) -> list[bytes]:
    """The raw bytes of each tensor, reading only their byte ranges."""
    out = []
    with open(path, "rb") as fh:
        for t in vectors.tensors:
            fh.seek(t.offset)
            data = fh.read(t.nbytes)
            if len(data) != t.nbytes:
                raise UnreadableFile("The file is truncated: tensor data is missing.")
            out.append(data)
    return out


def vector_digest(path: str) -> str:
    """A hash of the vectors alone (dtype, [vectors, width], bytes), not of the file."""
    vectors = locate(path)
    digest = hashlib.sha256(b"edeck-vectors-1")
    for t, data in zip(vectors.tensors, read_tensors(path, vectors), strict=True):
        key = t.key if vectors.sdxl else "emb"
        digest.update(f"|{key}|{t.dtype}|{'x'.join(map(str, _two_d(t.shape)))}|".encode())
        digest.update(data)
    return digest.hexdigest()


def _two_d(shape: tuple[int, ...]) -> tuple[int, ...]:
    # The WebUI unsqueezes a 1-D vector to [1, width]; both are the same embedding.
    return (1, shape[0]) if len(shape) == 1 else shape


# ---- torch ------------------------------------------------------------------------------
def _from_torch(lay: torch_pickle.Layout) -> Vectors:
    data = lay.obj
    if not lay.little_endian:
        raise UnreadableFile("The file was saved on a big-endian machine; it is not converted.")
    if not isinstance(data, dict):
        raise UnreadableFile("The file does not hold an embedding dict.")
    if "string_to_param" in data:
        params = _params_of(data["string_to_param"])
        if not isinstance(params, dict) or len(params) != 1:
            raise UnreadableFile("string_to_param does not hold exactly one tensor.")
        pairs = [("emb_params", next(iter(params.values())))]
        sdxl = False
    elif "clip_g" in data and "clip_l" in data:
        pairs = [("clip_g", data["clip_g"]), ("clip_l", data["clip_l"])]
        sdxl = True
    else:
        tensors = [v for v in data.values() if isinstance(v, TensorStub)]
        if len(data) != 1 or len(tensors) != 1:
            raise UnreadableFile(
                "The file does not hold exactly one tensor, nor an SDXL clip_g + clip_l pair."
            )
        pairs = [("emb_params", tensors[0])]
        sdxl = False
    out = [_torch_tensor(key, stub, lay) for key, stub in pairs]
    meta = {}
    for key in ("step", "sd_checkpoint", "sd_checkpoint_name", "name"):
        value = data.get(key)
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            meta[key] = str(value)
    return Vectors(out, sdxl, meta)


def _torch_tensor(key: str, stub: Any, lay: torch_pickle.Layout) -> Tensor:
    if not isinstance(stub, TensorStub) or stub.storage is None:
        raise UnreadableFile(f"{key} is not a tensor.")
    storage = stub.storage
    type_name = getattr(storage.storage_type, "name", "?")
    dtype = STORAGE_DTYPES.get(type_name)
    if dtype is None:
        raise UnreadableFile(
            f"{key} holds {type_name} values; only float32, float16 and bfloat16 are converted."
        )
    if storage.views or stub.offset is None or stub.stride is None or storage.key not in lay.where:
        raise UnreadableFile(f"{key} is a view that very old torch versions wrote; it is not converted.")
    if not _contiguous(stub.shape, stub.stride):
        raise UnreadableFile(f"{key} is not stored contiguously; it is not converted.")
    itemsize = ITEMSIZE[dtype]
    start, length = lay.where[storage.key]
    nbytes = math.prod(stub.shape) * itemsize
    if stub.offset < 0 or (stub.offset * itemsize) + nbytes > length:
        raise UnreadableFile(f"{key} lies beyond the end of its storage: the file is damaged.")
    if nbytes > MAX_TENSOR_BYTES:
        raise UnreadableFile(f"{key} is far larger than any embedding.")
    return Tensor(key, dtype, stub.shape, start + stub.offset * itemsize, nbytes)


def _contiguous(shape: tuple[int, ...], stride: tuple[int, ...]) -> bool:
    if len(shape) != len(stride):
        return False
    expected = 1
    for n, s in zip(reversed(shape), reversed(stride), strict=True):
        if n != 1 and s != expected:
            return False
        expected *= n
    return True


# ---- safetensors ------------------------------------------------------------------------
def _from_safetensors(fh: PRead, size: int) -> Vectors:
    header, data_size = safetensors_header.read_header(fh, size)
    base = size - data_size
    entries = {k: v for k, v in header.items() if k != "__metadata__"}
    if "clip_g" in entries and "clip_l" in entries:
        keys, sdxl = ["clip_g", "clip_l"], True
    elif len(entries) == 1:
        keys, sdxl = list(entries), False
    else:
        raise UnreadableFile("The file does not hold exactly one tensor, nor an SDXL clip_g + clip_l pair.")
    out = []
    for key in keys:
        info = entries[key]
        try:
            shape = tuple(int(n) for n in info["shape"])
            start, end = (int(n) for n in info["data_offsets"])
            dtype = str(info["dtype"])
        except (KeyError, TypeError, ValueError):
            raise UnreadableFile(f"The safetensors header entry {key!r} is malformed.") from None
        if not 0 <= start <= end <= data_size:
            raise UnreadableFile(f"Tensor {key!r} lies beyond the end of the file: the file is truncated.")
        out.append(Tensor(key, dtype, shape, base + start, end - start))
    meta = header.get("__metadata__")
    meta = {k: v for k, v in meta.items() if isinstance(v, str)} if isinstance(meta, dict) else {}
    return Vectors(out, sdxl, meta)
