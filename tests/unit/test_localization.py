"""localizations/ja_JP.json covers every translatable string, in the WebUI's format."""

from __future__ import annotations

import json
import os
import re
import sys

from support import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))

from extract_strings import strings


def _ja() -> dict:
    with open(os.path.join(ROOT, "localizations", "ja_JP.json"), encoding="utf-8") as fh:
        return json.load(fh)


def test_every_ui_string_has_a_japanese_translation():
    ja = _ja()
    found = strings()
    assert len(found) > 100
    missing = [s for s in found if s not in ja]
    assert missing == []


def test_webui_format_and_placeholders_kept():
    for key, value in _ja().items():
        assert isinstance(key, str) and isinstance(value, str) and value.strip()
        assert sorted(re.findall(r"\{\w+\}", key)) == sorted(re.findall(r"\{\w+\}", value)), key


def test_no_stale_entries():
    assert set(_ja()) <= set(strings())


def test_standalone_lang_flag_loads_it():
    from embedding_deck_app.standalone import load_localization

    assert load_localization("ja")["Refresh"] == "更新"
    assert load_localization("ja_JP") == load_localization("ja")
    assert load_localization(None) == {}
