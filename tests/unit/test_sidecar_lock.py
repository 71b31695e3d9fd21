"""Saves to one X.json are serialized across threads (the routes run them in a thread pool).

The race window is widened by a slow read, so the lost update a missing lock allows happens
every time; the control run without the lock proves the test can see it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time

from embedding_deck import sidecar, user_metadata

KEYS = ("description", "notes", "activation text", "preferred weight", "default target", "sd version")
VALUES = {"preferred weight": 0.8, "default target": "positive", "sd version": "SDXL"}


def _race(path: str, monkeypatch) -> dict:
    real_read = sidecar.read_user_metadata

    def slow_read(p):
        result = real_read(p)
        time.sleep(0.05)  # every thread reads before any writes, unless the lock orders them
        return result

    monkeypatch.setattr(sidecar, "read_user_metadata", slow_read)
    barrier = threading.Barrier(len(KEYS))

    def save(key: str) -> None:
        barrier.wait()
        user_metadata.merge_changes(path, {key: {"from": None, "to": VALUES.get(key, key)}}, None)

    threads = [threading.Thread(target=save, args=(k,)) for k in KEYS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def test_concurrent_saves_of_different_fields_all_land(tmp_path, monkeypatch):
    final = _race(str(tmp_path / "x.json"), monkeypatch)
    assert {k for k in KEYS} <= set(final)


def test_without_the_lock_saves_are_lost(tmp_path, monkeypatch):
    """The control: the same race with the lock removed loses fields."""
    monkeypatch.setattr(user_metadata, "_lock_for", lambda path: contextlib.nullcontext())
    final = _race(str(tmp_path / "x.json"), monkeypatch)
    assert not set(KEYS) <= set(final)
