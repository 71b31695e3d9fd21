"""Preview lookup in a fixed, documented order.

A1111 tries, per extension, ``X.<ext>`` then ``X.preview.<ext>``, but walks its extensions
as a Python set, so which of ``X.jpg`` and ``X.preview.png`` wins can change between
restarts. We use one fixed order (``PREVIEW_ORDER``) and match names exactly first, then
case-insensitively, as the WebUI's file lister does (``scan.Folder.preview_of``). An image
embedding is its own preview.
"""

from __future__ import annotations

PREVIEW_EXTS = ("png", "jpg", "jpeg", "webp", "gif", "avif", "jxl")
PREVIEW_ORDER = tuple(s for ext in PREVIEW_EXTS for s in (f".{ext}", f".preview.{ext}"))


def is_preview_name(name: str) -> bool:
    """True for ``*.preview.<image ext>``: the WebUI never reads those as embeddings."""
    lowered = name.lower()
    return any(lowered.endswith(f".preview.{ext}") for ext in PREVIEW_EXTS)
