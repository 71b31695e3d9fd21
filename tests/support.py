"""Paths shared by every test tier (tests import this, never a conftest)."""

from __future__ import annotations

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, "fixtures")
HAS_TORCH = importlib.util.find_spec("torch") is not None


def fixture_path(name: str) -> str:
    """Absolute path of a committed fixture file."""
    return os.path.join(FIXTURES, name)
