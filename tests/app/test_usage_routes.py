"""Usage statistics through the WebUI entry: an image the WebUI saves is counted once
(live), Read my history reads the outputs folders once, counts reach the grid rows and
follow a rename by the file's hash."""

from __future__ import annotations

import hashlib
import os
import time

from PIL import Image, PngImagePlugin

H = {"X-Edeck": "1"}


def _short(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def _info(fake) -> str:
    bh = _short(os.path.join(fake.folder, "badhandv4.pt"))
    ng = _short(os.path.join(fake.folder, "ng_deepnegative_v1_75t.pt"))
    return (
        "a cat\nNegative prompt: lowres, badhandv4, ng_deepnegative_v1_75t\n"
        f'Steps: 20, Sampler: Euler a, Seed: 1, Size: 64x64, TI hashes: "badhandv4: {bh}, '
        f'ng_deepnegative_v1_75t: {ng}", Version: v1.10.1'
    )


def _png(path: str, text: str) -> str:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", text)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new("RGB", (16, 16)).save(path, pnginfo=info)
    return path


def _rows(client) -> dict:
    return {r["path"]: r for r in client.get("/edeck/v1/grid").json()["entries"]}


def test_live_count_backfill_once_and_a_rename(fake, fake_client, tmp_path):
    client, text = fake_client, _info(fake)
    out = str(tmp_path / "outputs" / "txt2img-images")
    fake.modules["shared"].opts.data["outdir_txt2img_samples"] = out
    for i in range(3):  # images from before the extension was installed
        _png(os.path.join(out, "2026-11-01", f"{i:05d}.png"), text)
    # the WebUI saves a new image: counted at once
    from modules import script_callbacks

    saved = _png(os.path.join(out, "2026-12-06", "00010.png"), text)
    script_callbacks.image_saved_callback(
        script_callbacks.ImageSaveParams(None, None, saved, {"parameters": text})
    )
    rows = _rows(client)
    assert rows["badhandv4.pt"]["uses"] == 1 and rows["badhandv4.pt"]["used_neg"] == 1
    assert "uses" not in rows["EasyNegative.safetensors"]  # sent only when used
    # Read my history: the three old ones, not the saved one again
    status = client.post("/edeck/v1/usage/backfill", json={}, headers=H).json()
    deadline = time.time() + 20
    while status["state"] == "running" and time.time() < deadline:
        time.sleep(0.05)
        status = client.get("/edeck/v1/usage/backfill").json()
    assert status["state"] == "done" and status["read"] == 3 and status["with_uses"] == 3, status
    rows = _rows(client)
    assert rows["badhandv4.pt"]["uses"] == 4 and rows["ng_deepnegative_v1_75t.pt"]["uses"] == 4
    assert rows["badhandv4.pt"]["last_used"] > 0
    again = client.post("/edeck/v1/usage/backfill", json={}, headers=H).json()
    while again["state"] == "running":
        time.sleep(0.05)
        again = client.get("/edeck/v1/usage/backfill").json()
    assert again["read"] == 0 and _rows(client)["badhandv4.pt"]["uses"] == 4
    # renamed: the short hash finds it
    stamp = rows["badhandv4.pt"]["stamp"]
    client.post(
        "/edeck/v1/rename", json={"path": "badhandv4.pt", "name": "hands_fix", "stamp": stamp}, headers=H
    )
    assert _rows(client)["hands_fix.pt"]["uses"] == 4
    # renamed by hand: the grid never waits for hashing; the next Read my history hashes
    # the files no count reached, and the count follows
    os.rename(os.path.join(fake.folder, "ng_deepnegative_v1_75t.pt"), os.path.join(fake.folder, "deep.pt"))
    client.post("/edeck/v1/refresh", headers=H)
    assert "uses" not in _rows(client)["deep.pt"]
    status = client.post("/edeck/v1/usage/backfill", json={}, headers=H).json()
    while status["state"] == "running":
        time.sleep(0.05)
        status = client.get("/edeck/v1/usage/backfill").json()
    assert _rows(client)["deep.pt"]["uses"] == 4


def test_without_outputs_folders_it_says_so(fake_client):
    res = fake_client.post("/edeck/v1/usage/backfill", json={}, headers=H)
    assert res.status_code == 400 and "no outputs folder" in res.json()["error"]


def _read_history(client) -> dict:
    status = client.post("/edeck/v1/usage/backfill", json={}, headers=H).json()
    deadline = time.time() + 20
    while status["state"] == "running" and time.time() < deadline:
        time.sleep(0.05)
        status = client.get("/edeck/v1/usage/backfill").json()
    return status


def test_relative_outputs_and_a_cached_prompt(fake, fake_client, tmp_path, monkeypatch):
    """As A1111 1.10.1 does it: outputs relative to its working directory (the saved
    filename too), and a second generation with the same prompts reuses the cached
    conditioning, so its infotext has no TI hashes (seen in the real WebUI)."""
    from modules import script_callbacks

    client, text = fake_client, _info(fake)
    monkeypatch.chdir(tmp_path)
    fake.modules["shared"].opts.data["outdir_txt2img_samples"] = "outputs/txt2img-images"
    cached = text.split(", TI hashes:")[0] + ", Version: v1.10.1"
    assert "TI hashes" not in cached
    for i, info in enumerate((text, cached)):
        saved = _png(os.path.join("outputs", "txt2img-images", "2026-12-06", f"{i:05d}.png"), info)
        script_callbacks.image_saved_callback(
            script_callbacks.ImageSaveParams(None, None, saved, {"parameters": info})
        )
    assert _rows(client)["badhandv4.pt"]["uses"] == 2  # the cached one counts too
    status = _read_history(client)
    assert status["read"] == 0, status  # both known already: not counted twice
    assert _rows(client)["badhandv4.pt"]["uses"] == 2
