"""*Find on Civitai* for one embedding: the client from the settings, and what a hit writes.

A hit writes ``X.civitai.info`` (the version record as Civitai Helper writes it, plus the
model's name, description, type and creator), fills only the empty fields of ``X.json``
(description as plain text, activation text from the trained words, the SD version when
the file's width says nothing), and saves a preview when the embedding has none (the first
image allowed by the NSFW setting, validated and re-encoded as an upload is). A miss is
remembered per hash in ``<cache>/civitai.json``, so a click does not ask again until
*Look again*. Runs on a worker thread (the routes' threadpool), never on the event loop.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from embedding_deck import civitai, sidecar, user_metadata
from embedding_deck.atomic import atomic_write_json
from embedding_deck.errors import DeckError

MAX_IMAGE_TRIES = 3


class RateLimitedError(DeckError):
    """Civitai answered 429: wait ``retry_after`` seconds."""

    status_hint = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CivitaiLookup:
    """Lookups for one deck; ``settings()`` gives the current edeck_civitai_* values."""

    def __init__(self, deck: Any) -> None:
        self.deck = deck
        self._memory_file = os.path.join(deck.host.cache_dir, "civitai.json")
        self._guard = threading.Lock()

    def client(self) -> civitai.Client:
        s = self.deck.host.settings()
        if not s.get("edeck_civitai_enabled", True):
            raise DeckError("Civitai lookups are turned off in the settings (Embedding Deck).")
        try:
            timeout = min(max(float(s.get("edeck_civitai_timeout") or 20), 1.0), 120.0)
        except ValueError:
            timeout = 20.0
        url = str(s.get("edeck_civitai_url") or civitai.DEFAULT_URL).strip()
        return civitai.Client(url, self.deck.host.civitai_key(), timeout)

    # ---- remembered misses --------------------------------------------------------------
    def _memory(self) -> dict[str, Any]:
        try:
            with open(self._memory_file, encoding="utf-8") as fh:
                data = json.load(fh)
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _remember(self, sha256: str, missing: bool) -> None:
        with self._guard:
            memory = self._memory()
            if missing:
                memory[sha256] = {"missing": True, "at": time.time()}
            else:
                memory.pop(sha256, None)
            os.makedirs(os.path.dirname(self._memory_file), exist_ok=True)
            atomic_write_json(self._memory_file, memory, indent=None, compact=True)

    def known_missing(self, sha256: str) -> bool:
        return bool(self._memory().get(sha256, {}).get("missing"))

    # ---- one lookup ---------------------------------------------------------------------
    def lookup(self, rel: str, again: bool = False) -> dict[str, Any]:
        """Look the file up; {status: found|missing, filled, preview, message, row}."""
        client = self.client()
        sha256 = self.deck.sha256(rel)
        if not again and self.known_missing(sha256):
            return self._answer(rel, "missing", "Civitai does not know this file (looked up before).")
        try:
            record = client.by_hash(sha256)
        except civitai.RateLimited as err:
            raise RateLimitedError(f"Civitai lookup failed: {err}", err.retry_after) from None
        except civitai.CivitaiError as err:
            raise DeckError(f"Civitai lookup failed: {err}") from None
        if record is None:
            self._remember(sha256, True)
            return self._answer(rel, "missing", "Civitai does not know this file.")
        self._remember(sha256, False)
        model = client.model(record["modelId"])
        filled = self._write(rel, record, model)
        preview, preview_note = self._preview(rel, client, record)
        name = (civitai.info_file(record, model).get("model") or {}).get("name") or "?"
        said = [f"Found on Civitai: {name} — {record.get('name') or '?'}."]
        if filled:
            said.append(f"Filled: {', '.join(filled)}.")
        if preview:
            said.append("Saved a preview.")
        elif preview_note:
            said.append(preview_note)
        return self._answer(rel, "found", said, filled, preview)

    def _answer(
        self,
        rel: str,
        status: str,
        said: str | list[str],
        filled: list[str] | None = None,
        preview: bool = False,
    ) -> dict[str, Any]:
        """The answer; ``messages`` are its sentences one by one (the page translates each)."""
        said = [said] if isinstance(said, str) else said
        entry = self.deck.library.refresh_one(rel)
        row = self.deck._grid_row(entry) if entry else None
        return {
            "status": status,
            "message": " ".join(said),
            "messages": said,
            "filled": filled or [],
            "preview": preview,
            "row": row,
        }

    def _write(self, rel: str, record: dict[str, Any], model: dict[str, Any]) -> list[str]:
        """X.civitai.info, then the empty X.json fields; the names of the fields filled."""
        path = self.deck._abs(rel)
        entry = self.deck.entry(rel)
        json_file = sidecar.json_path_for(path)
        info_path = sidecar.civitai_path_for(path)
        with self.deck.lock.hold():
            atomic_write_json(info_path, civitai.info_file(record, model), indent=4)
            user, stamp = sidecar.read_user_metadata(json_file)
            wanted = {
                "description": civitai.description_of(record, model),
                "activation text": ", ".join(civitai.trained_words(record)),
                "sd version": civitai.sd_version(record.get("baseModel"))
                if entry.arch == "unknown"
                else None,
            }
            has_text = bool(entry.metadata.get("description"))  # X.txt counts as the user's
            changes = {
                key: {"from": user.get(key), "to": value}
                for key, value in wanted.items()
                if value and not user.get(key) and not (key == "description" and has_text)
            }
            if changes:
                user_metadata.merge_changes(json_file, changes, stamp)
        return list(changes)

    def _preview(self, rel: str, client: civitai.Client, record: dict[str, Any]) -> tuple[bool, str | None]:
        entry = self.deck.library.refresh_one(rel) or self.deck.entry(rel)  # as the folder is now
        if entry.preview:
            return False, None
        level = str(self.deck.host.settings().get("edeck_civitai_nsfw") or "PG")
        images = civitai.preview_candidates(record, level)
        if not images:
            return False, "No preview image within the NSFW setting."
        why = None
        for url, nsfw_level in images[:MAX_IMAGE_TRIES]:
            try:
                self.deck.upload_preview(rel, client.image(url))
            except (civitai.CivitaiError, DeckError) as err:
                why = str(err)
                continue
            self._note_preview(rel, url, nsfw_level)
            return True, None
        return False, f"No preview saved: {why}"

    def check_update(self, rel: str) -> bool:
        """Ask for the model's newest version; note it in X.civitai.info; True when newer."""
        client = self.client()
        info = self._info(rel)
        if not isinstance(info.get("modelId"), int):
            raise DeckError("This embedding has no Civitai info yet: Find on Civitai first.")
        try:
            model = client.model_or_raise(info["modelId"])
        except civitai.RateLimited as err:
            raise RateLimitedError(f"Civitai lookup failed: {err}", err.retry_after) from None
        except civitai.CivitaiError as err:
            raise DeckError(f"Civitai lookup failed: {err}") from None
        latest = civitai.newest_version(model)
        info_path = sidecar.civitai_path_for(self.deck._abs(rel))
        with self.deck.lock.hold():
            current = self._info(rel)
            facts = current.get("model") if isinstance(current.get("model"), dict) else {}
            if latest:
                facts["latestVersion"] = latest
            current["model"] = facts
            atomic_write_json(info_path, current, indent=4)
        self.deck.library.refresh_one(rel)
        return bool(latest) and latest["id"] != info.get("id")

    # ---- choosing another image ----------------------------------------------------------
    def _info(self, rel: str) -> dict[str, Any]:
        info_path = sidecar.civitai_path_for(self.deck._abs(rel))
        try:
            with open(info_path, encoding="utf-8") as fh:
                info = json.load(fh)
        except (OSError, ValueError):
            raise DeckError("This embedding has no Civitai info yet: Find on Civitai first.") from None
        if not isinstance(info, dict):
            raise DeckError("This embedding has no Civitai info yet: Find on Civitai first.")
        return info

    def images(self, rel: str) -> dict[str, Any]:
        """The version's images the NSFW setting allows, safest first (their URLs, sizes)."""
        level = str(self.deck.host.settings().get("edeck_civitai_nsfw") or "PG")
        info = self._info(rel)
        noted = info.get("edeckPreview") if isinstance(info.get("edeckPreview"), dict) else {}
        base = self.client().base_url
        allowed = [c for c in civitai.preview_candidates(info, level) if not civitai.url_refusal(c[0], base)]
        return {
            "images": [
                {"index": i, "url": url, "nsfwLevel": lvl, "current": url == noted.get("url")}
                for i, (url, lvl) in enumerate(allowed)
            ]
        }

    def choose(self, rel: str, index: Any) -> dict[str, Any]:
        """Make image ``index`` of ``images()`` the preview (only those URLs: never the page's)."""
        choices = self.images(rel)["images"]
        if not isinstance(index, int) or not 0 <= index < len(choices):
            raise DeckError("There is no such Civitai image for this embedding.")
        picked = choices[index]
        try:
            data = self.client().image(picked["url"])
        except civitai.CivitaiError as err:
            raise DeckError(f"Civitai lookup failed: {err}") from None
        answer = self.deck.upload_preview(rel, data)
        self._note_preview(rel, picked["url"], picked["nsfwLevel"])
        entry = self.deck.library.refresh_one(rel)
        answer["row"] = self.deck._grid_row(entry) if entry else answer.get("row")
        return answer

    def _note_preview(self, rel: str, url: str, nsfw_level: int) -> None:
        """Which image became the preview, in X.civitai.info (the card blurs an NSFW one)."""
        info_path = sidecar.civitai_path_for(self.deck._abs(rel))
        with self.deck.lock.hold():
            try:
                with open(info_path, encoding="utf-8") as fh:
                    info = json.load(fh)
            except (OSError, ValueError):
                return
            info["edeckPreview"] = {"url": url, "nsfwLevel": nsfw_level}
            atomic_write_json(info_path, info, indent=4)
        self.deck.library.refresh_one(rel)
