"""Find on Civitai against a local fake Civitai (tests/app/fake_civitai.py): what a hit writes,
what a miss remembers, and how bad answers end — with nothing half-written."""

from __future__ import annotations

import hashlib
import json
import os
import time

import pytest
from factories import write_safetensors
from fake_civitai import FakeCivitai, bomb, model_record, version_record
from fastapi import FastAPI
from fastapi.testclient import TestClient

from embedding_deck import civitai
from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost

H = {"X-Edeck": "1"}
KEY = "sekrit-key-123"


@pytest.fixture
def fake():
    server = FakeCivitai()
    yield server
    server.close()


@pytest.fixture
def lib(tmp_path, fake):
    folder = tmp_path / "embeddings"
    folder.mkdir()
    write_safetensors(str(folder / "EasyNegative.safetensors"), {"emb_params": (8, 768)})
    write_safetensors(str(folder / "odd.safetensors"), {"emb_params": (2, 512)})  # width says nothing
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    settings = {"edeck_civitai_url": fake.url, "edeck_civitai_timeout": "2"}
    host = StandaloneHost(str(folder), str(tmp_path / "cache"), settings, civitai_key_file=str(key_file))
    app = FastAPI()
    deck = Deck(host)
    routes.mount(app, deck, dependencies=security.dependencies(app))
    client = TestClient(app, base_url="http://127.0.0.1:7860")
    client.folder = str(folder)
    client.deck = deck
    return client


def _sha(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _publish(fake: FakeCivitai, lib, name: str, **over) -> str:
    sha = _sha(os.path.join(lib.folder, name))
    fake.records[sha.upper()] = version_record(sha, fake.url, **over)
    fake.models[7808] = model_record()
    return sha


def _lookup(lib, path: str, again: bool = False):
    return lib.post("/edeck/v1/civitai/lookup", json={"path": path, "again": again}, headers=H)


def _files(lib) -> list[str]:
    """The library's files, without the lock file (made by the first scan)."""
    return sorted(n for n in os.listdir(lib.folder) if n != ".edeck.lock")


def test_a_hit_writes_info_fills_empty_fields_and_saves_a_preview(lib, fake):
    sha = _publish(fake, lib, "EasyNegative.safetensors")
    res = _lookup(lib, "EasyNegative.safetensors")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["status"] == "found" and body["preview"] is True
    assert body["filled"] == ["description", "activation text"]  # the file's width gives SD1
    assert body["message"].startswith("Found on Civitai: EasyNegative — EasyNegative.")
    with open(os.path.join(lib.folder, "EasyNegative.civitai.info"), encoding="utf-8") as fh:
        info = json.load(fh)
    assert info["id"] == 9208 and info["files"][0]["hashes"]["SHA256"] == sha.upper()  # as CH writes it
    assert info["model"]["creator"] == {"username": "rqdwdw"} and "<script>" in info["model"]["description"]
    with open(os.path.join(lib.folder, "EasyNegative.json"), encoding="utf-8") as fh:
        user = json.load(fh)
    assert user["description"] == "Use it in the negative prompt.\n\n• SD 1.5"  # no markup, no script
    assert user["activation text"] == "easynegative"
    # the preview: the safe image, not the first (nsfwLevel 8), re-encoded
    assert "EasyNegative.preview.png" in _files(lib)
    assert body["row"]["preview"]
    asked = [path for path, _ in fake.requests]
    assert "/images/x.png" not in asked and "/images/safe.png" in asked
    # only the hash is sent, the key as a bearer token, and the key never reaches the page
    by_hash = [h for p, h in fake.requests if "by-hash" in p]
    assert by_hash[0]["Authorization"] == f"Bearer {KEY}"
    assert asked[0] == f"/api/v1/model-versions/by-hash/{sha.upper()}"
    assert KEY not in lib.get("/edeck/v1/state").text + lib.get("/edeck/v1/grid").text
    meta = lib.get("/edeck/v1/meta", params={"path": "EasyNegative.safetensors"}).json()
    assert meta["entry"]["metadata"]["civitai"]["base_model"] == "SD 1.5"  # the editor reads it


def test_a_newer_version_shows_on_the_row(lib, fake):
    _publish(fake, lib, "EasyNegative.safetensors")
    fake.models[7808] = model_record(modelVersions=[{"id": 10001, "name": "v2.0"}, {"id": 9208}])
    row = _lookup(lib, "EasyNegative.safetensors").json()["row"]
    assert row["civitai"] is True and row["newer"] == "v2.0"
    fake.models[7808] = model_record()  # the user's version is the newest
    row = _lookup(lib, "EasyNegative.safetensors", again=True).json()["row"]
    assert row["newer"] is None


def test_nsfw_previews_follow_the_setting_and_mark_the_row(lib, fake):
    r_image = [
        {"url": f"{fake.url}/images/x.png", "nsfwLevel": 4},
        {"url": f"{fake.url}/images/safe.png", "nsfwLevel": 1},
    ]
    _publish(fake, lib, "EasyNegative.safetensors", images=r_image)
    lib.deck.host._settings["edeck_civitai_nsfw"] = "R"
    row = _lookup(lib, "EasyNegative.safetensors").json()["row"]
    assert row["preview"] and row["nsfw"] is False  # allowed R, still the safest first
    assert "/images/x.png" not in [p for p, _ in fake.requests]
    os.unlink(os.path.join(lib.folder, "EasyNegative.preview.png"))
    _publish(fake, lib, "EasyNegative.safetensors", images=r_image[:1])
    row = _lookup(lib, "EasyNegative.safetensors", again=True).json()["row"]
    assert row["preview"] and row["nsfw"] is True  # an R image: the card blurs it
    _publish(fake, lib, "odd.safetensors", model={"name": "Spicy", "type": "TextualInversion", "nsfw": True})
    row = _lookup(lib, "odd.safetensors").json()["row"]
    assert row["nsfw"] is True  # the model itself is marked


def test_choosing_another_image_takes_only_the_records_urls(lib, fake):
    _publish(fake, lib, "EasyNegative.safetensors")
    _lookup(lib, "EasyNegative.safetensors")
    images = lib.get("/edeck/v1/civitai/images", params={"path": "EasyNegative.safetensors"}).json()["images"]
    assert [(i["url"].rsplit("/", 1)[1], i["current"]) for i in images] == [("safe.png", True)]
    res = lib.post(
        "/edeck/v1/civitai/preview", json={"path": "EasyNegative.safetensors", "index": 0}, headers=H
    )
    assert res.status_code == 200 and res.json()["row"]["preview"]
    for bad in (1, -1, "0", f"{fake.url}/images/x.png"):  # an index into the record's list, nothing else
        res = lib.post(
            "/edeck/v1/civitai/preview", json={"path": "EasyNegative.safetensors", "index": bad}, headers=H
        )
        assert res.status_code >= 400 and "no such Civitai image" in res.json()["error"]
    res = lib.get("/edeck/v1/civitai/images", params={"path": "odd.safetensors"})
    assert res.status_code >= 400 and "Find on Civitai first" in res.json()["error"]


def test_what_the_user_wrote_is_never_overwritten(lib, fake):
    _publish(fake, lib, "odd.safetensors", baseModel="SDXL 1.0")
    mine = {"description": "my words", "notes": "keep"}
    with open(os.path.join(lib.folder, "odd.json"), "w", encoding="utf-8") as fh:
        json.dump(mine, fh)
    body = _lookup(lib, "odd.safetensors").json()
    assert body["filled"] == ["activation text", "sd version"]  # the width said nothing
    with open(os.path.join(lib.folder, "odd.json"), encoding="utf-8") as fh:
        user = json.load(fh)
    assert user["description"] == "my words" and user["notes"] == "keep" and user["sd version"] == "SDXL"


def test_a_miss_is_remembered_until_look_again(lib, fake):
    first = _lookup(lib, "EasyNegative.safetensors").json()
    assert first["status"] == "missing" and first["message"] == "Civitai does not know this file."
    count = len(fake.requests)
    second = _lookup(lib, "EasyNegative.safetensors").json()
    assert second["status"] == "missing" and "before" in second["message"]
    assert len(fake.requests) == count  # not asked again
    _publish(fake, lib, "EasyNegative.safetensors")
    assert _lookup(lib, "EasyNegative.safetensors", again=True).json()["status"] == "found"
    made = ["EasyNegative.civitai.info", "EasyNegative.json", "EasyNegative.preview.png"]
    assert _files(lib) == sorted([*made, "EasyNegative.safetensors", "odd.safetensors"])


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("429", "Civitai asks to wait 7 s"),
        ("500", "Civitai answered 500"),
        ("not-json", "was not JSON"),
        ("wrong-types", "unexpected shape"),
        ("huge", "larger than 4 MB"),
        ("slow", "did not answer within 2 s"),
    ],
)
def test_bad_answers_give_a_sentence_and_write_nothing(lib, fake, mode, said):
    _publish(fake, lib, "EasyNegative.safetensors")
    before = _files(lib)
    fake.mode = mode
    started = time.monotonic()
    res = _lookup(lib, "EasyNegative.safetensors")
    assert res.status_code >= 400 and said in res.json()["error"], res.text
    assert time.monotonic() - started < 6  # bounded: the slow drip ends at the deadline
    assert _files(lib) == before


def test_offline_is_one_sentence(lib, fake):
    url = fake.url
    fake.close()
    res = _lookup(lib, "EasyNegative.safetensors")
    assert res.status_code >= 400 and f"Could not reach {url}" in res.json()["error"]


@pytest.mark.parametrize("image", ["bomb.png", "zip.png", "missing.png"])
def test_a_bad_preview_is_skipped_with_the_reason_and_the_rest_is_kept(lib, fake, image):
    if image == "bomb.png":
        fake.images["bomb.png"] = bomb()
    _publish(
        fake, lib, "EasyNegative.safetensors", images=[{"url": f"{fake.url}/images/{image}", "nsfwLevel": 1}]
    )
    body = _lookup(lib, "EasyNegative.safetensors").json()
    assert body["status"] == "found" and body["preview"] is False and "No preview saved" in body["message"]
    assert "EasyNegative.preview.png" not in _files(lib) and "EasyNegative.civitai.info" in _files(lib)


def test_image_addresses_off_the_public_internet_are_refused(lib, fake, tmp_path):
    # through the configured (local) base URL a redirect may not leave for file://
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not yours")
    url = f"{fake.url}/redirect?to=file://{secret}"
    _publish(fake, lib, "EasyNegative.safetensors", images=[{"url": url, "nsfwLevel": 1}])
    body = _lookup(lib, "EasyNegative.safetensors").json()
    assert body["preview"] is False and "not https" in body["message"]
    # against the public Civitai, local and private addresses are refused outright
    public = "https://civitai.com"
    for bad in (
        "http://example.com/a.png",
        "file:///etc/passwd",
        "https://127.0.0.1/a.png",
        "https://localhost/a.png",
        "https://10.1.2.3/a.png",
        "https://[::1]/a.png",
        "https://169.254.169.254/latest/meta-data",
    ):
        assert civitai.url_refusal(bad, public), bad
    assert civitai.url_refusal("https://93.184.216.34/a.png", public) is None


def test_the_setting_turns_lookups_off(lib, fake):
    lib.deck.host._settings["edeck_civitai_enabled"] = False
    res = _lookup(lib, "EasyNegative.safetensors")
    assert res.status_code >= 400 and "turned off" in res.json()["error"]
    assert fake.requests == []


def test_html_becomes_plain_text():
    html = "<h2>Hi &amp; bye</h2><p>a<br>b</p><style>p{}</style>"
    html += '<img src=x onerror=alert(1)><a href="javascript:1">link</a>'
    assert civitai.html_to_text(html) == "Hi & bye\n\na\nb\nlink"
    assert civitai.sd_version("SDXL 1.0") == "SDXL" and civitai.sd_version("Pony") == "SDXL"
    assert civitai.sd_version("SD 1.5") == "SD1" and civitai.sd_version("SD 2.1 768") == "SD2"
    assert civitai.sd_version("Flux.1 D") is None and civitai.sd_version(None) is None


# ---- many files: one at a time, 429 honoured, Cancel, resume after a restart -------------
def _wait_state(lib, *states, since: int = 0, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = lib.get("/edeck/v1/civitai/bulk", params={"since": since}).json()
        if status["state"] in states:
            return status
        time.sleep(0.05)
    raise AssertionError(status)


@pytest.fixture
def quick(monkeypatch):
    from embedding_deck_app import civitai_bulk

    monkeypatch.setattr(civitai_bulk, "PAUSE_SECONDS", 0.05)


def test_bulk_lookup_honours_429_and_sums_up(lib, fake, quick):
    write_safetensors(os.path.join(lib.folder, "third.safetensors"), {"emb_params": (3, 768)})
    assert lib.get("/edeck/v1/civitai/bulk").json() == {"state": "idle", "candidates": 3}
    sha = _publish(fake, lib, "EasyNegative.safetensors")
    _publish(fake, lib, "third.safetensors")
    fake.limit_once.add(sha.upper())
    started = time.monotonic()
    res = lib.post("/edeck/v1/civitai/bulk", json={}, headers=H)
    assert res.status_code == 200 and res.json()["total"] == 3
    assert lib.post("/edeck/v1/civitai/bulk", json={}, headers=H).status_code == 409  # one at a time
    status = _wait_state(lib, "done")
    assert time.monotonic() - started >= 1  # waited out Retry-After: 1
    assert (status["done"], status["total"], status["found"], status["missing"]) == (3, 3, 2, 1)
    assert status["failed"] == [] and {r["path"] for r in status["rows"]} == {
        "EasyNegative.safetensors",
        "third.safetensors",
    }
    assert all(r["civitai"] for r in status["rows"])
    by_hash = [p for p, _ in fake.requests if "by-hash" in p]
    assert len(by_hash) == 4  # three files, one asked twice after its 429
    assert status["candidates"] == 1  # odd.safetensors: not on Civitai, still without info
    # a selection: just the paths given; a bad path fails with its sentence, the rest go on
    lib.post("/edeck/v1/civitai/bulk", json={"paths": ["../outside.pt", "odd.safetensors"]}, headers=H)
    status = _wait_state(lib, "done")
    assert status["total"] == 2 and status["missing"] == 1
    assert status["failed"][0][0] == "../outside.pt" and status["failed"][0][1]


def test_bulk_lookup_cancels_and_resumes_after_a_restart(lib, fake, quick, tmp_path, monkeypatch):
    from embedding_deck_app import civitai_bulk

    monkeypatch.setattr(civitai_bulk, "PAUSE_SECONDS", 30)  # it stops between files
    _publish(fake, lib, "EasyNegative.safetensors")
    lib.post(
        "/edeck/v1/civitai/bulk", json={"paths": ["EasyNegative.safetensors", "odd.safetensors"]}, headers=H
    )
    deadline = time.monotonic() + 10
    while lib.get("/edeck/v1/civitai/bulk").json()["done"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    status = lib.post("/edeck/v1/civitai/bulk/cancel", json={}, headers=H).json()
    assert (status["state"], status["done"], status["total"]) == ("cancelled", 1, 2)
    # a job the WebUI's restart cut short: the file says running, no thread runs it
    job_file = os.path.join(lib.deck.host.cache_dir, civitai_bulk.JOB_FILE)
    with open(job_file, encoding="utf-8") as fh:
        job = json.load(fh)
    job["state"] = "running"
    with open(job_file, "w", encoding="utf-8") as fh:
        json.dump(job, fh)
    monkeypatch.setattr(civitai_bulk, "PAUSE_SECONDS", 0.05)
    restarted = Deck(lib.deck.host)
    status = restarted.civitai_bulk.status()  # the page's first poll carries on
    deadline = time.monotonic() + 10
    while status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = restarted.civitai_bulk.status()
    assert (status["state"], status["done"], status["found"], status["missing"]) == ("done", 2, 1, 1)
    asked = [p for p, _ in fake.requests if "by-hash" in p]
    assert len(asked) == 2  # the first file was not asked again


def test_check_for_updates_notes_newer_versions(lib, fake, quick):
    _publish(fake, lib, "EasyNegative.safetensors")
    _lookup(lib, "EasyNegative.safetensors")
    fake.models[7808] = model_record(modelVersions=[{"id": 10001, "name": "v2.0"}, {"id": 9208}])
    count = len(fake.requests)
    res = lib.post("/edeck/v1/civitai/bulk", json={"kind": "updates"}, headers=H)
    assert res.json()["total"] == 1  # only the looked-up file
    status = _wait_state(lib, "done")
    assert (status["kind"], status["found"], status["missing"]) == ("updates", 1, 0)
    assert [p for p, _ in fake.requests[count:]] == ["/api/v1/models/7808"]  # one request, no hash
    row = {e["path"]: e for e in lib.get("/edeck/v1/grid").json()["entries"]}["EasyNegative.safetensors"]
    assert row["newer"] == "v2.0"
    with open(os.path.join(lib.folder, "EasyNegative.civitai.info"), encoding="utf-8") as fh:
        assert json.load(fh)["id"] == 9208  # the user's own version record is kept
