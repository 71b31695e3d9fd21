"""The Host protocol: what the tab needs from whatever runs it (WebUI or standalone)."""

from __future__ import annotations

from typing import Any, Protocol


class Host(Protocol):
    """A running host: where the embeddings are, and the few services it offers."""

    name: str  # "standalone", "a1111", "forge" or "reforge"
    embeddings_dir: str
    cache_dir: str

    def settings(self) -> dict[str, Any]:
        """Current values of the ``edeck_*`` settings."""

    def model_family(self) -> str | None:
        """SD1 / SD2 / SDXL of the loaded checkpoint, or None when unknown."""

    def allowed_hosts(self) -> list[str]:
        """Host names the user allows besides loopback and this machine's own."""

    def civitai_key(self) -> str:
        """The Civitai API key ("" for none); never sent to the page or logged."""
        ...

    def reload_embeddings(self) -> str:
        """Reload the host's own embedding database (blocking); a sentence for the user."""
