"""``python -m embedding_deck demo``: copy the bundled demo library to a fresh folder, serve it.

The demo files are real-format embeddings (random vectors) written by torch, safetensors
and Pillow through tools/make_fixtures.py: every format and architecture, previews,
sidecars, sub-folders, a name collision, an unknown width and one broken file.
"""

from __future__ import annotations

import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_FILES = os.path.join(HERE, "demo_files")


def create(target: str) -> str:
    """Copy the demo library into ``target`` (replacing it) and return its path."""
    target = os.path.abspath(target)
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(DEMO_FILES, target)
    return target
