"""The core package imports no UI framework, no WebUI module and no torch."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from support import ROOT

BANNED = {"gradio", "fastapi", "starlette", "modules", "launch", "torch", "embedding_deck_app"}
CORE = os.path.join(ROOT, "embedding_deck")


def _imports(path: str) -> set[str]:
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_no_banned_imports_in_core_source():
    offenders = {}
    for folder, _dirs, files in os.walk(CORE):
        for name in files:
            if name.endswith(".py") and name != "__main__.py":
                path = os.path.join(folder, name)
                bad = _imports(path) & BANNED
                if bad:
                    offenders[os.path.relpath(path, ROOT)] = bad
    assert offenders == {}


def test_importing_core_and_scanning_loads_no_framework(tmp_path):
    code = (
        "import sys, embedding_deck; embedding_deck.Library(sys.argv[1]).scan();"
        "print(sorted(m for m in ('gradio','torch','fastapi','modules') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
