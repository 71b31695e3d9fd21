"""The WebUI's own pipeline for comparisons, and its text encoders for nearest tokens.

Imports ``modules`` (with host_webui.py, the only modules that do). Generation follows
what the txt2img button does (host-contract §9): ``StableDiffusionProcessingTxt2Img`` +
``processing.process_images`` under ``call_queue.queue_lock`` (a FIFO lock the button
also takes, so a comparison waits for the user's generation and the other way round),
``shared.state.begin``/``end`` around it as ``call_queue.wrap_gradio_gpu_call`` does, and
``state.interrupted``/``state.skipped`` honoured between tiles. Forge runs its pipeline on
its main thread (``modules_forge.main_thread``); so do we there.

Token matrices: A1111/reForge wrap each encoder's ``token_embedding`` in
``EmbeddingsWithFixes`` (``sd_hijack.py``); its ``.wrapped`` is the real ``nn.Embedding``.
SDXL has two: ``conditioner.embedders[0]`` (clip_l) and ``[1]`` (clip_g). Forge has no
``cond_stage_model``: its ``text_processing_engine`` (SDXL: ``_l`` and ``_g``) holds the
encoder (``.text_encoder.transformer``, transformers' CLIP) and its tokenizer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

DEFAULT_SAMPLER = "DPM++ 2M"  # present in A1111 1.10, Forge and reForge
JOB_TITLE = "Embedding Deck comparison"


# ---- generation ---------------------------------------------------------------------------
def _on_main_thread(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        from modules_forge import main_thread
    except ImportError:
        return fn(*args)
    run = getattr(main_thread, "run_and_wait_result", None)
    if run is None:
        return fn(*args)
    result = run(fn, *args)
    if result is None:  # Forge's main thread prints the exception and returns None
        raise RuntimeError("the WebUI's pipeline failed; its console shows why")
    return result


def _processing(processing: Any, scripts: Any, shared: Any, base: Any, tile: Any) -> Any:
    cls = processing.StableDiffusionProcessingTxt2Img
    opts = shared.opts
    kwargs: dict[str, Any] = {
        "outpath_samples": getattr(opts, "outdir_txt2img_samples", None),
        "outpath_grids": getattr(opts, "outdir_txt2img_grids", None),
        "prompt": tile.prompt,
        "negative_prompt": tile.negative_prompt,
        "seed": base.seed,
        "sampler_name": base.sampler or DEFAULT_SAMPLER,
        "batch_size": 1,
        "n_iter": 1,
        "steps": base.steps,
        "cfg_scale": base.cfg_scale,
        "width": base.width,
        "height": base.height,
        "do_not_save_samples": True,
        "do_not_save_grid": True,
    }
    fields = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    if base.scheduler and "scheduler" in fields:  # A1111 1.9+ names the schedule type apart
        kwargs["scheduler"] = base.scheduler
    p = cls(**kwargs)
    # No extension's script runs on a comparison tile, but reForge reads
    # p.scripts.alwayson_scripts unguarded: give it the host's own runner, empty.
    p.scripts = scripts.ScriptRunner()
    p.script_args = []
    return p


def _first_image(processed: Any) -> tuple[Any, str]:
    images = list(getattr(processed, "images", None) or [])
    first = int(getattr(processed, "index_of_first_image", 0) or 0)
    infotexts = list(getattr(processed, "infotexts", None) or [])
    if first >= len(images):
        return None, ""
    info = infotexts[first] if first < len(infotexts) else getattr(processed, "info", "") or ""
    return images[first], info


def generate(
    plan: Any, on_tile: Callable, should_stop: Callable[[], bool], started: Callable[[], None]
) -> str | None:
    """Generate every tile of ``plan``; ``on_tile(index, image, infotext, status)`` after each.

    Returns "cancelled" (our cancel), "interrupted" (the WebUI's Interrupt) or None.
    """
    from modules import call_queue, processing, scripts, shared

    state = shared.state
    with call_queue.queue_lock:
        if should_stop():
            return "cancelled"
        started()
        state.begin(job=JOB_TITLE)
        state.job_count = len(plan.tiles)  # the WebUI's progress: "tile k of n"
        outcome = None
        try:
            for tile in plan.tiles:
                if should_stop():
                    outcome = "cancelled"
                    break
                if state.interrupted:
                    outcome = "interrupted"
                    break
                p = _processing(processing, scripts, shared, plan.base, tile)
                try:
                    processed = _on_main_thread(processing.process_images, p)
                finally:
                    close = getattr(p, "close", None)
                    if close:
                        close()
                if should_stop() or state.interrupted:
                    # the sampler stopped part-way: that picture would mislead
                    outcome = "cancelled" if should_stop() else "interrupted"
                    on_tile(tile.index, None, "", outcome)
                    break
                if state.skipped:
                    state.skipped = False
                    on_tile(tile.index, None, "", "skipped")
                    continue
                image, info = _first_image(processed)
                on_tile(tile.index, image, info, "done" if image is not None else "failed")
        finally:
            state.end()
            # as call_queue.wrap_gradio_call does after every generation
            state.skipped = False
            state.interrupted = False
    return outcome


def interrupt() -> None:
    """The WebUI's own Interrupt: stops the tile being sampled now."""
    from modules import shared

    shared.state.interrupt()


# ---- text encoders --------------------------------------------------------------------------
class _Rows:
    """Row slices of a token embedding weight as float32 numpy, a chunk at a time."""

    def __init__(self, weight: Any) -> None:
        self.weight = weight

    def __getitem__(self, key: slice) -> Any:
        part = self.weight[key]
        if hasattr(part, "detach"):
            part = part.detach().float().cpu().numpy()
        return part


def _path(obj: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


_EMBEDDING_PATHS = (
    "transformer.text_model.embeddings.token_embedding",  # CLIP-L (transformers)
    "model.token_embedding",  # OpenCLIP (SD2, SDXL clip_g)
    "text_encoder.transformer.text_model.embeddings.token_embedding",  # a Forge engine
)


def _token_weight(embedder: Any) -> Any:
    for owner in (getattr(embedder, "wrapped", None), embedder):
        if owner is None:
            continue
        for dotted in _EMBEDDING_PATHS:
            layer = _path(owner, dotted)
            while layer is not None and getattr(layer, "weight", None) is None and hasattr(layer, "wrapped"):
                layer = layer.wrapped  # sd_hijack's EmbeddingsWithFixes
            weight = getattr(layer, "weight", None) if layer is not None else None
            if weight is not None:
                return weight
    return None


def _vocab(embedder: Any) -> dict[str, int] | None:
    for owner in (embedder, getattr(embedder, "wrapped", None)):
        tok = getattr(owner, "tokenizer", None) if owner is not None else None
        if tok is None:
            continue
        get_vocab = getattr(tok, "get_vocab", None)
        vocab = get_vocab() if callable(get_vocab) else getattr(tok, "encoder", None)
        if isinstance(vocab, dict):
            return vocab
    try:  # A1111's OpenCLIP encoders use one module-level tokenizer
        from modules import sd_hijack_open_clip
    except ImportError:
        return None
    vocab = getattr(getattr(sd_hijack_open_clip, "tokenizer", None), "encoder", None)
    return vocab if isinstance(vocab, dict) else None


def _tokens(vocab: dict[str, int], rows: int) -> list[str]:
    tokens = [f"#{i}" for i in range(rows)]
    for token, ident in vocab.items():
        if isinstance(ident, int) and 0 <= ident < rows:
            tokens[ident] = token
    return tokens


def _hijacked_encoders(model: Any) -> list[tuple[str, Any]]:
    """A1111/reForge: ``conditioner.embedders`` (SDXL) or ``cond_stage_model`` (SD1/SD2)."""
    conditioner = getattr(model, "conditioner", None)
    if conditioner is not None and getattr(conditioner, "embedders", None):
        embedders = [e for e in conditioner.embedders if _token_weight(e) is not None]
        # SDXL: [0] clip_l, [1] clip_g; the SDXL refiner has clip_g alone
        keys = ["clip_l", "clip_g"] if len(embedders) == 2 else ["clip_g"]
        return list(zip(keys, embedders, strict=False))
    encoder = getattr(model, "cond_stage_model", None)
    if encoder is None:
        return []
    return [("clip_h" if getattr(model, "is_sd2", False) else "clip_l", encoder)]


def _forge_engines(model: Any) -> list[tuple[str, Any]]:
    """Forge: its text processing engines hold ``.text_encoder`` and ``.tokenizer``."""
    pairs = [
        (key, getattr(model, attr, None))
        for attr, key in (("text_processing_engine_l", "clip_l"), ("text_processing_engine_g", "clip_g"))
    ]
    found = [(key, engine) for key, engine in pairs if engine is not None]
    if found:  # SDXL (the refiner has clip_g alone)
        return found
    engine = getattr(model, "text_processing_engine", None)
    if engine is None:
        return []
    return [("clip_h" if getattr(model, "is_sd2", False) else "clip_l", engine)]


def text_encoders(model: Any) -> list[tuple[str, Any, list[str]]]:
    """(key, row accessor, tokens by row) per text encoder: SD1 clip_l, SD2 clip_h, SDXL both."""
    if model is None:
        return []
    out = []
    shared_vocab = None
    for key, embedder in _hijacked_encoders(model) or _forge_engines(model):
        weight = _token_weight(embedder)
        vocab = _vocab(embedder) or shared_vocab  # clip_l and clip_g share CLIP's BPE vocabulary
        if weight is None or vocab is None:
            continue
        shared_vocab = vocab
        rows = int(weight.shape[0])
        out.append((key, _Rows(weight), _tokens(vocab, rows)))
    return out


def loaded_vectors(db: Any, name: str) -> dict[str, Any] | None:
    """An embedding's vectors from the WebUI's loaded list (``Embedding.vec``), as numpy."""
    if db is None:
        return None
    emb = getattr(db, "word_embeddings", {}).get(name)
    vec = getattr(emb, "vec", None)
    if vec is None:
        return None

    def as_numpy(t: Any) -> Any:
        return t.detach().float().cpu().numpy() if hasattr(t, "detach") else t

    if isinstance(vec, dict):
        return {k: as_numpy(v) for k, v in vec.items() if k in ("clip_l", "clip_g")} or None
    return {"emb_params": as_numpy(vec)}
