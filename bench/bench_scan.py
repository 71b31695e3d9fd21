"""Scan benchmark: N synthetic embeddings; prints cold/warm scan, the floor and full loading.

Usage: ``.venv/py311/bin/python bench/bench_scan.py [--count 10000] [--dir /tmp/edeck-bench]``
(needs torch for writing .pt files and for the full-load baseline). Prints figures; it is
not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import factories as f  # noqa: E402

from embedding_deck import Library  # noqa: E402
from embedding_deck.scan import is_candidate  # noqa: E402

# Vector counts seen in popular negative embeddings (badhandv4 6, EasyNegative 8,
# ng_deepnegative 75, negativeXL_D 8 ...): files range from 3 KB to 460 KB.
VECTORS = (1, 2, 4, 6, 8, 8, 10, 16, 24, 75)


def _templates(tmp: str) -> list[tuple[str, bytes]]:
    """One real file per (format, vector count), written by safetensors and torch."""
    out = []
    for i, n in enumerate(VECTORS):
        st = f.write_safetensors(os.path.join(tmp, f"s{i}.safetensors"), {"emb_params": (n, 768)})
        xl = f.write_safetensors(
            os.path.join(tmp, f"x{i}.safetensors"), {"clip_g": (n, 1280), "clip_l": (n, 768)}
        )
        pt = f.write_pt(os.path.join(tmp, f"p{i}.pt"), f.trainer_payload(n, 768))
        legacy = f.write_pt(os.path.join(tmp, f"l{i}.pt"), f.trainer_payload(n, 1024), legacy=True)
        for path in (st, st, st, st, xl, xl, pt, pt, pt, legacy):
            with open(path, "rb") as fh:
                out.append((os.path.splitext(path)[1], fh.read()))
    return out


WORDS = "negative hands anatomy lowres quality style detail face eyes blur watermark text".split()


def generate(root: str, count: int, realistic: bool = False) -> None:
    """count files across ten folders (and sub-folders); a third with X.json, a tenth with
    a preview. ``realistic``: previews as Civitai gives them (512x768 JPEG, ~100 KB, each
    one its own picture) and X.json as an editor leaves it (a paragraph, tags, weight)."""
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    templates = _templates(root)
    previews = _previews(root, realistic)
    for name in os.listdir(root):
        os.unlink(os.path.join(root, name))
    for i in range(count):
        folder = os.path.join(root, f"set{i % 10}", f"sub{i % 37}")
        os.makedirs(folder, exist_ok=True)
        ext, data = templates[(i * 7) % len(templates)]
        stem = os.path.join(folder, f"emb_{i:05d}")
        with open(stem + ext, "wb") as fh:
            fh.write(data)
        if i % 3 == 0:
            with open(stem + ".json", "w") as fh:
                json.dump(_user_json(i, realistic), fh)
        if i % 10 == 0:
            suffix, picture = previews[(i // 10) % len(previews)]
            with open(stem + suffix, "wb") as fh:
                fh.write(picture)


def _previews(tmp: str, realistic: bool) -> list[tuple[str, bytes]]:
    out = []
    for seed in range(40 if realistic else 1):
        path = os.path.join(tmp, f"p{seed}.jpg" if realistic else "p.png")
        if realistic:
            f.picture(512, 768, seed=seed).save(path, quality=88)
        else:
            f.picture(64, 64).save(path)
        with open(path, "rb") as fh:
            out.append((".preview.jpg" if realistic else ".preview.png", fh.read()))
    return out


def _user_json(i: int, realistic: bool) -> dict:
    if not realistic:
        return {"description": f"desc {i}", "notes": "n", "sd version": "SD1"}
    words = [WORDS[(i * k) % len(WORDS)] for k in range(1, 30)]
    return {
        "description": f"Embedding {i}: " + " ".join(words) + ". Trained on 40 images, 1500 steps.",
        "notes": "Works best at 0.8 with " + " ".join(words[:6]),
        "activation text": words[0],
        "preferred weight": 0.8,
        "tags": words[:3],
        "sd version": "SD1",
    }


def floor(root: str) -> float:
    """The physical minimum: stat each candidate and read its first 8 bytes and header.

    Header = the safetensors JSON, or for a torch zip the end record, the directory and
    data.pkl (the same three reads our reader makes), or a legacy file's first 4 KB.
    Nothing is parsed.
    """
    start = time.perf_counter()
    for folder, _dirs, files in os.walk(root, followlinks=True):
        for name in files:
            if not is_candidate(name):
                continue
            path = os.path.join(folder, name)
            size = os.stat(path).st_size
            with open(path, "rb") as fh:
                head = fh.read(8)
                if name.endswith(".safetensors"):
                    fh.read(int.from_bytes(head, "little"))
                elif head[:2] == b"PK":
                    fh.seek(size - 22)
                    eocd = fh.read(22)
                    cd_size, cd_offset = struct.unpack_from("<II", eocd, 12)
                    fh.seek(cd_offset)
                    fh.read(cd_size)
                    fh.seek(0)
                    local = fh.read(30)
                    fh.read(struct.unpack_from("<I", local, 18)[0] + 64)
                else:
                    fh.read(4096)
    return time.perf_counter() - start


def sidecar_floor(root: str) -> float:
    """Reading (not parsing) the sidecar files a scan must also read: X.json, X.txt, …"""
    start = time.perf_counter()
    for folder, _dirs, files in os.walk(root, followlinks=True):
        for name in files:
            if name.endswith((".json", ".txt", ".civitai.info")):
                with open(os.path.join(folder, name), "rb") as fh:
                    fh.read()
    return time.perf_counter() - start


def _a1111_check_pass(path: str) -> None:
    """A1111 1.10's safe.load pass 1 (check_pt): unpickle data.pkl with a restricted
    unpickler that builds empty storages. Stood in by our own allow-listed unpickler."""
    from embedding_deck.formats.restricted_pickle import RestrictedUnpickler

    try:
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if n.endswith("data.pkl"))
            RestrictedUnpickler(io.BytesIO(z.read(name))).load()
    except zipfile.BadZipFile:
        with open(path, "rb") as fh:
            for _ in range(5):
                RestrictedUnpickler(fh).load()


def full_load(root: str) -> float:
    """What the WebUI's database does per file: load every tensor (safetensors load_file;
    for .pt A1111's check pass, then torch.load, which with A1111 1.10's torch 2.1 is a full
    unpickle), plus the SHA-256 it computes at load."""
    import torch
    from safetensors.torch import load_file

    start = time.perf_counter()
    for folder, _dirs, files in os.walk(root, followlinks=True):
        for name in files:
            if not is_candidate(name):
                continue
            path = os.path.join(folder, name)
            if name.endswith(".safetensors"):
                load_file(path, device="cpu")
            else:
                _a1111_check_pass(path)
                torch.load(path, map_location="cpu", weights_only=False)
            sha = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    sha.update(block)
            sha.hexdigest()
    return time.perf_counter() - start


# The same floor as a whole process of its own: interpreter start, walk, stat, header.
FLOOR_PROCESS = """
import os, sys
root = sys.argv[1]
exts = (".safetensors", ".pt", ".bin")
for folder, _dirs, files in os.walk(root, followlinks=True):
    for name in files:
        if not name.lower().endswith(exts):
            continue
        path = os.path.join(folder, name)
        os.stat(path)
        with open(path, "rb") as fh:
            head = fh.read(8)
            if name.endswith(".safetensors"):
                fh.read(int.from_bytes(head, "little"))
"""


def _run(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def process_ratio(root: str) -> tuple[float, float]:
    """Medians of 7 alternating runs: the whole-process floor, and ``scan --json`` as a
    whole process from an empty cache (it then writes the cache before exiting)."""
    floors, clis = [], []
    cli = [sys.executable, "-m", "embedding_deck", "scan", root, "--json"]
    for i in range(7):
        floors.append(_run([sys.executable, "-c", FLOOR_PROCESS, root]))
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(os.path.dirname(root), f"xdg-cold-{i}"))
        clis.append(_run(cli, env))
        shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
    return statistics.median(floors), statistics.median(clis)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--dir", default="/tmp/edeck-bench/embeddings")
    args = parser.parse_args()
    root, cache = args.dir, os.path.join(os.path.dirname(args.dir), "cache.json")
    t = timed(lambda: generate(root, args.count))
    print(f"generated {args.count:,} embeddings in {t:.1f} s under {root}")
    floor(root)  # warm the OS page cache so every figure below starts from the same state
    # This VM's speed drifts: floor and cold runs alternate, and medians of 7 are compared.
    floors, sides, colds, flushes = [], [], [], []
    for _ in range(7):
        floors.append(floor(root))
        sides.append(sidecar_floor(root))
        if os.path.exists(cache):
            os.unlink(cache)
        cold_lib = Library(root, cache)
        colds.append(timed(cold_lib.scan))
        flushes.append(timed(cold_lib.flush))
        del cold_lib
    t_floor, t_side = statistics.median(floors), statistics.median(sides)
    t_cold, t_flush = statistics.median(colds), statistics.median(flushes)
    lib = Library(root, cache)
    t_disk = timed(lib.scan)
    time.sleep(2.1)  # let the folders' mtimes settle, so listings may be reused
    lib.scan()
    warms = [timed(lib.scan) for _ in range(9)]
    t_warm = statistics.median(warms)
    cli = [sys.executable, "-m", "embedding_deck", "scan", root, "--json"]
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(os.path.dirname(root), "xdg"))
    subprocess.run(cli, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    t_cli = statistics.median(
        timed(lambda: subprocess.run(cli, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True))
        for _ in range(3)
    )
    t_pfloor, t_pcold = process_ratio(root)
    t_full = statistics.median(full_load(root) for _ in range(3))
    n = len(lib.entries)
    print(f"entries listed                  {n:,}")
    print(f"physical floor (stat+header)    {t_floor:7.3f} s")
    print(f"  + reading the sidecar files   {t_floor + t_side:7.3f} s   (floor including X.json etc.)")
    print(
        f"cold scan (empty cache)         {t_cold:7.3f} s   = {t_cold / t_floor:.2f} x floor, {t_cold / (t_floor + t_side):.2f} x floor with sidecars"
    )
    pairs = sorted(c / fl for c, fl in zip(colds, floors, strict=True))
    print(f"  per-run cold/floor ratios     {', '.join(f'{r:.2f}' for r in pairs)}")
    print(f"  cache file written after it   {t_flush:7.3f} s   (background thread, waited for)")
    print(f"warm scan, new Library + cache  {t_disk:7.3f} s")
    print(f"warm scan, in-process rescan    {t_warm:7.3f} s   (median of 9)")
    print(f"CLI scan --json, whole process  {t_cli:7.3f} s   (warm cache)")
    print(f"whole-process floor             {t_pfloor:7.3f} s   (python: walk, stat, safetensors header)")
    print(
        f"CLI scan --json, empty cache    {t_pcold:7.3f} s   = {t_pcold / t_pfloor:.2f} x the whole-process floor"
    )
    print(
        f"full load + SHA-256 (WebUI way) {t_full:7.3f} s   = {t_full / t_cold:.1f} x our cold scan (median of 3)"
    )


if __name__ == "__main__":
    main()
