"""The WebUI host (A1111 1.10, Forge, reForge): the only module that imports ``modules``.

Every fork/version difference we touch is decided here, by what the host has, not by
which package names import:
- A real embedding database has ``word_embeddings``; compatibility shims (newer Forge's
  ``sd_hijack.model_hijack``) do not, and reloading one does nothing.
- ``sd_hijack.model_hijack.embedding_db`` is the list generation uses in A1111 and in
  reForge (host-contract §9); its reload measures the loaded model, so it needs one.
- Forge has no such list; its UI list lives in ``ui_extra_networks_textual_inversion``,
  reloads with ``sync_with_sd_model=False``, and generation takes new files only after
  the next checkpoint load (host-contract §5.2).
- Forge and Forge Neo also give their API (``/sdapi/v1/embeddings``) a database of its own,
  reloaded only by ``POST /sdapi/v1/refresh-embeddings``; we reload it too, found through
  the app's route to ``Api.get_embeddings`` (seen in a real Neo: a Refresh that skipped it
  left the API one file behind).
- ``shared.sd_model`` loads a model when none is loaded, so we read ``model_data``; Forge
  and Neo keep a ``FakeInitialModel`` there until a checkpoint loads: no model.
- Generation and the text encoders (issue 15) live in ``host_webui_generate.py``, the
  other module that imports ``modules``.
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
        self.name = _host_name()
        self._app: Any = None

    def attach_app(self, app: Any) -> None:
        """The WebUI's FastAPI app (its routes lead to the API's own embedding list)."""
        self._app = app

    def settings(self) -> dict[str, Any]:
        opts = _modules().opts
        return {key: getattr(opts, key, default) for key, default in defaults().items()}

    def allowed_hosts(self) -> list[str]:
        """Host names the user allows besides loopback and this machine (setting, --server-name)."""
        shared = _modules()
        names = str(getattr(shared.opts, "edeck_allowed_hosts", "") or "").replace(",", " ").split()
        server_name = getattr(shared.cmd_opts, "server_name", None)
        return names + ([server_name] if server_name else [])

    def civitai_key(self) -> str:
        """Settings → Embedding Deck → Civitai API key (not in ``settings()``: never sent)."""
        return str(getattr(_modules().opts, "edeck_civitai_key", "") or "").strip()

    def model_family(self) -> str | None:
        model = _loaded_model()
        if model is None:
            return None
        for attr, family in (("is_sdxl", "SDXL"), ("is_sd2", "SD2"), ("is_sd1", "SD1")):
            if getattr(model, attr, False):
                return family
        return None

    def reload_embeddings(self) -> str:
        """Reload the WebUI's embedding list (blocking: seconds on large libraries)."""
        db = _generation_db()
        if db is not None:
            if _loaded_model() is None:
                # Its reload measures the model's embedding width, which would load a
                # checkpoint (A1111) or fail (reForge); the first generation loads them.
                return "WebUI: no model is loaded yet; it loads embeddings with the first generation."
            _locked_reload(db)
            return f"WebUI: {_counts(db)}."
        db = _ui_db()
        if db is None:
            return "WebUI: it has no embedding list to reload."
        _locked_reload(db)
        api_db = _api_db(self._app)
        if api_db is not None and api_db is not db:
            _locked_reload(api_db)
        if _loaded_model() is None:
            count = len(db.word_embeddings)
            return f"Forge: {count:,} listed; generation uses them once a checkpoint is loaded."
        return (
            f"Forge: {len(db.word_embeddings):,} listed; generation uses new files after the "
            "checkpoint is loaded again."
        )

    # ---- comparisons and nearest tokens (host_webui_generate.py does the work) --------------
    def compare_unavailable(self) -> str | None:
        """Why this host cannot generate comparisons, or None."""
        try:
            from modules import processing
        except ImportError as err:
            return f"This WebUI's processing module cannot be imported ({err})."
        if not hasattr(processing, "StableDiffusionProcessingTxt2Img"):
            return "This WebUI has no txt2img processing class to generate with."
        return None

    def checkpoint_name(self) -> str | None:
        """The loaded checkpoint's title, without loading one."""
        info = getattr(_loaded_model(), "sd_checkpoint_info", None)
        return getattr(info, "title", None) or getattr(info, "name_for_extra", None)

    def history_dirs(self) -> list[str]:
        """The folders the WebUI saves generated images in (its Settings → Paths); a
        relative one is where the WebUI writes it: under its working directory."""
        opts = _modules().opts
        keys = ("outdir_samples", "outdir_txt2img_samples", "outdir_img2img_samples", "outdir_save")
        out: list[str] = []
        for key in keys:
            value = str(getattr(opts, key, "") or "")
            if value and os.path.abspath(value) not in out:
                out.append(os.path.abspath(value))
        return out

    def outputs_dir(self) -> str:
        """``<outputs>/embedding-deck``: beside the WebUI's txt2img grids folder."""
        from modules import paths

        grids = str(getattr(_modules().opts, "outdir_txt2img_grids", "") or "")
        base = os.path.dirname(os.path.abspath(grids)) if grids else os.path.join(paths.data_path, "outputs")
        return os.path.join(base, "embedding-deck")

    def generate(self, plan: Any, on_tile: Any, should_stop: Any, started: Any) -> str | None:
        """Generate a comparison's tiles with the WebUI's own pipeline, under its queue lock."""
        from . import host_webui_generate

        return host_webui_generate.generate(plan, on_tile, should_stop, started)

    def interrupt_generation(self) -> None:
        from . import host_webui_generate

        host_webui_generate.interrupt()

    def text_encoders(self) -> list:
        """The loaded model's token embedding matrices and vocabularies."""
        from . import host_webui_generate

        return host_webui_generate.text_encoders(_loaded_model())

    def loaded_vectors(self, name: str) -> Any:
        """An embedding's vectors from the WebUI's loaded list (what it generates with)."""
        from . import host_webui_generate

        return host_webui_generate.loaded_vectors(_generation_db() or _ui_db(), name)


def _counts(db: Any) -> str:
    loaded = len(db.word_embeddings)
    skipped = len(getattr(db, "skipped_embeddings", None) or {})
    return f"{loaded:,} loaded, {skipped:,} skipped"


def _locked_reload(db: Any) -> None:
    params = inspect.signature(db.load_textual_inversion_embeddings).parameters
    kwargs = {"force_reload": True} if "force_reload" in params else {}
    if "sync_with_sd_model" in params:
        kwargs["sync_with_sd_model"] = False
    from modules import call_queue

    # As the WebUI's own API does: never at the same time as a generation.
    with call_queue.queue_lock:
        db.load_textual_inversion_embeddings(**kwargs)


def _real_db(db: Any) -> Any:
    return db if db is not None and hasattr(db, "word_embeddings") else None


def _generation_db() -> Any:
    try:
        from modules import sd_hijack
    except ImportError:
        return None
    return _real_db(getattr(getattr(sd_hijack, "model_hijack", None), "embedding_db", None))


def _ui_db() -> Any:
    try:
        from modules.ui_extra_networks_textual_inversion import embedding_db
    except ImportError:
        return None
    return _real_db(embedding_db)


def _api_db(app: Any) -> Any:
    """The list behind the app's ``get_embeddings`` route, when it is an API object's own."""
    for route in getattr(app, "routes", None) or []:
        endpoint = getattr(route, "endpoint", None)
        if getattr(endpoint, "__name__", "") == "get_embeddings":
            return _real_db(getattr(getattr(endpoint, "__self__", None), "embedding_db", None))
    return None


def _host_name() -> str:
    try:
        import modules_forge  # noqa: F401
    except ImportError:
        return "a1111"
    return "reforge" if _generation_db() is not None else "forge"


def _loaded_model() -> Any:
    try:
        from modules import sd_models
    except ImportError:
        return None
    model = getattr(getattr(sd_models, "model_data", None), "sd_model", None)
    # Forge and Forge Neo hold a placeholder until the first checkpoint loads
    return None if type(model).__name__ == "FakeInitialModel" else model


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
    # the API key stays on the server: not one of SETTINGS, which the page receives
    import gradio as gr

    key = shared.OptionInfo(
        "",
        "Civitai API key (optional; sent only to the Civitai URL above)",
        gr.Textbox,
        {"type": "password"},
        section=SECTION,
    )
    shared.opts.add_option("edeck_civitai_key", key)
