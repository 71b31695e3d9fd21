"""Make previews: n without one — through the routes, on the stand-in WebUI (host_fake).

The stand-in paints each generated image in a colour hashed from its prompts, so the
tests can tell the "without" half of a preview from the "with" half, and see the prompts,
seed and queue lock of every generation.
"""

from __future__ import annotations

import json
import os
import threading
import time

import factories as f
from PIL import Image

H = {"X-Edeck": "1"}
BASE = {"prompt": "a cat", "negative_prompt": "lowres", "seed": 77, "steps": 3, "width": 64, "height": 64}


def _wait(client, timeout=20.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = client.get("/edeck/v1/previews/make").json()
        if status["state"] != "running":
            return status
        time.sleep(0.03)
    raise AssertionError(f"the previews did not finish: {status}")


def _start(client, **extra) -> dict:
    res = client.post("/edeck/v1/previews/make", json={"base": BASE, **extra}, headers=H)
    assert res.status_code == 200, res.text
    return res.json()


def _usable(client) -> list[str]:
    return client.get("/edeck/v1/previews/plan").json()["usable"]


def test_the_plan_counts_what_the_checkpoint_can_use_and_says_why_not(fake_client):
    plan = fake_client.get("/edeck/v1/previews/plan").json()
    assert plan["family"] == "SD1"
    assert "ng_deepnegative_v1_75t.pt" in plan["usable"]
    assert "EasyNegative.safetensors" not in plan["usable"]  # it has a preview
    why = dict(plan["unusable"])
    assert "SDXL embedding" in why["SDXL/unaestheticXL.safetensors"]
    assert "refuses this file" in why["SD2/rmadanegative.bin"]  # a torch 2.2 zip A1111 refuses
    grid = fake_client.get("/edeck/v1/grid").json()
    without = [r["path"] for r in grid["entries"] if not r["preview"] and not r["error"]]
    assert sorted(plan["usable"] + list(why)) == sorted(without)


def test_each_usable_embedding_gets_a_without_with_preview(fake, fake_client):
    usable = _usable(fake_client)
    _start(fake_client, separator=", ")
    status = _wait(fake_client)
    assert status["state"] == "done", status
    assert status["made"] == len(usable) and status["total"] == len(usable)
    assert {p for p, _ in status["skipped"]} >= {"SDXL/unaestheticXL.safetensors", "SD2/rmadanegative.bin"}
    assert status["failed"] == []
    calls = fake.processing.calls
    assert len(calls) == 2 * len(usable)  # a "without" and a "with" tile each
    assert {c["seed"] for c in calls} == {77} and {c["size"] for c in calls} == {(64, 64)}
    assert all(c["locked"] for c in calls)
    # ng_deepnegative is a negative: its "with" tile has it in the negative prompt
    pair = [c for c in calls if "ng_deepnegative_v1_75t" in c["negative_prompt"]]
    assert len(pair) == 1 and pair[0]["prompt"] == "a cat" and pair[0]["negative_prompt"].startswith("lowres")
    preview = os.path.join(fake.folder, "ng_deepnegative_v1_75t.preview.png")
    with Image.open(preview) as img:
        left, right = img.getpixel((5, 40))[:3], img.getpixel((58, 40))[:3]
    assert left == fake.processing.colour_of("a cat", "lowres")
    assert right == fake.processing.colour_of("a cat", pair[0]["negative_prompt"])
    rows = {r["path"]: r for r in status["rows"]}
    assert rows["ng_deepnegative_v1_75t.pt"]["preview"] == "ng_deepnegative_v1_75t.preview.png"
    # the tiles stay under outputs, and the editor finds them as the last comparison
    last = fake_client.get("/edeck/v1/compare/last", params={"path": "ng_deepnegative_v1_75t.pt"}).json()
    assert last["job"]["state"] == "done" and last["job"]["grid"] is True
    assert fake_client.get("/edeck/v1/previews/plan").json()["usable"] == []


def test_an_embedding_that_has_a_preview_is_never_overwritten(fake, fake_client, hold_at):
    reached, release = hold_at(1)
    usable = _usable(fake_client)
    _start(fake_client)
    assert reached.wait(10)
    # while the first is generated, the user gives the last one a preview of their own
    mine = os.path.join(fake.folder, os.path.splitext(usable[-1])[0] + ".preview.png")
    Image.new("RGB", (8, 8), (1, 2, 3)).save(mine)
    fake_client.post("/edeck/v1/refresh", headers=H)
    release.set()
    status = _wait(fake_client)
    assert status["state"] == "done"
    assert [usable[-1], "It has a preview now."] in status["skipped"]
    with Image.open(mine) as img:
        assert img.getpixel((0, 0)) == (1, 2, 3)


def test_cancel_stops_after_the_current_tile_and_the_rest_stay_bare(fake, fake_client, hold_at):
    reached, release = hold_at(3)
    f.write_safetensors(os.path.join(fake.folder, "zz_more.safetensors"), {"emb_params": (2, 768)})
    fake_client.post("/edeck/v1/refresh", headers=H)
    usable = _usable(fake_client)
    assert len(usable) == 3
    _start(fake_client)
    assert reached.wait(10)
    running = fake_client.get("/edeck/v1/previews/make").json()
    assert running["state"] == "running" and running["done"] == 1 and running["current"] == usable[1]
    busy = fake_client.post("/edeck/v1/previews/make", json={"base": BASE}, headers=H)
    assert busy.status_code == 409 and "already" in busy.json()["error"]
    threading.Timer(0.3, release.set).start()
    status = fake_client.post("/edeck/v1/previews/make/cancel", json={}, headers=H).json()
    assert status["state"] == "cancelled" and status["made"] == 1
    assert fake.shared.state.interrupted is False
    assert len(fake.processing.calls) == 3  # the tile being sampled was interrupted; nothing after
    assert _usable(fake_client) == usable[1:]


def test_the_webuis_interrupt_ends_the_job_and_keeps_that_embedding_to_do(fake, fake_client):
    def interrupt_third(p):
        if len(fake.processing.calls) == 3:
            fake.shared.state.interrupt()

    fake.processing.during_sampling.append(interrupt_third)
    usable = _usable(fake_client)
    _start(fake_client)
    status = _wait(fake_client)
    assert status["state"] == "cancelled" and status["message"] == "Interrupted in the WebUI."
    assert status["made"] == 1 and status["done"] == 1
    assert _usable(fake_client) == usable[1:]


def test_a_job_cut_short_by_a_restart_carries_on(fake, fake_client):
    usable = _usable(fake_client)
    deck = fake.script._get_deck()
    job = {"state": "running", "total": 2, "todo": usable[:2], "made": [], "skipped": [], "failed": [],
           "base": {**BASE, "seed": 5}, "separator": None, "started": 0}  # fmt: skip
    os.makedirs(os.path.dirname(deck.preview_batch.file), exist_ok=True)  # made on first write
    with open(deck.preview_batch.file, "w", encoding="utf-8") as fh:
        json.dump(job, fh)
    from embedding_deck_app.preview_batch import PreviewBatch

    after_restart = PreviewBatch(deck)
    assert after_restart.status()["state"] == "running"
    deadline = time.time() + 20
    while after_restart.status()["state"] == "running" and time.time() < deadline:
        time.sleep(0.05)
    status = after_restart.status()
    assert status["state"] == "done" and status["made"] == 2, status
    assert {c["seed"] for c in fake.processing.calls} == {5}


def test_without_a_checkpoint_or_in_the_standalone_page_it_says_why(fake, fake_client):
    fake.modules["sd_models"].model_data.sd_model = None
    res = fake_client.post("/edeck/v1/previews/make", json={"base": BASE}, headers=H)
    assert res.status_code == 409 and "checkpoint" in res.json()["error"]
    assert fake_client.get("/edeck/v1/previews/make").json()["state"] == "idle"
    assert fake_client.post("/edeck/v1/previews/make", json={"base": BASE}).status_code == 403
