"""What an embedding's vectors resemble: nearest vocabulary tokens by cosine similarity.

Pure numpy: ``nearest_tokens(matrix, tokens, vectors)`` takes the text encoder's token
embedding matrix (anything whose row slices ``numpy.asarray`` can read, so a host can
hand over a large matrix a chunk at a time), the vocabulary's token strings by row, and
the embedding's vectors. ``read_safetensors_vectors`` reads a .safetensors embedding's
vectors from their byte ranges (numpy from bytes; nothing is unpickled, no torch).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from .errors import UnreadableFile
from .formats import safetensors_header
from .formats.pread import PRead

TOP_K = 5
CHUNK_ROWS = 8192
MAX_VECTORS = 1024
_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}


@dataclass
class VectorReport:
    """One vector: its norm and the nearest tokens as (token, similarity) pairs."""

    index: int
    norm: float
    nearest: list[tuple[str, float]]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "norm": round(self.norm, 4),
            "nearest": [{"token": t, "similarity": round(s, 4)} for t, s in self.nearest],
        }


def clean_token(token: str) -> str:
    """A BPE token as a person reads it: CLIP's end-of-word mark ``</w>`` removed."""
    return token[:-4] if token.endswith("</w>") else token


def nearest_tokens(matrix: Any, tokens: list[str], vectors: Any, k: int = TOP_K) -> list[VectorReport]:
    """For each row of ``vectors``: its norm and the ``k`` rows of ``matrix`` nearest by cosine."""
    import numpy as np

    vecs = np.asarray(vectors, dtype=np.float32)
    if vecs.ndim == 1:
        vecs = vecs[None, :]
    if vecs.ndim != 2 or vecs.shape[0] > MAX_VECTORS:
        raise UnreadableFile("The embedding's vectors do not form a [vectors, width] table.")
    rows = len(tokens)
    norms = np.linalg.norm(vecs, axis=1)
    unit = vecs / np.where(norms > 0, norms, 1)[:, None]
    best_sim = np.full((vecs.shape[0], 0), -np.inf, dtype=np.float32)
    best_idx = np.zeros((vecs.shape[0], 0), dtype=np.int64)
    for start in range(0, rows, CHUNK_ROWS):
        chunk = np.asarray(matrix[start : start + CHUNK_ROWS], dtype=np.float32)
        if chunk.ndim != 2 or chunk.shape[1] != vecs.shape[1]:
            raise UnreadableFile(
                f"The embedding is {vecs.shape[1]} wide; this text encoder's tokens are "
                f"{chunk.shape[-1] if chunk.ndim else '?'} wide."
            )
        chunk_norms = np.linalg.norm(chunk, axis=1)
        sims = (unit @ chunk.T) / np.where(chunk_norms > 0, chunk_norms, 1)[None, :]
        idx = np.broadcast_to(np.arange(start, start + chunk.shape[0]), sims.shape)
        all_sim = np.concatenate([best_sim, sims], axis=1)
        all_idx = np.concatenate([best_idx, idx], axis=1)
        keep = min(k, all_sim.shape[1])
        top = np.argpartition(-all_sim, keep - 1, axis=1)[:, :keep]
        best_sim = np.take_along_axis(all_sim, top, axis=1)
        best_idx = np.take_along_axis(all_idx, top, axis=1)
    reports = []
    for i in range(vecs.shape[0]):
        # highest similarity first; ties by vocabulary order, so results are stable
        order = sorted(range(best_sim.shape[1]), key=lambda j: (-float(best_sim[i, j]), int(best_idx[i, j])))
        nearest = [(clean_token(tokens[int(best_idx[i, j])]), float(best_sim[i, j])) for j in order]
        norm = float(norms[i])
        reports.append(VectorReport(i, norm if math.isfinite(norm) else 0.0, nearest))
    return reports


def _bf16(data: bytes, count: int) -> Any:
    import numpy as np

    raw = np.frombuffer(data, dtype="<u2", count=count).astype(np.uint32) << 16
    return raw.view(np.float32)


def array_from_bytes(data: bytes, dtype: str, shape: tuple[int, ...]) -> Any:
    """A float32 numpy array from a tensor's raw little-endian bytes."""
    import numpy as np

    count = math.prod(shape)
    if dtype == "BF16":
        flat = _bf16(data, count)
    elif dtype in _DTYPES:
        flat = np.frombuffer(data, dtype=_DTYPES[dtype], count=count)
    else:
        raise UnreadableFile(f"The vectors are stored as {dtype}; only float tensors can be compared.")
    arr = flat.astype(np.float32).reshape(shape)
    return arr[None, :] if arr.ndim == 1 else arr


def read_safetensors_vectors(path: str) -> dict[str, Any]:
    """{key: float32 [vectors, width]} of a .safetensors embedding (SDXL: clip_l, clip_g)."""
    size = os.path.getsize(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        header, data_size = safetensors_header.read_header(PRead(fd, size), size)
    finally:
        os.close(fd)
    base = size - data_size
    entries = {k: v for k, v in header.items() if k != "__metadata__" and isinstance(v, dict)}
    if "clip_g" in entries and "clip_l" in entries:
        keys = ["clip_l", "clip_g"]
    elif len(entries) == 1:
        keys = list(entries)
    else:
        raise UnreadableFile("The file does not hold exactly one tensor, nor an SDXL clip_g + clip_l pair.")
    out = {}
    with open(path, "rb") as fh:
        for key in keys:
            info = entries[key]
            try:
                shape = tuple(int(n) for n in info["shape"])
                start, end = (int(n) for n in info["data_offsets"])
                dtype = str(info["dtype"])
            except (KeyError, TypeError, ValueError):
                raise UnreadableFile(f"The safetensors header entry {key!r} is malformed.") from None
            itemsize = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8}.get(dtype)
            if itemsize is None:
                raise UnreadableFile(f"The vectors are stored as {dtype}; only floats can be compared.")
            if len(shape) not in (1, 2) or not 0 <= start <= end <= data_size:
                raise UnreadableFile(f"Tensor {key!r} is not a [vectors, width] table inside the file.")
            if end - start != math.prod(shape) * itemsize or math.prod(shape) > MAX_VECTORS * 4096:
                raise UnreadableFile(f"Tensor {key!r} does not match its declared shape.")
            fh.seek(base + start)
            data = fh.read(end - start)
            if len(data) != end - start:
                raise UnreadableFile("The file is truncated: tensor data is missing.")
            out[key] = array_from_bytes(data, dtype, shape)
    return out
