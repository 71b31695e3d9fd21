"""Shared test fixtures: an isolated cache dir, real-file factories, committed fixtures."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for path in (os.path.dirname(HERE), HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

from support import HAS_TORCH  # noqa: E402

# Modules that write fresh .pt files need torch, which has no wheel for this machine's
# Python 3.10; there the committed fixtures (written by the same factories) cover them.
collect_ignore = [] if HAS_TORCH else ["unit/test_torch_written.py", "unit/test_convert_torch.py"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def emb_dir(tmp_path):
    """An empty embeddings folder."""
    path = tmp_path / "embeddings"
    path.mkdir()
    return path
