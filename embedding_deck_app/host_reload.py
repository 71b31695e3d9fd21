"""The host's own embedding reload, run in the background, one at a time.

The WebUI's reload loads and hashes every file (seconds for a large library, more with a
symlink loop), so our Refresh never waits for it: the grid comes from our own scan, and
the page polls ``status()`` to say what the WebUI did. A file operation that lands while a
reload runs may come after the WebUI's walk passed its folder, so it asks for one more
reload when the running one ends (Refresh does not: it only shows what is there).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class HostReload:
    """Runs ``reload`` (a blocking call returning a sentence) on a worker thread."""

    def __init__(self, reload: Callable[[], str]) -> None:
        self._reload = reload
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state = "idle"
        self._message: str | None = None
        self._started: float | None = None
        self._ended: float | None = None
        self._again = False

    def start(self) -> dict[str, Any]:
        """Start a reload unless one is running; the status either way."""
        if self.claim():
            self.launch()
        return self.status()

    def claim(self, again: bool = False) -> bool:
        """Mark a reload as running; False when one already runs (then do not launch).

        With ``again``, a running reload is followed by one more (the files changed
        after it began)."""
        with self._guard:
            if self._state == "running":
                self._again = self._again or again
                return False
            self._state, self._message, self._started = "running", None, time.time()
            self._ended = None
            return True

    def launch(self) -> None:
        """Run the claimed reload on its own thread."""
        self._thread = threading.Thread(target=self._run, name="edeck-host-reload", daemon=True)
        self._thread.start()

    def wait(self, seconds: float) -> dict[str, Any]:
        """Wait up to ``seconds`` for a running reload (a quick host answers at once)."""
        thread = self._thread
        if thread is not None:
            thread.join(seconds)
        return self.status()

    def status(self) -> dict[str, Any]:
        """``{"state": idle|running|done|failed, "message": sentence or None, "seconds": …}``;
        seconds: how long the reload has run, or took once it ended."""
        with self._guard:
            end = self._ended or time.time()
            elapsed = None if self._started is None else round(end - self._started, 1)
            return {"state": self._state, "message": self._message, "seconds": elapsed}

    def _run(self) -> None:
        while True:
            message, state = self._reload_once()
            with self._guard:
                if not self._again:
                    self._state, self._message, self._ended = state, message, time.time()
                    return
                self._again = False

    def _reload_once(self) -> tuple[str, str]:
        try:
            return self._reload(), "done"
        except Exception as err:  # noqa: BLE001 - the host's reload may raise anything
            return (
                f"The WebUI could not reload its embeddings ({type(err).__name__}: {err}).",
                "failed",
            )
