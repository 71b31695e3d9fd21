"""The WebUI host (A1111 1.10, Forge, reForge): the only module that imports ``modules``.

Every fork/version difference we touch is decided here, by feature detection:
- Forge keeps its UI embedding database in ``modules.ui_extra_networks_textual_inversion``
  and its reload takes ``sync_with_sd_model``; A1111 uses ``sd_hijack.model_hijack``.
- ``shared.sd_model`` loads a model when none is loaded, so we read ``model_data``.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

from embedding_deck.settings import SECTION, SETTINGS, defaults


def _modules() -> Any:
    from modules import shared

    return shared


class WebUIHost:
    """Host backed by the running WebUI."""

    def __init__(self) -> None:
        from modules import paths, shared

        self.embeddings_dir = os.path.abspath(shared.cmd_opts.embeddings_dir)
        self.cache_dir = os.path.join(paths.data_path, "cache", "embedding_deck")
        self.name = "forge" if _is_forge() else "a1111"

    def settings(self) -> dict[str, Any]:
        opts = _modules().opts
        return {key: getattr(opts, key, default) for key, default in defaults().items()}

    def model_family(self) -> str | None:
        model = _loaded_model()
        if model is None:
            return None
        for attr, family in (("is_sdxl", "SDXL"), ("is_sd2", "SD2"), ("is_sd1", "SD1")):
            if getattr(model, attr, False):
                return family
        return None

    def reload_embeddings(self) -> str:
        db = _embedding_db()
        if db is None:
            return "Rescanned the folder (the WebUI has no embedding database to reload)."
        if self.name == "a1111" and _loaded_model() is None:
            # A1111 measures the model's embedding width while reloading, which would load
            # a checkpoint; with none loaded, the WebUI loads embeddings with the model.
            return "Rescanned the folder; the WebUI will load the embeddings with the first model."
        kwargs = {"force_reload": True}
        if "sync_with_sd_model" in inspect.signature(db.load_textual_inversion_embeddings).parameters:
            kwargs["sync_with_sd_model"] = False
        from modules import call_queue

        with call_queue.queue_lock:
            db.load_textual_inversion_embeddings(**kwargs)
        if self.name == "forge":
            # Forge's generation keeps its own embedding lists, built at checkpoint load
            # (host-contract §5.2): its UI list is fresh now, generation after a reload.
            return (
                "Rescanned the folder and reloaded Forge's embedding list; Forge's generation "
                "uses new files after the checkpoint is loaded again."
            )
        return "Rescanned the folder and reloaded the WebUI's embeddings."


def _is_forge() -> bool:
    try:
        import modules_forge  # noqa: F401
    except ImportError:
        return False
    return True


def _loaded_model() -> Any:
    try:
        from modules import sd_models
    except ImportError:
        return None
    return getattr(getattr(sd_models, "model_data", None), "sd_model", None)


def _embedding_db() -> Any:
    if _is_forge():
        try:
            from modules.ui_extra_networks_textual_inversion import embedding_db
        except ImportError:
            embedding_db = None
        return embedding_db
    from modules import sd_hijack

    return getattr(getattr(sd_hijack, "model_hijack", None), "embedding_db", None)


def register_settings() -> None:
    """Add our settings to the WebUI's Settings page, section "Embedding Deck"."""
    shared = _modules()
    for setting in SETTINGS:
        args = {"choices": list(setting.choices)} if setting.choices else None
        component = None
        if setting.choices:
            import gradio as gr

            component = gr.Radio
        info = shared.OptionInfo(setting.default, setting.label, component, args, section=SECTION)
        shared.opts.add_option(setting.key, info)
