"""Usage counts from infotexts: which names count, positive/negative, the database under
two processes at once, and the backfill over real PNG/JPEG/WebP files (incremental)."""

from __future__ import annotations

import multiprocessing
import os

from PIL import Image, PngImagePlugin

from embedding_deck.usage import UsageDB, Use, uses_in

INFO = (
    "a cat, EasyNegative\nNegative prompt: lowres, badhandv4, (ng_deepnegative_v1_75t:1.2)\n"
    'Steps: 20, Sampler: Euler a, Seed: 1, Size: 64x64, TI hashes: "badhandv4: 5e40d722fc3d, '
    'ng_deepnegative_v1_75t: 54e7e4826d53, EasyNegative: c74b4e810b03", Version: v1.10.1'
)


def test_uses_come_from_ti_hashes_with_where_they_stand():
    uses = {u.name: u for u in uses_in(INFO)}
    assert uses["badhandv4"] == Use("badhandv4", "5e40d722fc3d", False, True)
    assert uses["ng_deepnegative_v1_75t"].negative and not uses["ng_deepnegative_v1_75t"].positive
    assert uses["EasyNegative"].positive and not uses["EasyNegative"].negative
    # a name only typed in the prompt, not in TI hashes, was not used by the WebUI: no count
    assert uses_in("EasyNegative\nSteps: 20, Sampler: Euler a, Seed: 1") == []
    # listed twice (the WebUI appends the other prompt's list): one use
    twice = INFO.replace("Version", "X: 1, Version").replace(
        'c74b4e810b03"', 'c74b4e810b03, badhandv4: 5e40d722fc3d"'
    )
    assert len(uses_in(twice)) == 3


def test_counts_key_by_short_hash_so_a_rename_keeps_them(tmp_path):
    db = UsageDB(str(tmp_path / "usage.sqlite"))
    db.record(uses_in(INFO), when=100)
    db.record([Use("badhand_renamed", "5e40d722fc3d", True, False)], when=200)
    rows = {r["shorthash"]: r for r in db.rows()}
    bad = rows["5e40d722fc3d"]
    assert (bad["name"], bad["positive"], bad["negative"], bad["total"], bad["last"]) == (
        "badhand_renamed", 1, 1, 2, 200)  # fmt: skip


def _count(path: str, n: int) -> None:
    db = UsageDB(path)
    for _ in range(n):
        db.record([Use("EasyNegative", "c74b4e810b03", False, True)])


def test_two_processes_counting_at_once(tmp_path):
    path = str(tmp_path / "usage.sqlite")
    UsageDB(path)
    ctx = multiprocessing.get_context("spawn")
    # four WebUIs start at once: the first use makes the file, WAL mode and the tables
    # (switching to WAL is refused at once while another holds the file: retried)
    procs = [ctx.Process(target=_count, args=(path, 100)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert [r["total"] for r in UsageDB(path).rows()] == [400]


def test_backfill_reads_each_image_once(tmp_path):
    out = tmp_path / "outputs" / "txt2img-images" / "2026-12-06"
    os.makedirs(out)
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", INFO)
    Image.new("RGB", (16, 16)).save(out / "00001.png", pnginfo=info)
    exif = Image.Exif()
    exif[0x8769] = {0x9286: b"UNICODE\0" + INFO.encode("utf-16-be")}
    Image.new("RGB", (16, 16)).save(out / "00002.jpg", exif=exif)
    Image.new("RGB", (16, 16)).save(out / "00003.webp", exif=exif)
    Image.new("RGB", (16, 16)).save(out / "plain.png")
    (out / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (out / "notes.txt").write_text("not an image")
    db = UsageDB(str(tmp_path / "data" / "usage.sqlite"))
    done = db.backfill([str(tmp_path / "outputs")])
    assert done == {"images": 5, "read": 5, "with_uses": 3}
    assert {r["name"]: r["total"] for r in db.rows()} == {
        "badhandv4": 3,
        "ng_deepnegative_v1_75t": 3,
        "EasyNegative": 3,
    }
    again = db.backfill([str(tmp_path / "outputs")])
    assert again == {"images": 5, "read": 0, "with_uses": 0}
    Image.new("RGB", (16, 16)).save(out / "00004.png", pnginfo=info)
    assert db.backfill([str(tmp_path / "outputs")])["read"] == 1
    assert {r["total"] for r in db.rows()} == {4}


def test_an_image_from_a_cached_prompt_counts_as_the_one_before(tmp_path):
    """The WebUI leaves TI hashes out when it reuses the conditioning of the same prompts."""
    out = tmp_path / "outputs"
    os.makedirs(out)
    cached = INFO.split(", TI hashes:")[0] + ", Version: v1.10.1"
    other = cached.replace("a cat", "a dog")
    for name, text in (("00001.png", INFO), ("00002.png", cached), ("00003.png", other)):
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", text)
        Image.new("RGB", (16, 16)).save(out / name, pnginfo=info)
    db = UsageDB(str(tmp_path / "data" / "usage.sqlite"))
    assert db.backfill([str(out)])["with_uses"] == 2  # 00003's prompt was never encoded with them
    assert {r["name"]: r["total"] for r in db.rows()}["badhandv4"] == 2


def test_first_use_waits_for_another_webui_holding_the_file(tmp_path):
    """The first use (making WAL mode and the tables) waits while another connection
    holds the file, and then counts. (The race this guards against — two first uses
    switching to WAL at once, one refused without waiting — is the four-process test's.)"""
    import sqlite3
    import threading
    import time

    path = str(tmp_path / "usage.sqlite")
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("CREATE TABLE x (a)")
    other.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.6, other.commit)
    release.start()
    start = time.monotonic()
    UsageDB(path).record([Use("EasyNegative", "c74b4e810b03", False, True)])
    release.join()
    other.close()
    assert time.monotonic() - start >= 0.5
    assert [r["total"] for r in UsageDB(path).rows()] == [1]
