"""A small versioned JSON list in the data folder (favourites, saved searches).

``{"version": 1, "<key>": [...]}``, written atomically; a missing, unreadable or
misshapen file reads as an empty list, so a broken store never breaks the page.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .atomic import atomic_write_json


def read_list(path: str, key: str) -> list[Any]:
    """The list under ``key``, or [] when the file is missing or not that shape."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return []
    rows = data.get(key) if isinstance(data, dict) else None
    return rows if isinstance(rows, list) else []


def write_list(path: str, key: str, rows: list[Any]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write_json(path, {"version": 1, key: rows})
