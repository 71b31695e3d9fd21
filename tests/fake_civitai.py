"""A local stand-in for Civitai's REST API v1, for the lookup tests (nothing reaches the internet).

Records are shaped as developer.civitai.com documents ``GET /api/v1/model-versions/by-hash``
and ``GET /api/v1/models/{id}``. ``server.mode`` makes it misbehave: "429", "500", "slow"
(drips bytes), "huge" (an endless body), "not-json", "wrong-types". Images live under
``/images/<name>``: real PNGs, plus "bomb.png" (a decompression bomb), "zip.png" (not an
image) and "/redirect?to=URL" (a 302 anywhere).
"""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image


def png(size: tuple[int, int] = (64, 96), rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, rgb).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A small PNG of 144 megapixels (an upload's limit is 40)."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")
    return out.getvalue()


def version_record(sha256: str, base: str, **over: Any) -> dict[str, Any]:
    """A model-version record as the by-hash endpoint answers it."""
    record = {
        "id": 9208,
        "modelId": 7808,
        "name": "EasyNegative",
        "createdAt": "2023-02-08T07:39:28.513Z",
        "updatedAt": "2023-02-08T07:41:29.123Z",
        "trainedWords": ["easynegative"],
        "baseModel": "SD 1.5",
        "earlyAccessTimeFrame": 0,
        "description": None,
        "stats": {"downloadCount": 1, "ratingCount": 0, "rating": 0},
        "model": {"name": "EasyNegative", "type": "TextualInversion", "nsfw": False, "poi": False},
        "files": [
            {
                "name": "easynegative.safetensors",
                "id": 7808,
                "sizeKB": 24.1,
                "type": "Model",
                "metadata": {"fp": None, "size": None, "format": "SafeTensor"},
                "pickleScanResult": "Success",
                "virusScanResult": "Success",
                "scannedAt": "2023-02-08T07:41:29.123Z",
                "hashes": {"SHA256": sha256.upper(), "AutoV2": sha256[:10].upper()},
                "downloadUrl": f"{base}/api/download/models/9208",
                "primary": True,
            }
        ],
        "images": [
            {"url": f"{base}/images/x.png", "nsfwLevel": 8, "width": 64, "height": 96, "type": "image"},
            {"url": f"{base}/images/safe.png", "nsfwLevel": 1, "width": 64, "height": 96, "type": "image"},
        ],
        "downloadUrl": f"{base}/api/download/models/9208",
    }
    record.update(over)
    return record


def model_record(**over: Any) -> dict[str, Any]:
    model = {
        "id": 7808,
        "name": "EasyNegative",
        "description": "<p>Use it in the <b>negative</b> prompt.</p><script>alert(1)</script>"
        "<ul><li>SD 1.5</li></ul>",
        "type": "TextualInversion",
        "nsfw": False,
        "creator": {"username": "rqdwdw", "image": None},
        "modelVersions": [{"id": 9208, "name": "EasyNegative"}],
    }
    model.update(over)
    return model


class FakeCivitai(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.records: dict[str, dict[str, Any]] = {}  # upper-case SHA-256 -> version record
        self.models: dict[int, dict[str, Any]] = {}
        self.images: dict[str, bytes] = {"safe.png": png(), "x.png": png(rgb=(255, 0, 0))}
        self.images["zip.png"] = b"PK\x03\x04" + b"\0" * 100
        self.mode = ""
        self.limit_once: set[str] = set()  # upper-case hashes answered 429 (Retry-After: 1) once
        self.requests: list[tuple[str, dict[str, str]]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FakeCivitai

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: bytes, kind: str = "application/json", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        srv = self.server
        srv.requests.append((self.path, dict(self.headers)))
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/images/"):
            data = srv.images.get(url.path[len("/images/") :])
            return self._send(200, data, "image/png") if data else self._send(404, b"{}")
        if url.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", urllib.parse.parse_qs(url.query)["to"][0])
            self.end_headers()
            return None
        if srv.mode and url.path.startswith("/api/v1/model-versions/"):
            return self._misbehave(srv.mode)
        if url.path.startswith("/api/v1/model-versions/by-hash/"):
            sha = url.path.rsplit("/", 1)[1].upper()
            if sha in srv.limit_once:
                srv.limit_once.discard(sha)
                return self._send(429, b'{"error":"Too many requests"}', Retry_After="1")
            record = srv.records.get(url.path.rsplit("/", 1)[1].upper())
            return self._send(200, json.dumps(record).encode()) if record else self._not_found()
        if url.path.startswith("/api/v1/models/"):
            model = srv.models.get(int(url.path.rsplit("/", 1)[1]))
            return self._send(200, json.dumps(model).encode()) if model else self._not_found()
        return self._not_found()

    def _not_found(self) -> None:
        self._send(404, b'{"error":"Model not found"}')

    def _misbehave(self, mode: str) -> None:
        if mode == "429":
            return self._send(429, b'{"error":"Too many requests"}', Retry_After="7")
        if mode == "500":
            return self._send(500, b"<html>oops</html>", "text/html")
        if mode == "not-json":
            return self._send(200, b"<html><script>alert(1)</script></html>", "text/html")
        if mode == "wrong-types":
            return self._send(200, json.dumps({"id": "9208", "modelId": [], "images": "x"}).encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            if mode == "huge":
                for _ in range(10_000):  # 640 MB if nobody stops reading
                    self.wfile.write(b" " * 65536)
            elif mode == "slow":
                for _ in range(600):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
        except OSError:
            pass
        return None
