"""The only way from user input to a file path.

``check_rel`` refuses absolute paths, drive letters, backslashes, NUL bytes, ``..`` parts
and names the file system cannot encode. ``listed_path`` joins a checked relative path to
the root *without* resolving symlinks: it serves paths the library listed (the WebUI's own
walk follows symlinked folders and files, so a linked shared folder is part of the library).
``resolve_inside`` additionally requires the real path (symlinks resolved) to stay under
the root, for paths that are not listed entries.
"""

from __future__ import annotations

import os
import re

from .errors import DeckError, OutsideRoot

_DRIVE = re.compile(r"^[A-Za-z]:")


class UnencodablePath(DeckError):
    """A path holding characters no file name on this system can have."""

    status_hint = 400


def check_rel(rel: str) -> list[str]:
    """The parts of a safe relative path; OutsideRoot or UnencodablePath otherwise."""
    if not isinstance(rel, str) or not rel:
        raise OutsideRoot("No file was named.")
    if "\x00" in rel or "\\" in rel or rel.startswith("/") or _DRIVE.match(rel):
        raise OutsideRoot("That path is not inside the embeddings folder.")
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise OutsideRoot("That path is not inside the embeddings folder.")
    try:
        os.fsencode(rel)
    except UnicodeEncodeError:
        raise UnencodablePath(
            "That path holds characters that cannot be part of a file name on this system."
        ) from None
    return parts


def listed_path(root: str, rel: str) -> str:
    """``root`` joined with a checked ``rel``, symlinks left as they are."""
    return os.path.join(root, *check_rel(rel))


def resolve_inside(root: str, rel: str) -> str:
    """The absolute real path of ``rel`` under ``root``; raise OutsideRoot otherwise."""
    parts = check_rel(rel)
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, *parts))
    if os.path.commonpath([real_root, target]) != real_root:
        raise OutsideRoot("That path leads outside the embeddings folder.")
    return target


def same_real_folder(path: str, folder: str) -> bool:
    """True when ``path``, symlinks resolved, lies directly in ``folder`` (also resolved)."""
    return os.path.dirname(os.path.realpath(path)) == os.path.realpath(folder)
