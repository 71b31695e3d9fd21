"""``python -m embedding_deck demo``: one fresh copy per port, said where; a busy port is left."""

from __future__ import annotations

import os
import socket
import sys
import types

import pytest
from support import free_port

from embedding_deck.__main__ import main
from embedding_deck.index import default_cache_dir
from embedding_deck_app import demo


@pytest.fixture
def served(monkeypatch) -> list[str]:
    """Stands in for the standalone server (no gradio): records the folders it would serve."""
    folders: list[str] = []
    fake = types.ModuleType("embedding_deck_app.standalone")
    fake.serve = lambda folder, *_args, **_kwargs: folders.append(folder)
    monkeypatch.setitem(sys.modules, "embedding_deck_app.standalone", fake)
    return folders


def test_each_port_has_its_own_copy_and_says_where(served, capsys):
    first, second = free_port(), free_port()
    assert main(["demo", "--port", str(first)]) == 0
    edited = os.path.join(served[0], "EasyNegative.json")
    with open(edited, "w", encoding="utf-8") as fh:
        fh.write('{"description": "my edit"}')
    assert main(["demo", "--port", str(second)]) == 0
    assert served == [demo.folder_for_port(default_cache_dir(), p) for p in (first, second)]
    assert served[0] != served[1]
    with open(edited, encoding="utf-8") as fh:
        assert fh.read() == '{"description": "my edit"}'  # the first demo's edits survive
    out = capsys.readouterr().out
    assert served[0] in out and served[1] in out
    assert sorted(os.listdir(served[1])) == sorted(os.listdir(demo.DEMO_FILES))


def test_a_port_in_use_leaves_its_copy_alone(served, capsys):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        folder = demo.folder_for_port(default_cache_dir(), port)
        os.makedirs(folder)
        with open(os.path.join(folder, "mine.txt"), "w", encoding="utf-8") as fh:
            fh.write("edits of the running demo")
        assert main(["demo", "--port", str(port)]) == 2
    assert served == []
    assert os.listdir(folder) == ["mine.txt"]
    assert f"port {port} is in use" in capsys.readouterr().err
