"""The standalone host: a folder, a settings dict and a model-family selector's state."""

from __future__ import annotations

import os
from typing import Any

from embedding_deck.index import default_cache_dir
from embedding_deck.settings import coerce


class StandaloneHost:
    """Host for ``python -m embedding_deck serve``: the family is what the selector says."""

    name = "standalone"

    def __init__(
        self,
        embeddings_dir: str,
        cache_dir: str | None = None,
        settings: dict | None = None,
        allowed_hosts: list[str] | None = None,
        civitai_key_file: str | None = None,
        outputs_dirs: list[str] | None = None,
    ) -> None:
        self.embeddings_dir = os.path.abspath(embeddings_dir)
        self.cache_dir = cache_dir or default_cache_dir()
        self._settings = coerce(settings or {})
        self.family: str | None = "SD1"
        self._allowed_hosts = list(allowed_hosts or [])
        self._civitai_key_file = civitai_key_file
        self._outputs_dirs = [os.path.abspath(d) for d in outputs_dirs or []]

    def settings(self) -> dict[str, Any]:
        return dict(self._settings)

    def allowed_hosts(self) -> list[str]:
        return list(self._allowed_hosts)

    def civitai_key(self) -> str:
        """The first line of ``--civitai-key-file``, read at each lookup ("" without one)."""
        if not self._civitai_key_file:
            return ""
        try:
            with open(self._civitai_key_file, encoding="utf-8") as fh:
                return fh.readline().strip()
        except OSError:
            return ""

    def history_dirs(self) -> list[str]:
        """The folders ``serve --outputs-dir`` named: the images whose infotexts count uses."""
        return list(self._outputs_dirs)

    def model_family(self) -> str | None:
        return self.family

    def reload_embeddings(self) -> str:
        return "Rescanned the folder."
