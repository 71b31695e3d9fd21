"""What crash safety costs: the inter-process lock per save, fsync per save, the journal per
file operation. Prints medians; it is not a test and asserts nothing.

Usage: ``.venv/py311/bin/python bench/bench_durability.py [--dir /tmp/edeck-bench-dur] [--n 200]``
(``--dir`` on the disk you want measured: fsync costs depend on it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import factories as f  # noqa: E402

from embedding_deck import Library, fileops, user_metadata  # noqa: E402
from embedding_deck.atomic import atomic_write_bytes  # noqa: E402
from embedding_deck.locks import LibraryLock  # noqa: E402


def _median_ms(fn, n: int) -> float:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/edeck-bench-dur")
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    root = os.path.join(args.dir, "emb")
    os.makedirs(root)
    f.write_safetensors(os.path.join(root, "foo.safetensors"), {"emb_params": (8, 768)})
    for suffix in (".json", ".txt", ".civitai.info"):
        with open(os.path.join(root, "foo" + suffix), "w") as fh:
            fh.write(json.dumps({"description": "x" * 2000}))
    f.picture(256, 256).save(os.path.join(root, "foo.preview.png"))
    json_path = os.path.join(root, "foo.json")
    lock = LibraryLock(root)
    n = args.n

    def lock_only(_i: int) -> None:
        with lock.hold():
            pass

    last = {"notes": None}

    def save(i: int) -> None:
        value = f"n{i}-{time.perf_counter_ns()}"
        user_metadata.merge_changes(json_path, {"notes": {"from": last["notes"], "to": value}}, None)
        last["notes"] = value

    def locked_save(i: int) -> None:
        with lock.hold():
            save(i)

    data = b"x" * 4000
    print(f"lock taken and released (flock on {lock.path}): {_median_ms(lock_only, n * 5):.3f} ms")
    print(f"X.json save, durable (fsync file + folder):      {_median_ms(save, n):.3f} ms")
    print(f"X.json save, durable, under the lock:             {_median_ms(locked_save, n):.3f} ms")
    durable = _median_ms(lambda _i: atomic_write_bytes(json_path + ".b", data, durable=True), n)
    loose = _median_ms(lambda _i: atomic_write_bytes(json_path + ".b", data, durable=False), n)
    print(f"4 KB atomic write: {durable:.3f} ms with fsync, {loose:.3f} ms without (the cost of durability)")
    os.unlink(json_path + ".b")

    journal = fileops.journal_for(root, os.path.join(args.dir, "cache", "trash"))
    lib = Library(root)
    names = ["foo", "bar"]

    def journaled_rename(i: int) -> None:
        old, new = names[i % 2], names[(i + 1) % 2]
        rel = f"{old}.safetensors"
        lib.scan()
        group = fileops.group_of(root, rel, lambda r: r in lib.entries)
        fileops.rename(root, group, new, fileops.stamp_of(os.path.join(root, rel)), journal)

    def bare_rename(i: int) -> None:
        old, new = names[i % 2], names[(i + 1) % 2]
        for suffix in (".json", ".txt", ".civitai.info", ".preview.png", ".safetensors"):
            os.replace(os.path.join(root, old + suffix), os.path.join(root, new + suffix))

    ops = max(20, n // 4)
    print(
        f"rename of an embedding + 4 sidecars, journaled, durable: {_median_ms(journaled_rename, ops):.2f} ms"
    )
    if ops % 2:
        journaled_rename(1)
    print(f"the same five os.replace calls, no journal, no fsync:     {_median_ms(bare_rename, ops):.2f} ms")
    shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
