"""The comparison's core: prompt edits (the click's rules), the tile plan, infotexts, the
labelled grid and nearest tokens."""

from __future__ import annotations

import io
import json
import os
import random

import numpy as np
import pytest
from PIL import Image
from support import ROOT

from embedding_deck import compare_grid, nearest, prompt_edit
from embedding_deck.compare_plan import (
    BaseSettings,
    Candidate,
    Incompatible,
    PlanError,
    base_from_infotext,
    build_plan,
    check_base,
    check_weights,
    parse_infotext,
)

with open(os.path.join(ROOT, "tests", "cases", "prompt.json"), encoding="utf-8") as _fh:
    CASES = json.load(_fh)


@pytest.mark.parametrize("case", CASES["toggle"], ids=[c["id"] for c in CASES["toggle"]])
def test_toggle_matches_the_shared_table(case):
    """Same rows as the JavaScript twin (tests/js/prompt.test.js)."""
    edit = prompt_edit.toggle(case["text"], case["caret"], case["name"], case.get("weight", 1))
    assert (edit.text, edit.caret) == (case["expect"], case["caret_after"])


@pytest.mark.parametrize(
    ("weight", "token"),
    [
        (1, "bad"),
        (1.0, "bad"),
        (0.8, "(bad:0.8)"),
        (1.25, "(bad:1.25)"),
        (2, "(bad:2)"),
        (-0.5, "(bad:-0.5)"),
        (0, "(bad:0)"),
    ],
)
def test_token_for_writes_weights_as_javascript_does(weight, token):
    assert prompt_edit.token_for("bad", weight) == token


def test_custom_separator():
    assert prompt_edit.insert("a cat", None, "bad", " ").text == "a cat bad"


def _cand(name, target="negative", arch="SD1", vectors=2, error=None):
    return Candidate(name, f"{name}.pt", target, vectors, arch, error)


def test_plan_none_column_then_each_embedding_at_each_weight():
    base = BaseSettings(prompt="a cat, good", negative_prompt="(bad:1.2), lowres", seed=5)
    plan = build_plan(base, [_cand("bad"), _cand("good", target="positive")], [0.8, 1.0], "SD1")
    rows = [(t.label, t.prompt, t.negative_prompt) for t in plan.tiles]
    assert rows == [
        ("none", "a cat", "lowres"),
        ("bad 0.8", "a cat", "lowres, (bad:0.8)"),
        ("bad 1", "a cat", "lowres, bad"),
        ("good 0.8", "a cat, (good:0.8)", "lowres"),
        ("good 1", "a cat, good", "lowres"),
    ]
    assert plan.base.seed == 5 and plan.notes


def test_plan_fixes_a_random_seed_once():
    plan = build_plan(BaseSettings(seed=-1), [_cand("bad")], [1.0], "SD1", rng=random.Random(1))
    assert 0 <= plan.base.seed < 2**32 and plan.base.seed != -1


@pytest.mark.parametrize(
    ("candidates", "family", "needle"),
    [
        ([_cand("xl", arch="SDXL")], "SD1", "xl is an SDXL embedding; the loaded checkpoint is SD1"),
        ([_cand("odd", arch="unknown")], "SD1", "unknown SD version"),
        ([_cand("broken", error="The file is truncated.")], "SD1", "cannot be read"),
        ([_cand("bad")], None, "has not loaded a checkpoint"),
    ],
)
def test_plan_refuses_incompatible_embeddings_with_the_reason(candidates, family, needle):
    with pytest.raises(Incompatible, match=needle):
        build_plan(BaseSettings(), candidates, [1.0], family)


def test_plan_limits():
    with pytest.raises(PlanError, match="At most 8"):
        build_plan(BaseSettings(), [_cand(f"e{i}") for i in range(9)], [1.0], "SD1")
    with pytest.raises(PlanError, match="twice"):
        build_plan(BaseSettings(), [_cand("e"), _cand("E")], [1.0], "SD1")
    with pytest.raises(PlanError, match="at least one"):
        build_plan(BaseSettings(), [], [1.0], "SD1")


@pytest.mark.parametrize(
    ("raw", "expect"),
    [
        (None, [1.0]),
        ([], [1.0]),
        ([0.6, "0.8", 1, 1.0], [0.6, 0.8, 1.0]),
        ([1.234], [1.23]),
        ([-10, 10], [-10, 10]),
    ],
)
def test_weights(raw, expect):
    assert check_weights(raw) == expect


@pytest.mark.parametrize(
    "raw", [[10.5], ["x"], [True], "1", [float("nan")], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]]
)
def test_bad_weights(raw):
    with pytest.raises(PlanError):
        check_weights(raw)


@pytest.mark.parametrize(
    "raw",
    [
        {"width": 513},
        {"width": 32},
        {"height": 4096},
        {"steps": 151},
        {"cfg_scale": 0},
        {"seed": 2**32},
        {"seed": "abc"},
        {"prompt": 5},
        {"prompt": "x" * 20_001},
        {"width": 2048, "height": 2048, "steps": 1.5},
    ],
)
def test_bad_base_settings(raw):
    with pytest.raises(PlanError):
        check_base(raw)


A1111_INFOTEXT = (
    "masterpiece, best quality, 1girl, (smile:1.1)\n"
    "outdoors, <lora:detail:0.6>\n"
    "Negative prompt: EasyNegative, (worst quality:1.4), lowres\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, "
    "Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength: 0.4, "
    'Clip skip: 2, Hires upscale: 2, Hires upscaler: Latent, Lora hashes: "detail: 1a2b3c4d5e6f", '
    'TI hashes: "EasyNegative: c74b4e810b03", Version: v1.10.1'
)


def test_parse_a1111_infotext():
    parsed = parse_infotext(A1111_INFOTEXT)
    assert parsed["prompt"] == "masterpiece, best quality, 1girl, (smile:1.1)\noutdoors, <lora:detail:0.6>"
    assert parsed["negative_prompt"] == "EasyNegative, (worst quality:1.4), lowres"
    assert (parsed["seed"], parsed["steps"], parsed["cfg_scale"]) == (3141592653, 28, 6.5)
    assert (parsed["sampler"], parsed["scheduler"], parsed["width"], parsed["height"]) == (
        "DPM++ 2M",
        "Karras",
        512,
        768,
    )
    assert parsed["checkpoint"] == "v1-5-pruned-emaonly"
    assert parsed["params"]["TI hashes"] == "EasyNegative: c74b4e810b03"
    assert parsed["params"]["Hires upscaler"] == "Latent"
    assert base_from_infotext(A1111_INFOTEXT).seed == 3141592653


@pytest.mark.parametrize(
    ("text", "prompt", "negative"),
    [
        ("a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512", "a cat", ""),
        (
            "Negative prompt: lowres\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 64x64",
            "",
            "lowres",
        ),
        ("just a prompt, no settings", "just a prompt, no settings", ""),
        ("a: b\nNegative prompt: x\ny", "a: b", "x\ny"),
        ("", "", ""),
    ],
)
def test_parse_infotext_shapes(text, prompt, negative):
    parsed = parse_infotext(text)
    assert (parsed["prompt"], parsed["negative_prompt"]) == (prompt, negative)


def test_grid_has_every_tile_labels_and_parameters():
    red, blue = Image.new("RGB", (32, 48), (255, 0, 0)), Image.new("RGB", (32, 48), (0, 0, 255))
    labels = [("none", "without"), ("EasyNegative 0.8", "SD1 · 8 vectors"), ("名前 1", "SD1")]
    grid = compare_grid.compose([red, None, blue], labels, (32, 48))
    assert grid.width == 3 * 32 + 4 * compare_grid.GAP
    assert grid.getpixel((compare_grid.GAP + 5, compare_grid.GAP + compare_grid.LABEL_BAND + 5)) == (
        255,
        0,
        0,
    )
    data = compare_grid.png_bytes(grid, "a cat\nSteps: 1")
    with Image.open(io.BytesIO(data)) as img:
        assert img.info["parameters"] == "a cat\nSteps: 1"


def test_split_pair_is_without_left_and_with_right_with_tags_beside_the_seam():
    red, blue = Image.new("RGB", (256, 256), (255, 0, 0)), Image.new("RGB", (256, 256), (0, 0, 255))
    split = compare_grid.split_pair(red, blue)
    assert split.size == (256, 256)
    assert split.getpixel((5, 5)) == (255, 0, 0) and split.getpixel((250, 5)) == (0, 0, 255)
    # the tags sit at the bottom, next to the seam (a portrait card crops the sides away)
    assert split.getpixel((120, 250)) == compare_grid.BACKGROUND
    assert split.getpixel((136, 250)) == compare_grid.BACKGROUND
    assert split.getpixel((5, 250)) == (255, 0, 0) and split.getpixel((250, 250)) == (0, 0, 255)
    # a "with" of another size is fitted; a tiny one gets no tags
    small = compare_grid.split_pair(
        Image.new("RGB", (64, 64), (255, 0, 0)), Image.new("RGB", (32, 32), (0, 0, 255))
    )
    assert small.getpixel((10, 60)) == (255, 0, 0) and small.getpixel((54, 60)) == (0, 0, 255)


def test_nearest_ranks_the_equal_token_first_with_similarity_one():
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((50, 16)).astype(np.float32)
    tokens = [f"tok{i}</w>" for i in range(50)]
    vectors = np.stack([matrix[7], -matrix[3], matrix[12] * 0.01])
    saved = nearest.CHUNK_ROWS
    nearest.CHUNK_ROWS = 8  # several chunks: the running top-k must merge them right
    try:
        reports = nearest.nearest_tokens(matrix, tokens, vectors)
    finally:
        nearest.CHUNK_ROWS = saved
    assert reports[0].nearest[0] == ("tok7", pytest.approx(1.0, abs=1e-5))
    assert reports[0].norm == pytest.approx(float(np.linalg.norm(matrix[7])), rel=1e-5)
    assert reports[2].nearest[0][0] == "tok12"
    assert "tok3" not in [t for t, _ in reports[1].nearest]  # opposite direction: similarity -1
    for r in reports:
        sims = [s for _t, s in r.nearest]
        assert len(sims) == 5 and sims == sorted(sims, reverse=True)
    full = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    brute = np.argsort(-(full @ (vectors[1] / np.linalg.norm(vectors[1]))))[:5]
    assert [t for t, _ in reports[1].nearest] == [f"tok{i}" for i in brute]


def test_nearest_refuses_a_width_mismatch():
    from embedding_deck.errors import UnreadableFile

    with pytest.raises(UnreadableFile, match="768 wide"):
        nearest.nearest_tokens(np.zeros((4, 1024)), ["a"] * 4, np.ones((1, 768)))


def test_safetensors_vectors_by_byte_range(tmp_path):
    from safetensors.numpy import save_file

    vec = np.arange(2 * 768, dtype=np.float32).reshape(2, 768) / 100
    save_file({"emb_params": vec.astype(np.float16)}, str(tmp_path / "h.safetensors"))
    got = nearest.read_safetensors_vectors(str(tmp_path / "h.safetensors"))
    assert np.allclose(got["emb_params"], vec.astype(np.float16).astype(np.float32))
    save_file(
        {"clip_g": np.ones((1, 1280), np.float32), "clip_l": np.zeros((1, 768), np.float32)},
        str(tmp_path / "x.safetensors"),
    )
    got = nearest.read_safetensors_vectors(str(tmp_path / "x.safetensors"))
    assert list(got) == ["clip_l", "clip_g"] and got["clip_g"].shape == (1, 1280)


def test_bf16_bytes():
    values = np.array([1.0, -2.5, 0.15625], dtype=np.float32)
    bf16 = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    assert np.allclose(nearest.array_from_bytes(bf16, "BF16", (3,)), values[None, :])
