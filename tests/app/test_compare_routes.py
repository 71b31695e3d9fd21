"""Comparisons and nearest tokens through the routes, on the stand-in WebUI (host_fake).

The stand-in's ``process_images`` paints each image in a colour hashed from its prompts
and records what it was asked, so the tests see the prompts of every tile, the seed, and
whether the WebUI's queue lock was held.
"""

from __future__ import annotations

import io
import json
import os
import time
import types

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

H = {"X-Edeck": "1"}
BASE = {
    "prompt": "a cat",
    "negative_prompt": "lowres, EasyNegative",
    "seed": 1234,
    "steps": 4,
    "cfg_scale": 6,
    "width": 64,
    "height": 96,
    "sampler": "Euler a",
}


def _app(webui) -> TestClient:
    app = FastAPI()
    webui.modules["script_callbacks"].app_started_callback(None, app)
    return TestClient(app, base_url="http://127.0.0.1:7860")


def _wait(client, job_id, timeout=10.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = client.get("/edeck/v1/compare", params={"id": job_id}).json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish: {status}")


def _start(client, **extra) -> dict:
    body = {"paths": ["EasyNegative.safetensors", "badhandv4.pt"], "weights": [0.8, 1], "base": BASE, **extra}
    res = client.post("/edeck/v1/compare", json=body, headers=H)
    assert res.status_code == 200, res.text
    return res.json()


def test_comparison_prompts_seed_lock_and_files(fake):
    client = _app(fake)
    started = _start(client)
    assert started["job"] == started["status"]["id"]
    status = _wait(client, started["job"])
    assert status["state"] == "done" and status["progress"] == {"done": 5, "total": 5, "text": "5 of 5"}
    calls = fake.processing.calls
    # "none": the embedding taken out of the prompt it was in; then each × weight, as a click inserts
    assert [(c["prompt"], c["negative_prompt"]) for c in calls] == [
        ("a cat", "lowres"),
        ("a cat", "lowres, (EasyNegative:0.8)"),
        ("a cat", "lowres, EasyNegative"),
        ("a cat", "lowres, (badhandv4:0.8)"),
        ("a cat", "lowres, badhandv4"),
    ]
    assert {c["seed"] for c in calls} == {1234}
    assert all(c["locked"] for c in calls)  # under the WebUI's queue lock
    assert all(c["do_not_save_samples"] for c in calls)
    assert {c["job_count"] for c in calls} == {5} and {c["steps"] for c in calls} == {4}
    assert {c["sampler_name"] for c in calls} == {"Euler a"} and {c["size"] for c in calls} == {(64, 96)}
    assert [t["label"] for t in status["tiles"]] == [
        "none",
        "EasyNegative 0.8",
        "EasyNegative 1",
        "badhandv4 0.8",
        "badhandv4 1",
    ]
    assert all(t["status"] == "done" and t["image"] for t in status["tiles"])
    assert "Seed: 1234" in status["tiles"][1]["infotext"]
    # each tile is the image the pipeline made for exactly those prompts
    for tile in status["tiles"]:
        res = client.get("/edeck/v1/compare/image", params={"job": status["id"], "tile": str(tile["index"])})
        assert res.status_code == 200 and res.headers["content-type"] == "image/png"
        img = Image.open(io.BytesIO(res.content))
        assert img.getpixel((5, 5)) == fake.processing.colour_of(tile["prompt"], tile["negative_prompt"])
        assert img.info["parameters"] == tile["infotext"]
    # the grid: under the WebUI's outputs folder, never inside the embeddings folder
    grid = client.get("/edeck/v1/compare/image", params={"job": status["id"], "tile": "grid"})
    assert grid.status_code == 200
    img = Image.open(io.BytesIO(grid.content))
    assert "Seed: 1234" in img.info["parameters"] and img.width > 5 * 64
    outputs = os.path.join(fake.modules["paths"].data_path, "outputs", "embedding-deck")
    saved = [os.path.join(d, f) for d, _s, files in os.walk(outputs) for f in files]
    assert any(f.endswith("grid.png") for f in saved) and len(saved) == 7  # 5 tiles, grid, record
    assert status["folder"].startswith("embedding-deck/")
    embedded = [f for _d, _s, files in os.walk(fake.folder) for f in files]
    assert not any(f.startswith("tile-") or f == "grid.png" for f in embedded)
    # the WebUI's state is left as its own generation leaves it
    assert fake.shared.state.job_count == 0 and fake.shared.state.interrupted is False


def test_positive_default_target_and_settings_from_infotext(fake):
    with open(os.path.join(fake.folder, "badhandv4.json"), "w", encoding="utf-8") as fh:
        json.dump({"default target": "positive"}, fh)
    client = _app(fake)
    infotext = (
        "masterpiece, a cat, badhandv4\nNegative prompt: lowres\n"
        "Steps: 5, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, Seed: 77, Size: 64x64, "
        'Model hash: 6ce0161689, Model: v1-5, Lora hashes: "a: 1, b: 2", Version: v1.10.1'
    )
    shown = client.post("/edeck/v1/compare/settings", json={"infotext": infotext}, headers=H).json()
    assert shown["base"]["seed"] == 77 and shown["base"]["scheduler"] == "Karras"
    assert shown["params"]["Lora hashes"] == "a: 1, b: 2"
    body = {"paths": ["badhandv4.pt"], "infotext": infotext, "base": {"steps": 3}}
    status = _wait(client, client.post("/edeck/v1/compare", json=body, headers=H).json()["job"])
    assert status["state"] == "done"
    calls = fake.processing.calls
    assert [(c["prompt"], c["negative_prompt"]) for c in calls] == [
        ("masterpiece, a cat", "lowres"),
        ("masterpiece, a cat, badhandv4", "lowres"),
    ]
    assert {(c["seed"], c["steps"], c["cfg_scale"], c["scheduler"]) for c in calls} == {
        (77, 3, 5.5, "Karras")
    }


def test_random_seed_is_fixed_once_for_every_tile(fake):
    client = _app(fake)
    status = _wait(client, _start(client, base={**BASE, "seed": -1})["job"])
    seeds = {c["seed"] for c in fake.processing.calls}
    assert len(seeds) == 1 and -1 not in seeds and status["base"]["seed"] in seeds


def test_incompatible_and_no_model_are_refused_with_the_reason(fake):
    client = _app(fake)
    body = {"paths": ["SDXL/negativeXL_D.safetensors", "EasyNegative.safetensors"], "base": BASE}
    res = client.post("/edeck/v1/compare", json=body, headers=H)
    assert res.status_code == 409
    assert "negativeXL_D is an SDXL embedding; the loaded checkpoint is SD1" in res.json()["error"]
    assert fake.processing.calls == []
    fake.modules["sd_models"].model_data.sd_model = None
    res = client.post("/edeck/v1/compare", json={"paths": ["EasyNegative.safetensors"]}, headers=H)
    assert res.status_code == 409 and "has not loaded a checkpoint" in res.json()["error"]
    support = client.get("/edeck/v1/compare/support").json()
    assert support["available"] is False and "has not loaded a checkpoint" in support["reason"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"paths": []}, "at least one"),
        ({"paths": ["EasyNegative.safetensors"], "weights": [11]}, "between -10 and 10"),
        (
            {"paths": ["EasyNegative.safetensors"], "weights": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]},
            "At most 6",
        ),
        ({"paths": ["EasyNegative.safetensors"], "weights": ["x"]}, "number"),
        ({"paths": ["EasyNegative.safetensors"], "base": {"width": 4000}}, "multiple of 8"),
        ({"paths": ["EasyNegative.safetensors"], "base": {"steps": 0}}, "Steps"),
        ({"paths": ["../x.pt"]}, ""),
        ({"paths": "EasyNegative.safetensors"}, "list of paths"),
    ],
)
def test_bad_requests_are_4xx_sentences(fake, body, needle):
    client = _app(fake)
    res = client.post("/edeck/v1/compare", json=body, headers=H)
    assert 400 <= res.status_code < 500 and needle in res.json()["error"]
    assert fake.processing.calls == []


def test_more_than_eight_embeddings_are_refused(fake):
    import factories as f

    for i in range(9):
        f.write_safetensors(os.path.join(fake.folder, f"many{i}.safetensors"), {"emb_params": (1, 768)})
    client = _app(fake)
    client.post("/edeck/v1/refresh", json={}, headers=H)
    body = {"paths": [f"many{i}.safetensors" for i in range(9)]}
    res = client.post("/edeck/v1/compare", json=body, headers=H)
    assert res.status_code == 400 and "At most 8" in res.json()["error"]


def test_write_routes_need_our_header(fake):
    client = _app(fake)
    assert client.post("/edeck/v1/compare", json={"paths": ["badhandv4.pt"]}).status_code == 403
    assert client.post("/edeck/v1/compare/cancel", json={"id": "0" * 12}).status_code == 403
    assert client.post("/edeck/v1/compare/preview", json={}).status_code == 403


def test_cancel_stops_after_the_current_tile_and_one_at_a_time(fake, hold_at):
    client = _app(fake)
    reached, release = hold_at(2)
    job = _start(client)["job"]
    assert reached.wait(10)
    busy = client.post("/edeck/v1/compare", json={"paths": ["badhandv4.pt"]}, headers=H)
    assert busy.status_code == 409 and "already running" in busy.json()["error"]
    assert client.get("/edeck/v1/compare/support").json()["busy"] is True
    cancelled = client.post("/edeck/v1/compare/cancel", json={"id": job}, headers=H).json()
    assert cancelled["cancel_requested"] is True
    assert fake.shared.state.interrupted is True  # the tile being sampled stops too
    release.set()
    status = _wait(client, job)
    assert status["state"] == "cancelled" and status["message"] == "Cancelled."
    assert [t["status"] for t in status["tiles"]] == ["done", "cancelled", "pending", "pending", "pending"]
    assert len(fake.processing.calls) == 2
    assert fake.shared.state.interrupted is False  # reset, as after the WebUI's own generation
    # the partial grid is kept, with the tiles that were made
    assert client.get("/edeck/v1/compare/image", params={"job": job, "tile": "grid"}).status_code == 200
    assert client.get("/edeck/v1/compare/image", params={"job": job, "tile": "1"}).status_code == 404


def test_the_webuis_interrupt_and_skip_are_honoured(fake):
    client = _app(fake)

    def skip_second(p):
        if len(fake.processing.calls) == 2:
            fake.shared.state.skip()

    fake.processing.during_sampling.append(skip_second)
    status = _wait(client, _start(client)["job"])
    assert status["state"] == "done" and "1 tile(s) skipped" in status["message"]
    assert [t["status"] for t in status["tiles"]] == ["done", "skipped", "done", "done", "done"]
    fake.processing.calls.clear()
    fake.processing.during_sampling[:] = [lambda p: fake.shared.state.interrupt()]
    status = _wait(client, _start(client)["job"])
    assert status["state"] == "cancelled" and status["message"] == "Interrupted in the WebUI."
    assert len(fake.processing.calls) == 1


def test_a_queued_comparison_waits_for_the_users_generation(fake):
    client = _app(fake)
    lock = fake.modules["call_queue"].queue_lock
    with lock:  # the user's own txt2img holds it
        job = _start(client)["job"]
        time.sleep(0.2)
        assert client.get("/edeck/v1/compare", params={"id": job}).json()["state"] == "queued"
        assert fake.processing.calls == []
    assert _wait(client, job)["state"] == "done"


def test_make_preview_writes_x_preview_png_and_last_comparison(fake):
    client = _app(fake)
    status = _wait(client, _start(client)["job"])
    tile = next(t for t in status["tiles"] if t["label"] == "badhandv4 0.8")
    preview = os.path.join(fake.folder, "badhandv4.preview.png")
    assert not os.path.exists(preview)
    body = {"job": status["id"], "tile": tile["index"]}
    res = client.post("/edeck/v1/compare/preview", json=body, headers=H)
    assert res.status_code == 200, res.text
    assert res.json()["row"]["preview"] == "badhandv4.preview.png"
    with Image.open(preview) as img:
        assert img.getpixel((3, 3))[:3] == fake.processing.colour_of(tile["prompt"], tile["negative_prompt"])
    # a tile of another embedding, or "none" without a path, cannot become this one's preview
    other = {"job": status["id"], "tile": 1, "path": "badhandv4.pt"}
    assert client.post("/edeck/v1/compare/preview", json=other, headers=H).status_code == 400
    none = {"job": status["id"], "tile": 0}
    assert client.post("/edeck/v1/compare/preview", json=none, headers=H).status_code == 400
    last = client.get("/edeck/v1/compare/last", params={"path": "badhandv4.pt"}).json()
    assert last["job"]["id"] == status["id"]
    assert client.get("/edeck/v1/compare/last", params={"path": "ng_deepnegative_v1_75t.pt"}).json() == {
        "job": None
    }


def test_last_comparison_survives_a_restart(fake):
    from embedding_deck_app import compare_jobs

    client = _app(fake)
    status = _wait(client, _start(client)["job"])
    deck = fake.script._get_deck()
    deck._edeck_compare = compare_jobs.CompareService(deck)  # a new process: nothing in memory
    last = client.get("/edeck/v1/compare/last", params={"path": "EasyNegative.safetensors"}).json()["job"]
    assert last["id"] == status["id"] and last["state"] == "done"
    assert [t["label"] for t in last["tiles"]] == [t["label"] for t in status["tiles"]]
    res = client.get("/edeck/v1/compare/image", params={"job": last["id"], "tile": "grid"})
    assert res.status_code == 200


def test_unknown_jobs_and_tiles_are_404(fake):
    client = _app(fake)
    for params in (
        {"job": "nope", "tile": "0"},
        {"job": "0" * 12, "tile": "grid"},
        {"job": "../x", "tile": "0"},
    ):
        assert client.get("/edeck/v1/compare/image", params=params).status_code == 404
    assert client.get("/edeck/v1/compare", params={"id": "abc"}).status_code == 404


def test_outputs_inside_the_embeddings_folder_fall_back_to_the_cache(fake):
    fake.modules["shared"].opts.data["outdir_txt2img_grids"] = os.path.join(fake.folder, "grids")
    client = _app(fake)
    status = _wait(client, _start(client)["job"])
    assert status["state"] == "done"
    embedded = [f for _d, _s, files in os.walk(fake.folder) for f in files]
    assert "grid.png" not in embedded


def test_standalone_says_it_needs_the_webui(tmp_path):
    import shutil

    from support import ROOT

    from embedding_deck_app import routes
    from embedding_deck_app.deck import Deck
    from embedding_deck_app.host_standalone import StandaloneHost

    folder = tmp_path / "emb"
    shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), folder)
    app = FastAPI()
    routes.mount(app, Deck(StandaloneHost(str(folder), cache_dir=str(tmp_path / "cache"))))
    client = TestClient(app, base_url="http://127.0.0.1:7860")
    support = client.get("/edeck/v1/compare/support").json()
    assert support["available"] is False and "need the WebUI" in support["reason"]
    res = client.post("/edeck/v1/compare", json={"paths": ["badhandv4.pt"]}, headers=H)
    assert res.status_code == 409 and "need the WebUI" in res.json()["error"]
    res = client.get("/edeck/v1/nearest", params={"path": "EasyNegative.safetensors"})
    assert res.status_code == 409 and "need the WebUI" in res.json()["error"]


# ---- nearest tokens -----------------------------------------------------------------------
VOCAB = ["a</w>", "cat</w>", "dog</w>", "low", "res</w>", "blurry</w>", "hand</w>", "bad</w>"]


def _table(width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((len(VOCAB), width)).astype(np.float32)


def _encoder(weight, hijacked=True):
    """A text encoder shaped as A1111's hijack leaves it (EmbeddingsWithFixes around nn.Embedding)."""
    layer = types.SimpleNamespace(weight=weight)
    if hijacked:
        layer = types.SimpleNamespace(wrapped=layer)
    embeddings = types.SimpleNamespace(token_embedding=layer)
    tokenizer = types.SimpleNamespace(get_vocab=lambda: {t: i for i, t in enumerate(VOCAB)})
    wrapped = types.SimpleNamespace(
        transformer=types.SimpleNamespace(text_model=types.SimpleNamespace(embeddings=embeddings)),
        tokenizer=tokenizer,
    )
    return types.SimpleNamespace(wrapped=wrapped, tokenizer=tokenizer)


def _open_clip(weight):
    """An OpenCLIP encoder as hijacked: the vocabulary lives in sd_hijack_open_clip.tokenizer."""
    model = types.SimpleNamespace(
        token_embedding=types.SimpleNamespace(wrapped=types.SimpleNamespace(weight=weight))
    )
    return types.SimpleNamespace(wrapped=types.SimpleNamespace(model=model))


def test_nearest_tokens_rank_the_equal_token_first(fake):
    from safetensors.numpy import save_file

    table = _table(768, 1)
    model = fake.modules["sd_models"].model_data.sd_model
    model.cond_stage_model = _encoder(table)
    probe = np.stack([table[1], table[6] * 3.0]).astype(np.float32)
    save_file({"emb_params": probe}, os.path.join(fake.folder, "probe.safetensors"))
    client = _app(fake)
    client.post("/edeck/v1/refresh", json={}, headers=H)
    res = client.get("/edeck/v1/nearest", params={"path": "probe.safetensors"})
    assert res.status_code == 200, res.text
    data = res.json()
    assert data["cached"] is False and data["checkpoint"].startswith("v1-5")
    (enc,) = data["encoders"]
    assert enc["encoder"] == "clip_l" and len(enc["vectors"]) == 2
    first, second = enc["vectors"]
    assert first["nearest"][0] == {"token": "cat", "similarity": 1.0}
    assert second["nearest"][0] == {"token": "hand", "similarity": 1.0}  # scale does not matter
    assert len(first["nearest"]) == 5
    sims = [n["similarity"] for n in first["nearest"]]
    assert sims == sorted(sims, reverse=True)
    assert first["norm"] == pytest.approx(float(np.linalg.norm(table[1])), rel=1e-4)
    assert second["norm"] == pytest.approx(3 * float(np.linalg.norm(table[6])), rel=1e-4)
    assert client.get("/edeck/v1/nearest", params={"path": "probe.safetensors"}).json()["cached"] is True


def test_nearest_tokens_sdxl_uses_both_encoders(fake, monkeypatch):
    from safetensors.numpy import save_file

    l_table, g_table = _table(768, 2), _table(1280, 3)
    sd_hijack_open_clip = __import__("modules.sd_hijack_open_clip", fromlist=["tokenizer"])
    monkeypatch.setattr(sd_hijack_open_clip.tokenizer, "encoder", {t: i for i, t in enumerate(VOCAB)})
    model = types.SimpleNamespace(
        is_sdxl=True,
        sd_checkpoint_info=types.SimpleNamespace(title="sdxl.safetensors"),
        conditioner=types.SimpleNamespace(embedders=[_encoder(l_table), _open_clip(g_table)]),
    )
    fake.modules["sd_models"].model_data.sd_model = model
    vecs = {"clip_l": np.stack([l_table[2]]), "clip_g": np.stack([g_table[5]])}
    save_file(vecs, os.path.join(fake.folder, "xl_probe.safetensors"))
    client = _app(fake)
    client.post("/edeck/v1/refresh", json={}, headers=H)
    data = client.get("/edeck/v1/nearest", params={"path": "xl_probe.safetensors"}).json()
    by_key = {e["encoder"]: e["vectors"][0]["nearest"][0] for e in data["encoders"]}
    assert by_key == {
        "clip_l": {"token": "dog", "similarity": 1.0},
        "clip_g": {"token": "blurry", "similarity": 1.0},
    }


def _forge_engine(weight):
    """A Forge text processing engine: ``.text_encoder`` (IntegratedCLIP around transformers'
    CLIP, token embedding wrapped for textual inversion with its own ``.weight``) and ``.tokenizer``."""
    layer = types.SimpleNamespace(weight=weight, wrapped=types.SimpleNamespace(weight=weight))
    embeddings = types.SimpleNamespace(token_embedding=layer)
    text_model = types.SimpleNamespace(embeddings=embeddings)
    encoder = types.SimpleNamespace(transformer=types.SimpleNamespace(text_model=text_model))
    tokenizer = types.SimpleNamespace(get_vocab=lambda: {t: i for i, t in enumerate(VOCAB)})
    return types.SimpleNamespace(text_encoder=encoder, tokenizer=tokenizer)


def test_nearest_tokens_on_forge_sd1_and_sdxl(fake):
    """Forge's model has no cond_stage_model: the encoders sit in its text processing engines."""
    from safetensors.numpy import save_file

    table, l_table, g_table = _table(768, 4), _table(768, 5), _table(1280, 6)
    sd1 = types.SimpleNamespace(
        is_sd1=True,
        cond_stage_model=None,
        sd_checkpoint_info=types.SimpleNamespace(title="forge-sd15.safetensors"),
        text_processing_engine=_forge_engine(table),
    )
    fake.modules["sd_models"].model_data.sd_model = sd1
    save_file({"emb_params": np.stack([table[3]])}, os.path.join(fake.folder, "probe.safetensors"))
    vecs = {"clip_l": np.stack([l_table[7]]), "clip_g": np.stack([g_table[0]])}
    save_file(vecs, os.path.join(fake.folder, "xl_probe.safetensors"))
    client = _app(fake)
    client.post("/edeck/v1/refresh", json={}, headers=H)
    res = client.get("/edeck/v1/nearest", params={"path": "probe.safetensors"})
    assert res.status_code == 200, res.text
    (enc,) = res.json()["encoders"]
    assert enc["encoder"] == "clip_l" and enc["vectors"][0]["nearest"][0] == {
        "token": "low",
        "similarity": 1.0,
    }
    fake.modules["sd_models"].model_data.sd_model = types.SimpleNamespace(
        is_sdxl=True,
        cond_stage_model=None,
        sd_checkpoint_info=types.SimpleNamespace(title="forge-sdxl.safetensors"),
        text_processing_engine_l=_forge_engine(l_table),
        text_processing_engine_g=_forge_engine(g_table),
    )
    data = client.get("/edeck/v1/nearest", params={"path": "xl_probe.safetensors"}).json()
    by_key = {e["encoder"]: e["vectors"][0]["nearest"][0] for e in data["encoders"]}
    assert by_key == {
        "clip_l": {"token": "bad", "similarity": 1.0},
        "clip_g": {"token": "a", "similarity": 1.0},
    }


def test_nearest_tokens_refuse_what_the_checkpoint_cannot_use(fake):
    fake.modules["sd_models"].model_data.sd_model.cond_stage_model = _encoder(_table(768, 1))
    client = _app(fake)
    res = client.get("/edeck/v1/nearest", params={"path": "SDXL/negativeXL_D.safetensors"})
    assert res.status_code == 409 and "SDXL embedding" in res.json()["error"]
    assert client.get("/edeck/v1/nearest", params={"path": "missing.pt"}).status_code == 404
