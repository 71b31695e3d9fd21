"""Format readers: one file in, one ``Parsed`` out; ``read_file`` never raises.

Dispatch follows the WebUI's rule (the upper-cased last extension): ``.pt``/``.bin`` are
torch pickles, ``.safetensors`` headers, ``.png``/``.webp``/``.jxl``/``.avif`` image
embeddings. Every failure becomes ``Parsed.error``, a sentence for the user.
"""

from __future__ import annotations

import errno
import os

from ..entry import Parsed
from ..errors import UnreadableFile
from . import image_embedding, safetensors_header, torch_pickle
from .image_embedding import NotAnEmbedding
from .pread import PRead

TORCH_EXTS = (".pt", ".bin")
IMAGE_EXTS = (".png", ".webp", ".jxl", ".avif")
EMBEDDING_EXTS = (*TORCH_EXTS, ".safetensors", *IMAGE_EXTS)
FORMAT_BY_EXT = {".pt": "pt", ".bin": "pt", ".safetensors": "safetensors"}

__all__ = ["EMBEDDING_EXTS", "IMAGE_EXTS", "NotAnEmbedding", "read_file"]

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
OS_ERRORS = {
    errno.ENOENT: "The file disappeared before it could be read.",
    errno.EACCES: "Permission denied: the WebUI's user cannot read this file.",
    errno.EPERM: "Permission denied: the WebUI's user cannot read this file.",
    errno.ELOOP: "The file is a symbolic link that loops back on itself.",
    errno.EISDIR: "This is a folder named like an embedding file, not a file.",
}


def _fmt_for(ext: str) -> str:
    return FORMAT_BY_EXT.get(ext, ext.lstrip("."))


def read_file(path: str, size: int, ext: str | None = None) -> Parsed:
    """Read one embedding file; raise NotAnEmbedding only for plain pictures. ``ext``: the
    extension to read it as (a file the WebUI renamed ``X.pt.corrupted`` is read as .pt)."""
    ext = ext or path[path.rfind(".") :].lower()
    if size == 0:
        return Parsed(
            format=_fmt_for(ext),
            error="The file is empty (0 bytes); the WebUI skips it.",
        )
    try:
        # A raw fd and a few preads (pread.py): the readers touch a few hundred bytes of a
        # file, where a buffered file object would cost more and read 8 KB blocks.
        fd = os.open(path, _OPEN_FLAGS)
        try:
            return _dispatch(PRead(fd, size), size, ext)
        finally:
            os.close(fd)
    except NotAnEmbedding:
        raise
    except UnreadableFile as err:
        return Parsed(format=_fmt_for(ext), is_image=ext in IMAGE_EXTS, error=str(err))
    except OSError as err:
        message = OS_ERRORS.get(err.errno or 0, f"The file cannot be read ({err.strerror}).")
        return Parsed(format=_fmt_for(ext), error=message)
    except Exception as err:  # noqa: BLE001 - a reader bug must not hide the other files
        return Parsed(format=_fmt_for(ext), error=f"Unexpected error while reading: {err!r}"[:200])


def _dispatch(fh, size: int, ext: str) -> Parsed:  # noqa: ANN001 - a binary file object
    if ext in TORCH_EXTS:
        return torch_pickle.read(fh, size)
    if ext == ".safetensors":
        return safetensors_header.read(fh, size)
    return image_embedding.read(fh, size, ext)
