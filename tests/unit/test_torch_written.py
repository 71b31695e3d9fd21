"""Fresh files from this machine's torch (3.11 only): every serialisation round-trips.

These complement the committed fixtures, which the same factories wrote with torch 2.13.
"""

from __future__ import annotations

import os

import factories as f
import pytest
import torch

from embedding_deck.formats import read_file


def read(path: str):
    return read_file(path, os.path.getsize(path))


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize(
    ("payload", "dim", "vectors"),
    [
        (lambda: f.trainer_payload(3, 768), 768, 3),
        (lambda: f.trainer_payload(10, 1024, param_dict=True), 1024, 10),
        (lambda: f.sdxl_payload(2), 2048, 2),
        (lambda: f.diffusers_payload("<tok>"), 768, 1),
        (lambda: {"emb": torch.zeros(4, 768, dtype=torch.float16)}, 768, 4),
        (lambda: {"emb": torch.zeros(4, 768, dtype=torch.bfloat16)}, 768, 4),
    ],
)
def test_fresh_torch_files(tmp_path, payload, dim, vectors, legacy):
    parsed = read(f.write_pt(str(tmp_path / "x.pt"), payload(), legacy=legacy))
    assert parsed.error is None, parsed.error
    assert (parsed.dim, parsed.vectors) == (dim, vectors)


@pytest.mark.parametrize("how", ["system", "eval", "exec"])
@pytest.mark.parametrize("legacy", [False, True])
def test_fresh_malicious_files(tmp_path, monkeypatch, how, legacy):
    monkeypatch.chdir(tmp_path)
    path = f.write_malicious_pt(str(tmp_path / "evil.pt"), "canary", how, legacy, nested=True)
    assert read(path).error.startswith("Refused")
    assert not (tmp_path / "canary").exists()
    with pytest.raises(Exception):  # noqa: B017 - proves the file WOULD run code in plain torch
        torch.load(path, weights_only=True)


@pytest.mark.parametrize("legacy", [False, True])
def test_pickle_longer_than_the_first_block(tmp_path, legacy):
    """Trainer dicts whose pickle runs past the legacy reader's first block read in full."""
    from embedding_deck.formats.torch_pickle import LEGACY_BLOCK

    payload = f.trainer_payload(3, 768)
    payload["sd_checkpoint_name"] = "long-" + "x" * (2 * LEGACY_BLOCK)
    path = f.write_pt(str(tmp_path / "long.pt"), payload, legacy=legacy)
    parsed = read(path)
    assert parsed.error is None, parsed.error
    assert (parsed.vectors, parsed.checkpoint) == (3, payload["sd_checkpoint_name"])
    with open(path, "rb") as fh:
        cut = fh.read(LEGACY_BLOCK + 100)
    with open(tmp_path / "cut.pt", "wb") as fh:
        fh.write(cut)
    assert "truncated" in read(str(tmp_path / "cut.pt")).error
