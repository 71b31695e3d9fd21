"""Conversion without torch (both Pythons): every fixture kind gives a file safetensors
loads, with the same vectors (hash of the tensor bytes); others say why not."""

from __future__ import annotations

import pytest
from safetensors import safe_open
from safetensors.numpy import load_file
from support import fixture_path

from embedding_deck import convert, vectors
from embedding_deck.errors import UnreadableFile

SHAPES = {
    "trainer_zip_sd1.pt": {"emb_params": (8, 768)},
    "trainer_legacy_sd2.pt": {"emb_params": (4, 1024)},
    "paramdict_legacy.pt": {"emb_params": (2, 768)},
    "old_torch_zip.pt": {"emb_params": (6, 768)},
    "ng_deepnegative_75.pt": {"emb_params": (75, 768)},
    "diffusers_1d.bin": {"emb_params": (1, 768)},
    "diffusers_2d_sd2.bin": {"emb_params": (1, 1024)},
    "sdxl_dict.pt": {"clip_g": (4, 1280), "clip_l": (4, 768)},
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_fixture_kind_converts(tmp_path, name):
    out = tmp_path / "x.safetensors"
    out.write_bytes(convert.to_safetensors_bytes(fixture_path(name)))
    got = load_file(str(out))
    assert {k: v.shape for k, v in got.items()} == SHAPES[name]
    assert all(v.dtype.name == "float32" for v in got.values())
    assert vectors.vector_digest(str(out)) == vectors.vector_digest(fixture_path(name))
    with safe_open(str(out), "np") as fh:
        meta = fh.metadata() or {}
    if name.startswith(("trainer", "ng_")):
        assert meta["step"].isdigit() and meta["sd_checkpoint_name"] == "v1-5-pruned-emaonly"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("not_embedding.pt", "exactly one tensor"),
        ("a_list.pt", "embedding dict"),
        ("two_tensors.pt", "exactly one tensor"),
        ("evil_system.pt", "Refused"),
        ("evil_eval_legacy.pt", "Refused"),
    ],
)
def test_files_that_cannot_be_converted_say_why(name, why):
    with pytest.raises(UnreadableFile, match=why):
        convert.to_safetensors_bytes(fixture_path(name))
