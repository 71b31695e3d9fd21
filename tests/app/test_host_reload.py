"""The WebUI's reload in the background: one at a time, and one more after a file change."""

from __future__ import annotations

import threading

from embedding_deck_app.host_reload import HostReload


class _SlowReload:
    """A reload that waits for the test to let it finish, counting its runs."""

    def __init__(self) -> None:
        self.runs = 0
        self.started = threading.Semaphore(0)
        self.release = threading.Semaphore(0)

    def __call__(self) -> str:
        self.runs += 1
        self.started.release()
        assert self.release.acquire(timeout=10)
        return f"run {self.runs}"


def _finish(reloader: HostReload, slow: _SlowReload, runs: int) -> dict:
    for _ in range(runs):
        slow.release.release()
    status = reloader.wait(10)
    assert status["state"] == "done"
    return status


def test_refresh_during_a_reload_starts_nothing():
    slow = _SlowReload()
    reloader = HostReload(slow)
    assert reloader.claim()
    reloader.launch()
    assert slow.started.acquire(timeout=10)
    assert not reloader.claim()  # Refresh again: no second reload, now or later
    assert _finish(reloader, slow, 1)["message"] == "run 1"
    assert slow.runs == 1


def test_a_file_operation_during_a_reload_gets_one_more():
    slow = _SlowReload()
    reloader = HostReload(slow)
    assert reloader.claim(again=True)
    reloader.launch()
    assert slow.started.acquire(timeout=10)
    assert not reloader.claim(again=True)  # a rename while the WebUI walks its folder
    assert not reloader.claim(again=True)  # and a second: still only one more run
    slow.release.release()
    assert slow.started.acquire(timeout=10)  # the follow-up run began
    assert reloader.status()["state"] == "running"
    assert _finish(reloader, slow, 1)["message"] == "run 2"
    assert slow.runs == 2


def test_seconds_stop_counting_when_the_reload_ends():
    """Seen in a real Forge Neo: "seconds" kept growing after "done"."""
    import time

    reloader = HostReload(lambda: time.sleep(0.2) or "done")
    reloader.start()
    took = reloader.wait(10)["seconds"]
    assert 0.2 <= took < 5
    time.sleep(0.3)
    assert reloader.status()["seconds"] == took
