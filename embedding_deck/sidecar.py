"""Reads the metadata files that sit beside an embedding; a bad sidecar is a warning.

- ``X.json``: the WebUI's user metadata (``description``, ``notes``, ``activation text``,
  ``preferred weight``, ``negative text``, ``sd version``, Forge's ``sd_version_str``…).
  Every key is kept as written.
- ``X.civitai.info``: Civitai Helper's copy of the Civitai version record (read-only).
- ``X.txt`` / ``X.description.txt``: a plain description; as in A1111 the first existing
  one is used, and a ``description`` key in ``X.json`` (even empty) replaces it.
"""

from __future__ import annotations

import json
import os
from typing import Any

JSON_SUFFIX = ".json"
CIVITAI_SUFFIX = ".civitai.info"
TEXT_SUFFIXES = (".txt", ".description.txt")
SIDECAR_SUFFIXES = (JSON_SUFFIX, CIVITAI_SUFFIX, *TEXT_SUFFIXES)
MAX_SIDECAR_BYTES = 4 * 1024 * 1024


def _read_text(path: str) -> str:
    # os-level read: thousands of small sidecars, where io.open's overhead dominates
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks, size = [], 0
        while size <= MAX_SIDECAR_BYTES:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_SIDECAR_BYTES:
        raise ValueError("larger than 4 MB")
    return raw.decode("utf-8-sig")


def _read_json(path: str) -> Any:
    return json.loads(_read_text(path))


def _civitai_fields(info: dict) -> dict[str, Any]:
    from .civitai import sd_version

    model = info.get("model") if isinstance(info.get("model"), dict) else {}
    words = info.get("trainedWords")
    creator = model.get("creator") if isinstance(model.get("creator"), dict) else {}
    latest = model.get("latestVersion") if isinstance(model.get("latestVersion"), dict) else {}
    newer = latest.get("id") not in (None, info.get("id")) and isinstance(latest.get("id"), int)
    shown = info.get("edeckPreview") if isinstance(info.get("edeckPreview"), dict) else {}
    level = shown.get("nsfwLevel")
    return {
        "nsfw": model.get("nsfw") is True or (isinstance(level, int) and level > 1),
        "newer": str(latest.get("name") or latest["id"]) if newer else None,
        "model": model.get("name"),
        "version": info.get("name"),
        "creator": creator.get("username") if isinstance(creator.get("username"), str) else None,
        "base_model": info.get("baseModel"),
        "sd_version": sd_version(info.get("baseModel")),
        "trained_words": [w for w in words if isinstance(w, str)] if isinstance(words, list) else [],
        "model_id": info.get("modelId"),
        "version_id": info.get("id"),
    }


def read_sidecars(folder: str, present: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Merged metadata and warnings for one embedding in ``folder``.

    ``present`` maps each sidecar suffix that exists to its real file name in the folder.
    """
    metadata: dict[str, Any] = {}
    warnings: list[str] = []
    for suffix in TEXT_SUFFIXES:
        if suffix in present:
            try:
                metadata["description"] = _read_text(folder + os.sep + present[suffix]).strip()
            except (OSError, ValueError) as err:
                warnings.append(f"{present[suffix]} cannot be read ({_why(err)}).")
            break
    if CIVITAI_SUFFIX in present:
        name = present[CIVITAI_SUFFIX]
        try:
            info = _read_json(folder + os.sep + name)
            if not isinstance(info, dict):
                raise ValueError("not a JSON object")
            metadata["civitai"] = _civitai_fields(info)
        except (OSError, ValueError) as err:
            warnings.append(f"{name} is not valid Civitai info ({_why(err)}); it was ignored.")
    if JSON_SUFFIX in present:
        name = present[JSON_SUFFIX]
        try:
            user = _read_json(folder + os.sep + name)
            if not isinstance(user, dict):
                raise ValueError("not a JSON object")
            metadata.update(user)
        except (OSError, ValueError) as err:
            warnings.append(
                f"{name} is not valid JSON ({_why(err)}); its metadata is not shown, "
                "and the file is left as it is."
            )
    return metadata, warnings


def _why(err: Exception) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"line {err.lineno}: {err.msg}"
    if isinstance(err, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(err, OSError):
        return err.strerror or type(err).__name__
    return str(err)


# ---- X.json for the editor (writing it: user_metadata.py) ----------------------------
def json_path_for(embedding_abs: str) -> str:
    """The WebUI's user-metadata file for an embedding: ``<path without extension>.json``."""
    return os.path.splitext(embedding_abs)[0] + JSON_SUFFIX


def civitai_path_for(embedding_abs: str) -> str:
    """Civitai Helper's record of an embedding: ``<path without extension>.civitai.info``."""
    return os.path.splitext(embedding_abs)[0] + CIVITAI_SUFFIX


def read_user_metadata(path: str) -> tuple[dict[str, Any], str | None]:
    """(the X.json dict, its stamp); ({}, None) when absent. Raises StaleWrite-free errors:
    ``ValueError`` with a sentence when the file is not a JSON object."""
    import hashlib

    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SIDECAR_BYTES + 1)
    except FileNotFoundError:
        return {}, None
    if len(raw) > MAX_SIDECAR_BYTES:
        raise ValueError(f"{os.path.basename(path)} is larger than 4 MB; it was left as it is.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        raise ValueError(
            f"{os.path.basename(path)} is not valid JSON ({_why(err)}); fix or remove it before "
            "saving. It was left as it is."
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"{os.path.basename(path)} does not hold a JSON object; it was left as it is.")
    return data, hashlib.sha256(raw).hexdigest()
