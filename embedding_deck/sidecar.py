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
    with open(path, "rb", buffering=0) as fh:
        raw = fh.read(MAX_SIDECAR_BYTES + 1)
    if len(raw) > MAX_SIDECAR_BYTES:
        raise ValueError("larger than 4 MB")
    return raw.decode("utf-8-sig")


def _read_json(path: str) -> Any:
    return json.loads(_read_text(path))


def _civitai_fields(info: dict) -> dict[str, Any]:
    model = info.get("model") if isinstance(info.get("model"), dict) else {}
    words = info.get("trainedWords")
    return {
        "model": model.get("name"),
        "version": info.get("name"),
        "base_model": info.get("baseModel"),
        "trained_words": [w for w in words if isinstance(w, str)] if isinstance(words, list) else [],
        "model_id": info.get("modelId"),
        "version_id": info.get("id"),
    }


def read_sidecars(stem_path: str, present: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Merged metadata and warnings for the embedding whose path without extension is ``stem_path``.

    ``present`` maps each sidecar suffix that exists to its real file name in the folder.
    """
    folder = os.path.dirname(stem_path)
    metadata: dict[str, Any] = {}
    warnings: list[str] = []
    for suffix in TEXT_SUFFIXES:
        if suffix in present:
            try:
                metadata["description"] = _read_text(os.path.join(folder, present[suffix])).strip()
            except (OSError, ValueError) as err:
                warnings.append(f"{present[suffix]} cannot be read ({_why(err)}).")
            break
    if CIVITAI_SUFFIX in present:
        name = present[CIVITAI_SUFFIX]
        try:
            info = _read_json(os.path.join(folder, name))
            if not isinstance(info, dict):
                raise ValueError("not a JSON object")
            metadata["civitai"] = _civitai_fields(info)
        except (OSError, ValueError) as err:
            warnings.append(f"{name} is not valid Civitai info ({_why(err)}); it was ignored.")
    if JSON_SUFFIX in present:
        name = present[JSON_SUFFIX]
        try:
            user = _read_json(os.path.join(folder, name))
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
