"""Conversion to .safetensors against torch itself (3.11 only): every tensor bit for bit.

Every convertible fixture kind (zip and legacy trainer files, a ParameterDict, an old-torch
zip, 75 vectors, diffusers 1-D and 2-D, SDXL) plus fresh float16/bfloat16 files and a tensor
that is a slice of a larger storage; the result is loaded with ``safetensors.torch``.
"""

from __future__ import annotations

import os
import shutil

import factories as f
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from support import fixture_path

from embedding_deck import convert

GOOD = [
    "trainer_zip_sd1.pt",
    "trainer_legacy_sd2.pt",
    "paramdict_legacy.pt",
    "old_torch_zip.pt",
    "ng_deepnegative_75.pt",
    "diffusers_1d.bin",
    "diffusers_2d_sd2.bin",
    "sdxl_dict.pt",
]


def _expected(path: str) -> tuple[dict[str, torch.Tensor], dict]:
    """What the WebUI gets from the original file (trusted fixtures: a full torch.load)."""
    data = torch.load(path, map_location="cpu", weights_only=False)
    if "string_to_param" in data:
        params = data["string_to_param"]
        tensors = {"emb_params": next(iter(params.values())).detach()}
    elif "clip_g" in data:
        tensors = {"clip_g": data["clip_g"], "clip_l": data["clip_l"]}
    else:
        tensors = {"emb_params": next(iter(data.values())).detach()}
    tensors = {k: (v.unsqueeze(0) if v.dim() == 1 else v) for k, v in tensors.items()}
    meta = {k: str(data[k]) for k in ("step", "sd_checkpoint", "sd_checkpoint_name", "name") if k in data}
    return tensors, meta


def _bits(t: torch.Tensor) -> bytes:
    return t.contiguous().view(-1).view(torch.uint8).numpy().tobytes()


def _check(original: str, tmp_path) -> None:
    out = tmp_path / "out.safetensors"
    out.write_bytes(convert.to_safetensors_bytes(original))
    expected, meta = _expected(original)
    got = load_file(str(out))
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        assert got[key].dtype == want.dtype and got[key].shape == want.shape, key
        assert _bits(got[key]) == _bits(want), key
    with safe_open(str(out), "pt") as fh:
        assert (fh.metadata() or {}) == meta


@pytest.mark.parametrize("name", GOOD)
def test_every_fixture_kind_converts_bit_for_bit(tmp_path, name):
    _check(fixture_path(name), tmp_path)


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_half_and_bfloat16(tmp_path, dtype, legacy):
    t = torch.randn(5, 768).to(dtype)
    path = f.write_pt(str(tmp_path / "h.pt"), {"string_to_param": {"*": t}, "step": 7}, legacy=legacy)
    _check(path, tmp_path)


@pytest.mark.parametrize("legacy", [False, True])
def test_a_slice_of_a_larger_storage(tmp_path, legacy):
    """torch saves a view's whole storage; only the view's elements are carried over."""
    base = torch.randn(10, 768)
    path = f.write_pt(str(tmp_path / "s.pt"), {"<tok>": base[3:6]}, legacy=legacy)
    _check(path, tmp_path)


def test_a_transposed_tensor_is_refused_with_a_reason(tmp_path):
    path = f.write_pt(str(tmp_path / "t.pt"), {"<tok>": torch.randn(768, 4).t()})
    with pytest.raises(Exception, match="not stored contiguously"):
        convert.to_safetensors_bytes(path)


def test_double_precision_is_refused_with_a_reason(tmp_path):
    path = f.write_pt(str(tmp_path / "d.pt"), {"<tok>": torch.randn(2, 768, dtype=torch.float64)})
    with pytest.raises(Exception, match="only float32, float16 and bfloat16"):
        convert.to_safetensors_bytes(path)


def test_the_whole_operation_matches_torch(tmp_path):
    """convert(): the .safetensors beside, the original in the trash, both equal to torch's."""
    from embedding_deck import fileops

    root = tmp_path / "emb"
    root.mkdir()
    shutil.copy(fixture_path("sdxl_dict.pt"), root / "x.pt")
    group = fileops.group_of(str(root), "x.pt", lambda rel: True)
    moved = convert.convert(str(root), str(tmp_path / "trash"), group, fileops.stamp_of(str(root / "x.pt")))
    assert moved.new == "x.safetensors" and not (root / "x.pt").exists()
    got = load_file(str(root / "x.safetensors"))
    trashed = tmp_path / "trash" / moved.trash_id / "files" / "x.pt"
    want, _meta = _expected(str(trashed))
    assert all(_bits(got[k]) == _bits(want[k]) for k in want)
    assert os.path.getsize(trashed) == os.path.getsize(fixture_path("sdxl_dict.pt"))
