"""Every host name our stand-in offers matches the host's real name and signature."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FAKE = os.path.join(ROOT, "tests", "host_fake")


def _resolve(path: str, webui):
    module_name, _, rest = path.partition(".")
    if module_name in webui.modules:
        obj = webui.modules[module_name]
    else:
        try:
            obj = importlib.import_module(f"modules.{module_name}")
        except ImportError:
            obj = __import__(module_name)
    for part in rest.split(".") if rest else []:
        obj = getattr(obj, part)
    return obj


def _params(fn) -> list[str]:
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.KEYWORD_ONLY and "*" not in out:
            out.append("*")
        if p.name != "self":
            out.append(p.name)
    return out


def test_fake_matches_recorded_host_api(webui):
    with open(os.path.join(FAKE, "host_api.json"), encoding="utf-8") as fh:
        api = json.load(fh)
    for path, params in api["functions"].items():
        assert _params(_resolve(path, webui)) == params, path
    for path in api["attributes"]:
        _resolve(path, webui)


def test_our_code_uses_only_recorded_host_names():
    with open(os.path.join(FAKE, "host_api.json"), encoding="utf-8") as fh:
        api = json.load(fh)
    known = {p.split(".")[0] for p in list(api["functions"]) + api["attributes"]}
    known |= {"ui_extra_networks_textual_inversion"}  # Forge only, imported under try/except
    known.discard("launch")
    used = set()
    files = (
        "embedding_deck_app/host_webui.py",
        "embedding_deck_app/host_webui_generate.py",
        "scripts/embedding_deck_tab.py",
    )
    for rel in files:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as fh:
            text = fh.read()
        used |= set(re.findall(r"from modules(?:\.(\w+))? import (\w+)", text))
    modules_used = {sub or name for sub, name in used}
    assert modules_used <= known, modules_used - known
