"""The only way from user input to a file path: resolve it and keep it inside a root.

Refuses absolute paths, drive letters, backslashes, NUL bytes, ``..`` parts and anything
whose real path (symlinks resolved) leaves the root.
"""

from __future__ import annotations

import os
import re

from .errors import OutsideRoot

_DRIVE = re.compile(r"^[A-Za-z]:")


def resolve_inside(root: str, rel: str) -> str:
    """The absolute real path of ``rel`` under ``root``; raise OutsideRoot otherwise."""
    if not isinstance(rel, str) or not rel:
        raise OutsideRoot("No file was named.")
    if "\x00" in rel or "\\" in rel or rel.startswith("/") or _DRIVE.match(rel):
        raise OutsideRoot("That path is not inside the embeddings folder.")
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise OutsideRoot("That path is not inside the embeddings folder.")
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, *parts))
    if os.path.commonpath([real_root, target]) != real_root:
        raise OutsideRoot("That path leads outside the embeddings folder.")
    return target
