"""``python -m embedding_deck scan`` as a user runs it: a real subprocess on a real folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import factories as f
from support import ROOT, fixture_path

KEYS = {
    "name",
    "path",
    "folder",
    "format",
    "arch",
    "vectors",
    "step",
    "checkpoint",
    "size",
    "created",
    "modified",
    "preview",
    "metadata",
    "collides_with",
    "warnings",
    "error",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "embedding_deck", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_scan_json_contract(emb_dir):
    f.write_safetensors(str(emb_dir / "EasyNegative.safetensors"), {"emb_params": (8, 768)})
    os.makedirs(emb_dir / "SD15")
    f.write_safetensors(str(emb_dir / "SD15/EasyNegative.safetensors"), {"emb_params": (8, 768)})
    shutil.copy(fixture_path("evil_system.pt"), emb_dir / "evil.pt")
    (emb_dir / "EasyNegative.json").write_text('{"description": "classic", "notes": "n"}')
    f.picture().save(emb_dir / "EasyNegative.preview.png")
    out = run("scan", str(emb_dir), "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["path"]: r for r in json.loads(out.stdout)}
    assert list(rows) == ["EasyNegative.safetensors", "evil.pt", "SD15/EasyNegative.safetensors"]
    easy = rows["EasyNegative.safetensors"]
    assert set(easy) >= KEYS
    assert (easy["arch"], easy["vectors"], easy["error"]) == ("SD1", 8, None)
    assert easy["preview"] == "EasyNegative.preview.png"
    assert easy["metadata"]["description"] == "classic"
    assert easy["collides_with"] == ["SD15/EasyNegative.safetensors"]
    assert easy["modified"].endswith("+00:00")
    assert rows["evil.pt"]["error"].startswith("Refused")


def test_scan_query_uses_the_search_box_syntax(emb_dir):
    f.write_safetensors(str(emb_dir / "EasyNegative.safetensors"), {"emb_params": (8, 768)})
    f.write_safetensors(str(emb_dir / "big.safetensors"), {"emb_params": (75, 768)})
    f.write_safetensors(str(emb_dir / "negXL.safetensors"), {"clip_l": (4, 768), "clip_g": (4, 1280)})
    (emb_dir / "EasyNegative.json").write_text('{"description": "classic", "tags": ["Hands"]}')
    out = run("scan", str(emb_dir), "--json", "--no-cache", "--query", "arch:sd1 vectors:<10 OR tag:hands")
    assert out.returncode == 0, out.stderr
    assert [r["path"] for r in json.loads(out.stdout)] == ["EasyNegative.safetensors"]
    assert "SD version is SD1 AND (vectors < 10 OR tag is" in out.stderr
    bad = run("scan", str(emb_dir), "--json", "--no-cache", "--query", "vectors:lots -classic")
    assert bad.returncode == 0 and "vectors: takes a number" in bad.stderr
    assert [r["path"] for r in json.loads(bad.stdout)] == ["big.safetensors", "negXL.safetensors"]


def test_scan_table_and_bad_dir(emb_dir, tmp_path):
    f.write_safetensors(str(emb_dir / "a.safetensors"), {"emb_params": (2, 1024)})
    out = run("scan", str(emb_dir))
    assert out.returncode == 0
    assert "SD2" in out.stdout and "1 embeddings, 0 unreadable." in out.stdout
    missing = run("scan", str(tmp_path / "missing"))
    assert missing.returncode == 2 and "not a folder" in missing.stderr


def test_scan_leaves_a_cache_for_the_next_run(emb_dir, tmp_path):
    """The cache is written after the output is complete (by a detached child where
    fork exists); the command's own pipes are closed when it exits."""
    import time

    for i in range(5):
        f.write_safetensors(str(emb_dir / f"e{i}.safetensors"), {"emb_params": (2, 768)})
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    cmd = [sys.executable, "-m", "embedding_deck", "scan", str(emb_dir), "--json"]
    started = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=30)
    assert time.perf_counter() - started < 20
    assert len(json.loads(out.stdout)) == 5
    cache_dir = tmp_path / "xdg" / "embedding_deck"

    def caches() -> list:
        return sorted(cache_dir.glob("index-*.json")) if cache_dir.exists() else []

    deadline = time.time() + 10
    while time.time() < deadline and not caches():
        time.sleep(0.05)
    (cache,) = caches()  # written atomically (temp file + rename): once named, it is whole
    data = json.loads(cache.read_text())
    assert sorted(data["files"]) == [f"e{i}.safetensors" for i in range(5)]


def test_scan_json_lines_are_json_dumps_of_each_entry(emb_dir):
    """One object per line, byte for byte what json.dumps(..., ensure_ascii=False) gives
    (the CLI builds json's C encoder once instead of once per line), and nothing is cut
    off at exit (the command skips the interpreter's teardown after flushing)."""
    from embedding_deck.index import Library
    from embedding_deck.query import ordered

    for i in range(300):
        f.write_safetensors(str(emb_dir / f"ネガ{i:03}.safetensors"), {"emb_params": (1, 768)})
    (emb_dir / "ネガ001.json").write_text(
        json.dumps(
            {"description": 'é "quoted" \\ tab\t 😀', "notes": "line\nbreak", "extra": [1.5, None, True]}
        ),
        encoding="utf-8",
    )
    out = run("scan", str(emb_dir), "--json", "--no-cache")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""]
    expected = [
        json.dumps(e.to_json(), ensure_ascii=False) for e in ordered(Library(str(emb_dir)).scan(), "path")
    ]
    assert [line.rstrip(",") for line in lines[1:-2]] == expected
    assert json.loads(out.stdout)[1]["metadata"]["description"] == 'é "quoted" \\ tab\t 😀'
