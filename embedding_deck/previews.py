"""Preview lookup in a fixed, documented order.

A1111 tries, per extension, ``X.<ext>`` then ``X.preview.<ext>``, but walks its extensions
as a Python set, so which of ``X.jpg`` and ``X.preview.png`` wins can change between
restarts. We use one fixed order (``PREVIEW_ORDER``), matching names exactly first, then
case-insensitively, as the WebUI's file lister does (``scan.Folder.preview_of``). An image
embedding is its own preview unless an ``X.preview.*`` exists.

This module also decodes uploads (re-encoding them, never storing bytes as sent) and
writes or deletes ``X.preview.png`` atomically; the embedding file itself is never touched.
"""

from __future__ import annotations

import os

PREVIEW_EXTS = ("png", "jpg", "jpeg", "webp", "gif", "avif", "jxl")
# Within one extension, the explicit X.preview.<ext> comes before X.<ext>: a preview the
# user chose (ours or another tool's) wins over a same-named picture or image embedding.
PREVIEW_ORDER = tuple(s for ext in PREVIEW_EXTS for s in (f".preview.{ext}", f".{ext}"))


MAX_UPLOAD_BYTES = 32 * 1024 * 1024
MAX_UPLOAD_PIXELS = 40_000_000
UPLOAD_FORMATS = ("PNG", "JPEG", "WEBP")
PREVIEW_SUFFIX = ".preview.png"
MAX_PREVIEW_SIDE = 1024


def decode_upload(data: bytes) -> object:
    """A PIL image from uploaded bytes; BadUpload with a sentence when unacceptable."""
    import io

    from PIL import Image

    from .errors import BadUpload

    if not data:
        raise BadUpload("The upload was empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadUpload(f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise BadUpload(
            f"The image has far too many megapixels; the limit is {MAX_UPLOAD_PIXELS // 1_000_000}."
        ) from None
    except Exception:  # noqa: BLE001 - Pillow raises many types for non-images
        raise BadUpload("That file is not an image (use PNG, JPEG or WebP).") from None
    if img.format not in UPLOAD_FORMATS:
        raise BadUpload(f"{img.format or 'That'} images are not accepted; use PNG, JPEG or WebP.")
    if img.width * img.height > MAX_UPLOAD_PIXELS:
        megapixels = img.width * img.height // 1_000_000
        raise BadUpload(
            f"The image has {megapixels} megapixels; the limit is {MAX_UPLOAD_PIXELS // 1_000_000}."
        )
    try:
        img.load()
    except Exception:  # noqa: BLE001
        raise BadUpload("The image is damaged or truncated.") from None
    return img


def encode_preview(img: object) -> bytes:
    """Re-encode as PNG (metadata dropped), scaled down to at most 1024 px on a side."""
    import io

    mode = "RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB"
    img = img.convert(mode)
    img.thumbnail((MAX_PREVIEW_SIDE, MAX_PREVIEW_SIDE))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()


def preview_path_for(embedding_abs: str) -> str:
    """Where we write a preview: ``<path without extension>.preview.png``."""
    return os.path.splitext(embedding_abs)[0] + PREVIEW_SUFFIX


def write_preview(embedding_abs: str, data: bytes) -> str:
    """Decode, re-encode and atomically write the preview; return its absolute path."""
    from .atomic import atomic_write_bytes

    target = preview_path_for(embedding_abs)
    if os.path.abspath(target) == os.path.abspath(embedding_abs):
        raise ValueError("refusing to overwrite the embedding itself")
    atomic_write_bytes(target, encode_preview(decode_upload(data)))
    return target


def delete_preview(embedding_abs: str) -> bool:
    """Remove our ``X.preview.png``; False when there was none."""
    try:
        os.unlink(preview_path_for(embedding_abs))
    except FileNotFoundError:
        return False
    return True
