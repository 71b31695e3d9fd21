"""Civitai lookup by hash: the HTTP client, what a record means for our files, and safety.

Nothing here runs unless the user asks (the editor's *Find on Civitai*). A request carries
only the file's SHA-256 (and the API key as ``Authorization: Bearer`` when one is set).
Responses come from a server we do not control, so every read is bounded in bytes and in
time (a slow drip ends at the deadline), JSON is type-checked before use, HTML becomes
plain text, and an image URL is fetched only over https from a public address (or, when
the configured base URL is itself local, from that same scheme: a mirror or a test
server), redirects included. The system's proxy variables apply (urllib's ProxyHandler).
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

DEFAULT_URL = "https://civitai.com"
MAX_JSON_BYTES = 4 * 1024 * 1024  # what sidecar.py reads back
MAX_IMAGE_BYTES = 32 * 1024 * 1024  # previews.MAX_UPLOAD_BYTES
# Civitai's image levels: 1 PG, 2 PG-13, 4 R, 8 X, 16 XXX (a bit field on the site).
NSFW_LEVELS = {"PG": 1, "PG-13": 2, "R": 4, "X": 8}
BASE_MODEL_VERSION = (
    (re.compile(r"^SD 1(\.\d)?"), "SD1"),
    (re.compile(r"^SD 2(\.\d)?"), "SD2"),
    (re.compile(r"^(SDXL|Pony|Illustrious|NoobAI)"), "SDXL"),
)


class CivitaiError(Exception):
    """A lookup failed; the message is a sentence for the page."""


class Missing(CivitaiError):
    """404: Civitai does not know what was asked for."""


class RateLimited(CivitaiError):
    """429: try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# ---- where we may connect ---------------------------------------------------------------
def _is_local_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global:
            return True
    return False


def url_refusal(url: str, base_url: str) -> str | None:
    """Why ``url`` may not be fetched for a lookup against ``base_url``; None when it may."""
    parts = urllib.parse.urlsplit(url)
    base = urllib.parse.urlsplit(base_url)
    base_local = bool(base.hostname) and _is_local_host(base.hostname)
    allowed = {"https", base.scheme} if base_local else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        return f"Refused an image address that is not https: {url[:200]}"
    if not base_local and _is_local_host(parts.hostname):
        return f"Refused an image address on this machine or a private network: {url[:200]}"
    return None


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Every redirect hop obeys the same rules as the first address."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def http_error_302(self, req, fp, code, msg, headers) -> Any:  # noqa: ANN001
        target = headers.get("location") or headers.get("uri") or ""
        why = url_refusal(urllib.parse.urljoin(req.full_url, target), self.base_url)
        if why:
            raise CivitaiError(why)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


# ---- the client -------------------------------------------------------------------------
@dataclass
class Client:
    """Civitai's public REST API v1 at ``base_url`` (a mirror or a test server works too)."""

    base_url: str = DEFAULT_URL
    api_key: str = ""
    timeout: float = 20.0
    _opener: Any = field(default=None, repr=False)

    def _open(self, url: str, accept: str) -> Any:
        if self._opener is None:
            self._opener = urllib.request.build_opener(
                urllib.request.ProxyHandler(), _CheckedRedirects(self.base_url)
            )
        headers = {"Accept": accept, "User-Agent": "embedding-deck"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return self._opener.open(urllib.request.Request(url, headers=headers), timeout=self.timeout)

    def _get(self, url: str, accept: str, limit: int) -> bytes:
        """The body of a 200 answer, at most ``limit`` bytes, within the timeout overall."""
        deadline = time.monotonic() + self.timeout
        try:
            with self._open(url, accept) as resp:
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > limit:
                    raise CivitaiError(f"Civitai's answer is larger than {limit // (1024 * 1024)} MB.")
                chunks, size = [], 0
                while True:
                    if time.monotonic() > deadline:
                        raise CivitaiError(f"Civitai did not answer within {self.timeout:g} s.")
                    chunk = resp.read1(65536)
                    if not chunk:
                        return b"".join(chunks)
                    size += len(chunk)
                    if size > limit:
                        raise CivitaiError(f"Civitai's answer is larger than {limit // (1024 * 1024)} MB.")
                    chunks.append(chunk)
        except urllib.error.HTTPError as err:
            raise _http_error(err) from None
        except CivitaiError:
            raise
        except TimeoutError:
            raise CivitaiError(f"Civitai did not answer within {self.timeout:g} s.") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise CivitaiError(f"Could not reach {self.base_url} ({reason}).") from None

    def _json(self, path: str) -> Any:
        body = self._get(self.base_url.rstrip("/") + path, "application/json", MAX_JSON_BYTES)
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise CivitaiError("Civitai's answer was not JSON.") from None

    def by_hash(self, sha256: str) -> dict[str, Any] | None:
        """The model-version record for a file's SHA-256; None when Civitai does not know it."""
        if not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
            raise ValueError("not a SHA-256")
        try:
            record = self._json(f"/api/v1/model-versions/by-hash/{sha256.upper()}")
        except Missing:
            return None
        return check_record(record)

    def model(self, model_id: int) -> dict[str, Any]:
        """The model record (description, creator, versions); {} when it cannot be had."""
        try:
            return self.model_or_raise(model_id)
        except CivitaiError:
            return {}

    def model_or_raise(self, model_id: int) -> dict[str, Any]:
        """The model record; CivitaiError (RateLimited for a 429) when it cannot be had."""
        model = self._json(f"/api/v1/models/{int(model_id)}")
        if not isinstance(model, dict):
            raise CivitaiError("Civitai answered with a record of an unexpected shape.")
        return model

    def image(self, url: str) -> bytes:
        """An image's bytes, when the address passes ``url_refusal``."""
        why = url_refusal(url, self.base_url)
        if why:
            raise CivitaiError(why)
        return self._get(url, "image/*", MAX_IMAGE_BYTES)


def _http_error(err: urllib.error.HTTPError) -> CivitaiError:
    if err.code == 404:
        return Missing("Civitai answered 404 Not Found.")
    if err.code == 429:
        retry = err.headers.get("Retry-After", "") if err.headers else ""
        seconds = float(retry) if retry.strip().isdigit() else 60.0
        return RateLimited(f"Civitai asks to wait {seconds:g} s before the next request.", min(seconds, 3600))
    if err.code in (401, 403):
        return CivitaiError(f"Civitai refused the request ({err.code}); check the API key.")
    return CivitaiError(f"Civitai answered {err.code} {err.reason}.")


# ---- records ----------------------------------------------------------------------------
def check_record(record: Any) -> dict[str, Any]:
    """The by-hash record when its fields have the documented types; CivitaiError if not."""
    ok = (
        isinstance(record, dict)
        and isinstance(record.get("id"), int)
        and isinstance(record.get("modelId"), int)
        and isinstance(record.get("trainedWords", []), list)
        and isinstance(record.get("images", []), list)
        and isinstance(record.get("baseModel", ""), (str, type(None)))
        and isinstance(record.get("model", {}), dict)
    )
    if not ok:
        raise CivitaiError("Civitai answered with a record of an unexpected shape.")
    return record


def trained_words(record: dict[str, Any]) -> list[str]:
    words = record.get("trainedWords") or []
    return [w.strip() for w in words if isinstance(w, str) and w.strip()][:50]


def sd_version(base_model: Any) -> str | None:
    """SD1 / SD2 / SDXL for Civitai's ``baseModel`` text, or None."""
    if not isinstance(base_model, str):
        return None
    for pattern, version in BASE_MODEL_VERSION:
        if pattern.match(base_model):
            return version
    return None


def preview_candidates(record: dict[str, Any], max_level: str = "PG") -> list[tuple[str, int]]:
    """(URL, nsfwLevel) of the version's images, safest first, within the user's NSFW level."""
    limit = NSFW_LEVELS.get(max_level, 1)
    found = []
    for image in record.get("images") or []:
        if not isinstance(image, dict) or not isinstance(image.get("url"), str):
            continue
        level = image.get("nsfwLevel")
        if not isinstance(level, int) or level > limit:
            continue
        if image.get("type", "image") != "image":
            continue
        found.append((image["url"], level))
    return sorted(found, key=lambda pair: pair[1])


def info_file(record: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """X.civitai.info: the version record as Civitai Helper writes it, plus model facts."""
    out = dict(record)
    facts = dict(record.get("model") or {})
    if isinstance(model.get("name"), str):
        facts["name"] = model["name"]
    if isinstance(model.get("description"), str):
        facts["description"] = model["description"]
    if isinstance(model.get("type"), str):
        facts["type"] = model["type"]
    creator = model.get("creator")
    if isinstance(creator, dict) and isinstance(creator.get("username"), str):
        facts["creator"] = {"username": creator["username"]}
    latest = newest_version(model)
    if latest:
        facts["latestVersion"] = latest  # ours: Civitai lists a model's versions newest first
    out["model"] = facts
    return out


def newest_version(model: dict[str, Any]) -> dict[str, Any] | None:
    """{"id", "name"} of the model's newest version (the first listed), or None."""
    versions = model.get("modelVersions")
    if not isinstance(versions, list) or not versions or not isinstance(versions[0], dict):
        return None
    first = versions[0]
    if not isinstance(first.get("id"), int):
        return None
    return {"id": first["id"], "name": first.get("name") if isinstance(first.get("name"), str) else ""}


def description_of(record: dict[str, Any], model: dict[str, Any]) -> str:
    """Plain text of the model's description, else the version's."""
    for html in (model.get("description"), record.get("description")):
        if isinstance(html, str) and html.strip():
            return html_to_text(html)[:100_000]
    return ""


class _Text(HTMLParser):
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "blockquote"}
    )
    SKIP = frozenset({"script", "style", "template", "iframe", "object", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Civitai's HTML as plain text: no tag, script or style survives; entities decoded."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out).replace("\r", "").replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
