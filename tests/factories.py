"""Writes REAL embedding files with the real libraries: torch.save, safetensors, Pillow.

torch is imported lazily: on Python 3.10 (no torch wheel here) the pickle formats come
from ``tests/fixtures/``, which ``tools/make_fixtures.py`` wrote with these functions.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from typing import Any

import numpy as np
from PIL import Image, PngImagePlugin

RNG = np.random.default_rng(1234)


def _floats(shape: tuple[int, ...]) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32) * 0.02


def write_safetensors(path: str, shapes: dict[str, tuple[int, ...]], metadata: dict | None = None) -> str:
    """A safetensors file written by the safetensors library (numpy API, no torch needed)."""
    from safetensors.numpy import save_file

    save_file({k: _floats(s) for k, s in shapes.items()}, path, metadata=metadata)
    return path


# ---- torch pickles ---------------------------------------------------------------
def trainer_payload(
    vectors: int, dim: int, name: str = "emb", step: int = 500, param_dict: bool = False
) -> dict[str, Any]:
    """The dict A1111's trainer saves (``string_to_param`` etc.), with real torch tensors."""
    import torch

    param = torch.nn.Parameter(torch.from_numpy(_floats((vectors, dim))))
    params: Any = {"*": param}
    if param_dict:
        params = torch.nn.ParameterDict(params)
    return {
        "string_to_token": {"*": 265},
        "string_to_param": params,
        "name": name,
        "step": step,
        "sd_checkpoint": "e1441589a6",
        "sd_checkpoint_name": "v1-5-pruned-emaonly",
    }


def sdxl_payload(vectors: int) -> dict[str, Any]:
    import torch

    return {
        "clip_g": torch.from_numpy(_floats((vectors, 1280))),
        "clip_l": torch.from_numpy(_floats((vectors, 768))),
    }


def diffusers_payload(token: str = "<cat-toy>", one_d: bool = True, dim: int = 768) -> dict:
    import torch

    shape = (dim,) if one_d else (1, dim)
    return {token: torch.from_numpy(_floats(shape))}


def write_pt(path: str, payload: Any, legacy: bool = False) -> str:
    """``torch.save`` in the zip (default) or the pre-1.6 legacy serialisation."""
    import torch

    torch.save(payload, path, _use_new_zipfile_serialization=not legacy)
    return path


class Canary:
    """Pickles as a call to ``os.system`` that would create a canary file."""

    def __init__(self, canary: str, how: str = "system") -> None:
        self.canary = canary
        self.how = how

    def __reduce__(self):
        if self.how == "eval":
            return (eval, (f"open({self.canary!r}, 'w').write('pwned')",))
        if self.how == "exec":
            return (exec, (f"open({self.canary!r}, 'w').write('pwned')",))
        return (os.system, (f"touch {self.canary}",))


def write_malicious_pt(
    path: str, canary: str, how: str = "system", legacy: bool = False, nested: bool = False
) -> str:
    """A torch file whose pickle would create ``canary`` if it were executed."""
    import torch

    bomb: Any = Canary(canary, how)
    if nested:
        bomb = {"a": [{"b": (bomb,)}]}
    payload = {"string_to_param": {"*": torch.zeros(1, 768)}, "name": bomb}
    torch.save(payload, path, _use_new_zipfile_serialization=not legacy)
    return path


# ---- image embeddings --------------------------------------------------------------
def json_payload(vectors: int, dim: int = 768, name: str = "rick", step: int = 60) -> dict:
    """The .pt dict as A1111's image writer turns it into JSON (tensors as TORCHTENSOR)."""
    return {
        "string_to_token": {"*": 265},
        "string_to_param": {"*": {"TORCHTENSOR": _floats((vectors, dim)).tolist()}},
        "name": name,
        "step": step,
        "sd_checkpoint": "e1441589a6",
        "sd_checkpoint_name": "v1-5-pruned-emaonly",
    }


def picture(width: int = 128, height: int = 128, seed: int = 7) -> Image.Image:
    """A plain, noisy picture (a preview), with no all-black columns."""
    rng = np.random.default_rng(seed)
    base = np.linspace(40, 220, width, dtype=np.float32)[None, :, None]
    noise = rng.integers(0, 30, (height, width, 3))
    return Image.fromarray(np.clip(base + noise, 1, 255).astype(np.uint8), "RGB")


def write_png_text(path: str, payload: dict, image: Image.Image | None = None) -> str:
    """A PNG with the ``sd-ti-embedding`` tEXt chunk, written by Pillow."""
    info = PngImagePlugin.PngInfo()
    raw = json.dumps(payload).encode("utf-8")
    info.add_text("sd-ti-embedding", base64.b64encode(raw))
    (image or picture()).save(path, pnginfo=info)
    return path


def _lcg_nibbles(count: int) -> np.ndarray:
    out = np.empty(count, dtype=np.uint8)
    seed = 0
    for i in range(count):
        seed = (1664525 * seed + 1013904223) % 4294967296
        out[i] = (seed % 255) & 0x0F
    return out


def pixel_canvas(payload: dict, image: Image.Image | None = None) -> Image.Image:
    """Our own implementation of the image-data layout described in host-contract §2.5."""
    image = (image or picture()).convert("RGB")
    raw = np.frombuffer(zlib.compress(json.dumps(payload).encode("utf-8"), 9), dtype=np.uint8)
    h = image.height
    size = len(raw) + (h - len(raw) % h)
    size += 3 * h - size % (3 * h)
    width = size // (3 * h)
    mask = _lcg_nibbles(size).reshape(h, width, 3)
    low = (np.resize(raw & 0x0F, size).reshape(h, width, 3) ^ mask) | 0x80
    high = (np.resize(raw >> 4, size).reshape(h, width, 3) ^ mask) | 0x80
    canvas = Image.new("RGB", (width + 1 + image.width + 1 + width, h), (0, 0, 0))
    canvas.paste(Image.fromarray(low.astype(np.uint8)), (0, 0))
    canvas.paste(image, (width + 1, 0))
    canvas.paste(Image.fromarray(high.astype(np.uint8)), (width + 1 + image.width + 1, 0))
    return canvas


def write_pixel_embedding(path: str, payload: dict, fmt: str = "PNG") -> str:
    """An image embedding carried only by pixels (PNG, or lossless WebP)."""
    canvas = pixel_canvas(payload)
    if fmt == "WEBP":
        canvas.save(path, "WEBP", lossless=True)
    else:
        canvas.save(path, fmt)
    return path
