"""The settings table: one definition, rendered by each host (WebUI Settings page, CLI flags).

Keys carry the ``edeck_`` prefix (the WebUI's ``shared.opts`` is one flat namespace).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SECTION = ("embedding_deck", "Embedding Deck")


@dataclass(frozen=True)
class Setting:
    """One setting: key, default, label, and the choices when it is a pick-list."""

    key: str
    default: Any
    label: str
    choices: tuple[str, ...] = ()
    info: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "edeck_default_sort",
        "path",
        "Default sort",
        ("path", "name", "created", "modified", "size", "vectors"),
    ),
    Setting("edeck_default_desc", False, "Sort descending by default"),
    Setting("edeck_default_view", "grid", "Default view", ("grid", "tree")),
    Setting("edeck_card_size", "medium", "Card size", ("small", "medium", "large")),
    Setting(
        "edeck_show_incompatible",
        True,
        "Show embeddings that do not fit the loaded checkpoint (greyed, with the reason)",
    ),
    Setting(
        "edeck_own_weight_keys",
        True,
        "Embedding Deck handles Ctrl+Up/Down in prompts (off: leave it to the WebUI's own handler)",
    ),
    Setting(
        "edeck_civitai_enabled",
        True,
        "Find on Civitai: look embeddings up by their SHA-256 when asked (off: never contact Civitai)",
    ),
    Setting(
        "edeck_civitai_url",
        "https://civitai.com",
        "Civitai API base URL (a mirror or a test server)",
    ),
    Setting("edeck_civitai_timeout", "20", "Civitai request timeout, seconds"),
    Setting(
        "edeck_civitai_nsfw",
        "PG",
        "Civitai previews: the most explicit image level allowed",
        ("PG", "PG-13", "R", "X"),
    ),
    Setting(
        "edeck_civitai_blur",
        True,
        "Blur cards whose preview or model Civitai marks NSFW (a click on Show reveals one)",
    ),
    Setting(
        "edeck_allowed_hosts",
        "",
        "Other host names Embedding Deck answers to, space separated (loopback and this machine's "
        "names always work; add the name of a reverse proxy or a LAN name)",
    ),
)


def defaults() -> dict[str, Any]:
    """Every setting's default value by key."""
    return {s.key: s.default for s in SETTINGS}


def coerce(values: dict[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with ``values``, dropping unknown keys and out-of-choice values."""
    out = defaults()
    for setting in SETTINGS:
        if setting.key not in values:
            continue
        value = values[setting.key]
        if setting.choices and value not in setting.choices:
            continue
        if isinstance(setting.default, bool):
            value = bool(value)
        out[setting.key] = value
    return out
