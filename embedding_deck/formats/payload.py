"""Turns a decoded embedding dict into shape facts, following the WebUI's own branch order.

A1111 ``create_embedding_from_data`` tries, in order: ``string_to_param`` (trainer dicts),
``clip_g`` + ``clip_l`` (SDXL), then a dict whose first value is a tensor (diffusers
``{"<token>": t}``, kohya ``emb_params``). Tensors arrive here as anything with a
``shape`` tuple (stubs from the restricted unpickler, safetensors header records, JSON
nested-list shapes), never as data.
"""

from __future__ import annotations

from typing import Any

from ..entry import Parsed
from ..errors import UnreadableFile


def shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape of a tensor-like value, or None when it is not tensor-like."""
    # Every reader builds shapes as tuples of ints (header records, tensor stubs, JSON
    # list lengths), so the type check is enough.
    shape = getattr(value, "shape", None)
    return shape if type(shape) is tuple else None


def _params_of(value: Any) -> Any:
    # torch 1.11/1.12 saved string_to_param as an nn.ParameterDict; its entries sit in
    # ``_parameters`` (A1111 unwraps it the same way).
    inner = getattr(value, "_parameters", None)
    return inner if isinstance(inner, dict) else value


def _dim_and_vectors(shape: tuple[int, ...], what: str) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], 1
    if len(shape) == 2:
        return shape[1], shape[0]
    raise UnreadableFile(f"The {what} tensor has shape {list(shape)}; an embedding is [vectors, width].")


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def classify(data: Any, parsed: Parsed) -> Parsed:
    """Fill ``parsed`` from a decoded payload; raise UnreadableFile when it is not an embedding."""
    if not isinstance(data, dict):
        raise UnreadableFile(
            f"The file holds a {type(data).__name__}, not a dict, so it is not an embedding."
        )
    if "string_to_param" in data:
        params = _params_of(data["string_to_param"])
        if not isinstance(params, dict) or len(params) != 1:
            count = len(params) if isinstance(params, dict) else "no"
            raise UnreadableFile(f"string_to_param has {count} entries; the WebUI needs exactly one.")
        shape = shape_of(next(iter(params.values())))
        if shape is None:
            raise UnreadableFile("string_to_param does not hold a tensor.")
        parsed.dim, parsed.vectors = _dim_and_vectors(shape, "string_to_param")
    elif "clip_g" in data and "clip_l" in data:
        g, l_ = shape_of(data["clip_g"]), shape_of(data["clip_l"])
        if not g or not l_:
            raise UnreadableFile("clip_g / clip_l are not tensors.")
        parsed.dim = g[-1] + l_[-1]
        parsed.vectors = g[0] if len(g) == 2 else 1
        if g[0] != l_[0] and len(g) == 2 and len(l_) == 2:
            parsed.warnings.append(
                f"clip_g has {g[0]} vectors but clip_l has {l_[0]}; the WebUI counts clip_g."
            )
    elif data and (first := shape_of(next(iter(data.values())))) is not None:
        if len(data) != 1:
            raise UnreadableFile(
                f"The file holds {len(data)} entries ({_keys(data)}) and is not an SDXL "
                "clip_l + clip_g pair; the WebUI loads a single-tensor file only."
            )
        parsed.dim, parsed.vectors = _dim_and_vectors(first, repr(next(iter(data))))
    else:
        raise UnreadableFile(
            f"Not an embedding: a dict with keys {_keys(data)}, neither a textual-inversion "
            "embedding nor a diffusers concept."
        )
    parsed.step = _int_or_none(data.get("step"))
    parsed.checkpoint = _str_or_none(data.get("sd_checkpoint_name"))
    parsed.checkpoint_hash = _str_or_none(data.get("sd_checkpoint"))
    parsed.internal_name = _str_or_none(data.get("name"))
    return parsed


def _keys(data: dict) -> str:
    # Only string keys are shown: str() of a crafted key could be exponentially large.
    keys = [repr(k[:40]) if isinstance(k, str) else type(k).__name__ for k in list(data)[:5]]
    more = ", …" if len(data) > 5 else ""
    return ", ".join(keys) + more
