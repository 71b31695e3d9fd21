"""Warnings are about the host the user runs: A1111 refuses .pt/.bin files that torch 2.2+
wrote (Forge loads them), and the WebUI skips embeddings made for another model family.
The prompt report counts only what the WebUI will use."""

from __future__ import annotations

import os
import shutil

import pytest
from support import ROOT

from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost
from embedding_deck_app.report import report_html

NEW_PT = "styles/cat-toy.bin"  # written by torch >= 2.2 (zip entries A1111 refuses)


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "embeddings"
    shutil.copytree(os.path.join(ROOT, "embedding_deck_app", "demo_files"), out)
    return str(out)


def _deck(folder: str, name: str, tmp_path) -> Deck:
    host_class = type("Host", (StandaloneHost,), {"name": name})
    return Deck(host_class(folder, str(tmp_path / ("cache-" + name))))


def _row(deck: Deck, path: str) -> dict:
    return next(r for r in deck.grid()["entries"] if r["path"] == path)


@pytest.mark.parametrize("name", ["a1111", "reforge", "standalone"])
def test_hosts_with_a1111_loader_warn_and_skip(folder, tmp_path, name):
    row = _row(_deck(folder, name, tmp_path), NEW_PT)
    assert row["refused"] and row["refused"].startswith("A1111 1.10 refuses this file")
    assert row["warnings"] == [row["refused"]] and row["other_hosts"] == []


def test_forge_keeps_the_verdict_for_the_editor_only(folder, tmp_path):
    row = _row(_deck(folder, "forge", tmp_path), NEW_PT)
    assert row["refused"] is None and row["warnings"] == []
    assert len(row["other_hosts"]) == 1 and "(Forge loads it)" in row["other_hosts"][0]


def test_report_does_not_count_skipped_embeddings(folder, tmp_path):
    deck = _deck(folder, "a1111", tmp_path)
    deck.host.family = "SD1"
    name = _row(deck, NEW_PT)["name"]
    html = report_html(deck, "", f"EasyNegative, negativeXL_D, {name}")
    assert 'data-name="EasyNegative"' in html and 'data-skipped="0"' in html
    assert html.count('data-skipped="1"') == 2  # the SDXL one and the refused file
    easy = _row(deck, "EasyNegative.safetensors")["vectors"]
    assert f'data-total-vectors="{easy}"' in html
    assert "skipped by the WebUI" in html
    deck.host.family = "SDXL"
    html = report_html(deck, "", "negativeXL_D")
    assert 'data-skipped="0"' in html and 'data-total-vectors="0"' not in html
