"""Embedding Deck core: reads Textual Inversion embedding files safely and fast.

Pure library: no gradio, fastapi, WebUI ``modules`` or torch imports. The public API is
``Library`` (scan a folder, keep it fresh), ``Entry`` (one file), ``read_file`` (one
file's format facts) and ``Query`` (search/sort) with ``folder_tree``.
"""

from __future__ import annotations

from .entry import Entry, Parsed
from .formats import read_file
from .index import Library
from .query import Query, folder_tree

__all__ = ["Entry", "Library", "Parsed", "Query", "folder_tree", "read_file"]
__version__ = "0.1.0"
