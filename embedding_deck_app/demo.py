"""``python -m embedding_deck demo``: copy the bundled demo library to a fresh folder, serve it.

The demo files are real-format embeddings (random vectors) written by torch, safetensors
and Pillow through tools/make_fixtures.py: every format and architecture, previews,
sidecars, sub-folders, a name collision, an unknown width and one broken file.

Each port has its own copy, so a second demo on another port never wipes the edits of one
that is running; a port already in use leaves its copy alone.
"""

from __future__ import annotations

import os
import shutil
import socket

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_FILES = os.path.join(HERE, "demo_files")


def folder_for_port(cache_dir: str, port: int) -> str:
    """Where the demo served on ``port`` keeps its copy of the demo library."""
    return os.path.join(cache_dir, f"demo-embeddings-{port}")


def port_in_use(host: str, port: int) -> bool:
    """True when something already answers on ``host:port`` (a demo started earlier)."""
    target = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
    try:
        with socket.create_connection((target, port), timeout=0.5):
            return True
    except OSError:
        return False


def create(target: str) -> str:
    """Copy the demo library into ``target`` (replacing it) and return its path."""
    target = os.path.abspath(target)
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(DEMO_FILES, target)
    return target
