"""Usage backfill benchmark: N real images with A1111 infotexts (PNG, JPEG, WebP mixed), read
once, then again (incremental); prints figures, asserts nothing.

Usage: ``.venv/py311/bin/python bench/bench_usage.py [--count 10000]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from PIL import Image, PngImagePlugin  # noqa: E402

from embedding_deck.usage import UsageDB  # noqa: E402

INFO = (
    "a castle on a hill, masterpiece, {pos}\nNegative prompt: lowres, {neg}\n"
    "Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: {seed}, Size: 512x512, "
    'Model hash: 6ce0161689, Model: v1-5, TI hashes: "{neg}: {h1}, {pos}: {h2}", Version: v1.10.1'
)


def generate(folder: str, count: int) -> None:
    img = Image.new("RGB", (64, 64), (40, 50, 60))
    for i in range(count):
        day = os.path.join(folder, "txt2img-images", f"2026-11-{1 + i % 28:02d}")
        os.makedirs(day, exist_ok=True)
        text = INFO.format(
            pos=f"style{i % 40}", neg=f"neg{i % 60}", seed=i, h1=f"{i % 60:012x}", h2=f"{i % 40 + 100:012x}"
        )
        kind = ("png", "png", "png", "jpg", "webp")[i % 5]
        path = os.path.join(day, f"{i:05d}.{kind}")
        if kind == "png":
            info = PngImagePlugin.PngInfo()
            info.add_text("parameters", text)
            img.save(path, pnginfo=info)
        else:
            exif = Image.Exif()
            exif[0x8769] = {0x9286: b"UNICODE\0" + text.encode("utf-16-be")}
            img.save(path, exif=exif)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outputs = os.path.join(tmp, "outputs")
        t0 = time.perf_counter()
        generate(outputs, args.count)
        print(f"wrote {args.count} images in {time.perf_counter() - t0:.1f} s")
        db = UsageDB(os.path.join(tmp, "data", "usage.sqlite"))
        for label in ("first backfill", "second (incremental)"):
            t0 = time.perf_counter()
            done = db.backfill([outputs])
            print(f"{label:22s} {time.perf_counter() - t0:6.2f} s  {done}")
        print(f"embeddings counted      {len(db.rows())}")


if __name__ == "__main__":
    main()
