"""Event-loop stall benchmark: how long a trivial route of the same app waits while the
deck hashes a 500 MB file and while 20 preview uploads are decoded and re-encoded.

Usage: ``.venv/py311/bin/python bench/bench_loop.py [--size-mb 500] [--uploads 20]``.
The app is FastAPI + our routes + an ``async def`` ping route, served by uvicorn on
127.0.0.1 as the WebUI serves it; a client thread pings every 5 ms and records each
round trip. Prints figures; it is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from PIL import Image  # noqa: E402
from support import free_port  # noqa: E402

from embedding_deck_app import routes, security  # noqa: E402
from embedding_deck_app.deck import Deck  # noqa: E402
from embedding_deck_app.host_standalone import StandaloneHost  # noqa: E402

H = {"X-Edeck": "1", "Content-Type": "application/json"}


def big_embedding(path: str, size_mb: int) -> None:
    """A real safetensors embedding of about ``size_mb`` (sparse: the hash reads every byte)."""
    rows = size_mb * 1024 * 1024 // (768 * 4)
    header = json.dumps(
        {"emb_params": {"dtype": "F32", "shape": [rows, 768], "data_offsets": [0, rows * 3072]}}
    )
    raw = header.encode() + b" " * (-len(header) % 8)
    with open(path, "wb") as fh:
        fh.write(len(raw).to_bytes(8, "little") + raw)
        fh.truncate(8 + len(raw) + rows * 3072)


def upload_png(side: int, seed: int) -> bytes:
    img = Image.effect_noise((side, side), 40 + seed).convert("RGB")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


class Pinger(threading.Thread):
    """Pings the app's trivial async route every 5 ms; keeps (time, round trip) pairs."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.samples, self.stop = url, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            with urllib.request.urlopen(self.url, timeout=30) as res:
                res.read()
            self.samples.append((start, time.perf_counter() - start))
            time.sleep(0.005)

    def worst(self, since: float, until: float) -> tuple[float, float, int]:
        rtts = [r for t, r in self.samples if since <= t <= until]
        return max(rtts), statistics.median(rtts), len(rtts)


def post(base: str, path: str, body: bytes, headers: dict) -> int:
    req = urllib.request.Request(base + path, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=120) as res:
        res.read()
        return res.status


def serve(folder: str, cache: str) -> tuple[str, uvicorn.Server]:
    app = FastAPI()

    async def ping() -> dict:
        return {"ok": True}

    app.add_api_route("/ping", ping)
    deck = Deck(StandaloneHost(folder, cache))
    routes.mount(app, deck, dependencies=security.dependencies(app))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--side", type=int, default=1600, help="upload width and height in pixels")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="edeck-loop-")
    try:
        folder = os.path.join(tmp, "embeddings")
        os.makedirs(folder)
        big_embedding(os.path.join(folder, "huge.safetensors"), args.size_mb)
        for i in range(args.uploads):
            shutil.copy(os.path.join(folder, "huge.safetensors"), os.path.join(folder, f"e{i}.safetensors"))
            os.truncate(os.path.join(folder, f"e{i}.safetensors"), 8 + 200)
        pngs = [upload_png(args.side, i) for i in range(args.uploads)]
        base, server = serve(folder, os.path.join(tmp, "cache"))
        pinger = Pinger(base + "/ping")
        pinger.start()
        time.sleep(1.0)
        t0 = time.perf_counter()
        time.sleep(1.0)
        idle = pinger.worst(t0, time.perf_counter())
        t1 = time.perf_counter()
        post(base, "/edeck/v1/hash", json.dumps({"path": "huge.safetensors"}).encode(), H)
        t2 = time.perf_counter()
        hashing = pinger.worst(t1, t2)
        threads = [
            threading.Thread(
                target=post,
                args=(
                    base,
                    f"/edeck/v1/preview?path=e{i}.safetensors",
                    png,
                    {"X-Edeck": "1", "Content-Type": "image/png"},
                ),
            )
            for i, png in enumerate(pngs)
        ]
        t3 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t4 = time.perf_counter()
        uploading = pinger.worst(t3, t4)
        pinger.stop.set()
        server.should_exit = True
        mb = sum(len(p) for p in pngs) / 1e6
        print(
            f"trivial async route, idle                 worst {idle[0] * 1000:6.1f} ms  median {idle[1] * 1000:5.1f} ms  ({idle[2]} pings)"
        )
        print(
            f"during a {args.size_mb} MB hash ({t2 - t1:4.1f} s)          worst {hashing[0] * 1000:6.1f} ms  median {hashing[1] * 1000:5.1f} ms  ({hashing[2]} pings)"
        )
        print(
            f"during {args.uploads} uploads ({args.side}px, {mb:.0f} MB, {t4 - t3:4.1f} s) worst {uploading[0] * 1000:6.1f} ms  median {uploading[1] * 1000:5.1f} ms  ({uploading[2]} pings)"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
