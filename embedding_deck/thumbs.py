"""Thumbnails: decoded once, cached on disk by (path, size, mtime, width), with an ETag.

The browser revalidates with ``If-None-Match`` and gets 304 while the source is unchanged.
Decoding is bounded (``MAX_PIXELS``) so a hostile image cannot exhaust memory.
"""

from __future__ import annotations

import hashlib
import io
import os

from .atomic import atomic_write_bytes
from .errors import UnreadableFile

MAX_PIXELS = 64_000_000
WIDTHS = (160, 256, 384)


def etag_for(path: str, width: int) -> str:
    """A strong validator from the source's identity and the thumbnail width."""
    st = os.stat(path)
    raw = f"{path}\x00{st.st_size}\x00{st.st_mtime_ns}\x00{width}".encode("utf-8", "surrogateescape")
    return '"' + hashlib.sha1(raw).hexdigest()[:20] + '"'


def _render(path: str, width: int) -> bytes:
    from PIL import Image

    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_PIXELS:
                raise UnreadableFile("The preview image is too large to show.")
            img.draft("RGB", (width * 2, width * 2))
            img = img.convert("RGBA") if img.mode in ("RGBA", "LA", "P") else img.convert("RGB")
            img.thumbnail((width, width * 2))
            out = io.BytesIO()
            img.save(out, "WEBP", quality=82, method=3)
            return out.getvalue()
    except UnreadableFile:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many types for bad input
        raise UnreadableFile("The preview image cannot be decoded.") from None


def thumbnail(path: str, width: int, cache_dir: str) -> tuple[bytes, str]:
    """(WebP bytes, ETag) of ``path`` scaled to ``width``; cached in ``cache_dir``."""
    width = min(WIDTHS, key=lambda w: abs(w - width))
    tag = etag_for(path, width)
    cached = os.path.join(cache_dir, tag.strip('"') + ".webp")
    try:
        with open(cached, "rb") as fh:
            return fh.read(), tag
    except OSError:
        pass
    data = _render(path, width)
    try:
        os.makedirs(cache_dir, exist_ok=True)
        atomic_write_bytes(cached, data)
    except OSError:
        pass  # a read-only cache only costs speed
    return data, tag
