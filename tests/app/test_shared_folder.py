"""Real server processes on one embeddings folder: two at once hammering saves and file
operations, and one SIGKILLed again and again in the middle of moves onto another disk.

The servers are ``routes_server.py``: the deck's real routes and guards in their own process.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import factories as f
import pytest
from support import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class RoutesServer:
    """A ``routes_server.py`` process on ``folder`` with its own cache."""

    def __init__(self, folder: str, cache: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/edeck/v1"
        self.log = open(os.path.join(cache, f"server-{self.port}.log"), "w")
        cmd = [sys.executable, os.path.join(HERE, "routes_server.py"), folder, str(self.port), cache]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                self.get("/state")
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("server did not start: " + self.tail()) from None
                time.sleep(0.05)

    def tail(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as fh:
            return fh.read()[-3000:]

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=30) as res:
            return json.loads(res.read())

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        req = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Edeck": "1"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.log.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@contextlib.contextmanager
def running(folder: str, cache: str) -> Iterator[RoutesServer]:
    os.makedirs(cache, exist_ok=True)
    srv = RoutesServer(folder, cache)
    try:
        yield srv
    finally:
        if srv.proc.poll() is None:
            srv.stop()


def _stamp(path: str) -> str:
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"


def _leftovers(*folders: str) -> list[str]:
    out = []
    for folder in folders:
        for base, _dirs, names in os.walk(folder):
            out += [os.path.join(base, n) for n in names if n.startswith(".edeck-") and n != ".edeck.lock"]
    return out


# ---- two servers on one folder --------------------------------------------------------------
SIDECARS = {".txt": b"a description", ".preview.png": None}
KEYS = ("description", "notes", "activation text", "tags")


def _library(root: str) -> dict[str, bytes]:
    os.makedirs(os.path.join(root, "styles"))
    f.write_safetensors(os.path.join(root, "EasyNegative.safetensors"), {"emb_params": (8, 768)})
    f.write_safetensors(os.path.join(root, "badhandv4.safetensors"), {"emb_params": (6, 768)})
    f.picture(16, 16).save(os.path.join(root, "badhandv4.preview.png"))
    with open(os.path.join(root, "badhandv4.txt"), "w") as fh:
        fh.write("a description")
    with open(os.path.join(root, "badhandv4.civitai.info"), "wb") as fh:
        fh.write(os.urandom(2_000_000))
    files = {}
    for name in os.listdir(root):
        if name.startswith("badhandv4"):
            with open(os.path.join(root, name), "rb") as fh:
                files[name[len("badhandv4") :]] = fh.read()
    return files


def _where(root: str) -> list[tuple[str, str]]:
    """(folder, stem) of every copy of the travelling embedding."""
    found = []
    for folder in ("", "styles"):
        for stem in ("badhandv4", "badhand_renamed"):
            if os.path.exists(os.path.join(root, folder, stem + ".safetensors")):
                found.append((folder, stem))
    return found


def _check_group(root: str, files: dict[str, bytes]) -> None:
    places = _where(root)
    assert len(places) == 1, places
    folder, stem = places[0]
    for suffix, data in files.items():
        with open(os.path.join(root, folder, stem + suffix), "rb") as fh:
            assert fh.read() == data, f"{stem}{suffix} differs"
    strays = [
        os.path.join(base, n)
        for base, _d, names in os.walk(root)
        for n in names
        if n.startswith(("badhandv4", "badhand_renamed"))
        and os.path.join(base, n) != os.path.join(root, folder, n)
    ]
    assert strays == [], f"files of the group elsewhere: {strays}"


def test_two_servers_lose_no_acknowledged_save_and_never_interleave_a_group(tmp_path):
    root = str(tmp_path / "embeddings")
    os.makedirs(root)
    files = _library(root)
    with running(root, str(tmp_path / "cache-a")) as a, running(root, str(tmp_path / "cache-b")) as b:
        servers = (a, b)
        lost: list[str] = []
        done = {"saves": 0, "renames": 0, "moves": 0}
        stop = threading.Event()

        def writer(i: int, key: str) -> None:
            last = None
            for n in range(25):
                value = [f"w{i}-{n}"] if key == "tags" else f"{key} {n} from writer {i}"
                body = {"path": "EasyNegative.safetensors", "changes": {key: {"from": last, "to": value}}}
                status, res = servers[n % 2].post("/meta", {**body, "stamp": None})
                if status != 200:
                    lost.append(f"{key} #{n}: {status} {res.get('error')}")
                    return
                last = value
                seen = servers[(n + 1) % 2].get("/meta?path=EasyNegative.safetensors")["user"].get(key)
                if seen != value:
                    lost.append(f"{key} #{n}: the other server read {seen!r}")
                    return
                done["saves"] += 1

        def operate(srv: RoutesServer, kind: str) -> None:
            while not stop.is_set():
                places = _where(root)
                if len(places) != 1:  # mid-way through the other server's operation
                    time.sleep(0.001)
                    continue
                folder, stem = places[0]
                rel = f"{folder}/{stem}.safetensors" if folder else f"{stem}.safetensors"
                try:
                    stamp = _stamp(os.path.join(root, rel))
                except FileNotFoundError:
                    continue  # the other server moved it just now
                if kind == "renames":
                    new = "badhand_renamed" if stem == "badhandv4" else "badhandv4"
                    status, _ = srv.post("/rename", {"path": rel, "name": new, "stamp": stamp})
                else:
                    status, _ = srv.post(
                        "/move", {"path": rel, "folder": "" if folder else "styles", "stamp": stamp}
                    )
                if status == 200:
                    done[kind] += 1
                elif status not in (404, 409, 503):  # lost a race with the other server: refused
                    lost.append(f"{kind}: {status}")
                    return

        threads = [threading.Thread(target=writer, args=(i, k)) for i, k in enumerate(KEYS)]
        threads += [
            threading.Thread(target=operate, args=(a, "renames")),
            threading.Thread(target=operate, args=(b, "moves")),
        ]
        for t in threads:
            t.start()
        for t in threads[: len(KEYS)]:
            t.join()
        stop.set()
        for t in threads[len(KEYS) :]:
            t.join()
        assert lost == []
        assert done["saves"] == 100 and done["renames"] > 3 and done["moves"] > 3, done
        final = a.get("/meta?path=EasyNegative.safetensors")["user"]
        assert final["description"] == "description 24 from writer 0" and final["tags"] == ["w3-24"]
    _check_group(root, files)
    assert _leftovers(root, str(tmp_path / "cache-a"), str(tmp_path / "cache-b")) == []


# ---- a server killed during moves onto another disk --------------------------------------------
@pytest.fixture
def other_disk(tmp_path) -> Iterator[str]:
    """A folder on another file system: a fresh tmpfs when we may mount, else /dev/shm."""
    mount = str(tmp_path / "tmpfs")
    os.makedirs(mount)
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", mount], capture_output=True
        ).returncode
        == 0
    )
    if not mounted:
        shm = "/dev/shm"
        if not os.path.isdir(shm) or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
            pytest.skip("no second file system: cannot mount a tmpfs (not root) and no /dev/shm")
        mount = os.path.join(shm, f"edeck-kill-{os.getpid()}")
        os.makedirs(mount)
    try:
        yield mount
    finally:
        if mounted:
            subprocess.run(["umount", "-l", mount], check=False)
        else:
            shutil.rmtree(mount, ignore_errors=True)


def test_a_server_killed_during_moves_to_another_disk_loses_nothing(tmp_path, other_disk):
    root = str(tmp_path / "embeddings")
    os.makedirs(root)
    os.symlink(other_disk, os.path.join(root, "elsewhere"))
    f.write_safetensors(os.path.join(root, "big.safetensors"), {"emb_params": (8, 768)})
    with open(os.path.join(root, "big.civitai.info"), "wb") as fh:
        fh.write(os.urandom(24_000_000))  # the copy takes long enough for the kill to land inside
    with open(os.path.join(root, "big.json"), "w") as fh:
        json.dump({"description": "never lose me"}, fh)
    f.picture(32, 32).save(os.path.join(root, "big.preview.png"))
    originals = {}
    for name in os.listdir(root):
        if name.startswith("big"):
            with open(os.path.join(root, name), "rb") as fh:
                originals[name] = fh.read()
    cache = str(tmp_path / "cache")
    rng = random.Random(26)
    mid_operation = rounds = 0
    repaired: list[str | None] = []
    moved: list[bool] = []
    while sum(moved) < 2 and rounds < 40:
        rounds += 1
        with running(root, cache) as srv:
            repaired.append(srv.get("/grid").get("message"))  # the first scan repairs
            _check_big(root, other_disk, originals, srv)

            def mover(srv=srv) -> None:
                while srv.proc.poll() is None:
                    folder = "elsewhere" if os.path.exists(os.path.join(root, "big.safetensors")) else ""
                    rel = "big.safetensors" if folder else "elsewhere/big.safetensors"
                    try:
                        srv.post(
                            "/move", {"path": rel, "folder": folder, "stamp": _stamp(os.path.join(root, rel))}
                        )
                    except (OSError, ValueError):
                        return

            thread = threading.Thread(target=mover)
            thread.start()
            time.sleep(rng.uniform(0.05, 0.6))
            srv.kill()
            thread.join()
        left = _leftovers(root, other_disk)
        mid_operation += bool(left)
        # files under temporary names: the next start must repair, and say so
        moved.append(any(os.path.basename(p).startswith((".edeck-move-", ".edeck-aside-")) for p in left))
    with running(root, cache) as srv:
        repaired.append(srv.get("/grid").get("message"))
        _check_big(root, other_disk, originals, srv)
    assert mid_operation >= 2, f"only {mid_operation} of {rounds} kills landed inside an operation"
    for i, was_moved in enumerate(moved):
        if was_moved:  # repaired[i + 1] is what the start after round i said
            said = repaired[i + 1] or ""
            assert "Repaired an operation a crash interrupted" in said, repaired
    assert sum(moved) >= 2, f"{rounds} kills, but only {sum(moved)} while files were under temporary names"


def _check_big(root: str, other: str, originals: dict[str, bytes], srv: RoutesServer) -> None:
    here = [os.path.exists(os.path.join(folder, "big.safetensors")) for folder in (root, other)]
    assert sum(here) == 1, "the embedding is not exactly once in the library"
    folder = root if here[0] else other
    for name, data in originals.items():
        with open(os.path.join(folder, name), "rb") as fh:
            assert fh.read() == data, f"{name} differs"
    away = other if here[0] else root
    assert not [n for n in os.listdir(away) if n.startswith("big")]
    assert _leftovers(root, other) == []
    listed = {e["path"] for e in srv.get("/grid")["entries"]}
    assert listed == {"big.safetensors" if here[0] else "elsewhere/big.safetensors"}
