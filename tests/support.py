"""Paths shared by every test tier (tests import this, never a conftest)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, "fixtures")
HAS_TORCH = importlib.util.find_spec("torch") is not None


def fixture_path(name: str) -> str:
    """Absolute path of a committed fixture file."""
    return os.path.join(FIXTURES, name)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
