"""Regenerates tests/fixtures/ with the real torch, so Python 3.10 runs (no torch) have them.

Run with the 3.11 venv: ``.venv/py311/bin/python tools/make_fixtures.py``.
The safetensors and image fixtures are written on the fly by tests/factories.py instead.
"""

from __future__ import annotations

import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import factories as f  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "fixtures")
CANARY = "edeck_canary_pwned"


def _strip_new_zip_members(path: str) -> None:
    """Rewrite a torch zip without the members torch >= 2.2 adds, as older torch wrote it."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            if info.filename.split("/", 1)[1] in (".format_version", ".storage_alignment"):
                continue
            dst.writestr(info, src.read(info))
    os.replace(tmp, path)


def _preview(path: str, label: str, hue: int) -> None:
    """A small, distinct preview card: a coloured gradient with the embedding's name."""
    import colorsys

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (256, 320))
    draw = ImageDraw.Draw(img)
    for y in range(320):
        r, g, b = colorsys.hsv_to_rgb(hue / 360, 0.55, 0.95 - y / 700)
        draw.line([(0, y), (256, y)], fill=(int(r * 255), int(g * 255), int(b * 255)))
    draw.rectangle([0, 250, 256, 320], fill=(0, 0, 0))
    draw.text((12, 270), label, fill=(255, 255, 255))
    if path.endswith(".jpg"):
        img.save(path, quality=85)
    else:
        img.save(path)


def make_demo(out: str) -> None:
    """The demo library: every format and architecture, previews, sidecars, sub-folders,
    a name collision, an unknown width and one broken file (random vectors, real formats)."""
    import json
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    d = lambda *parts: os.path.join(out, *parts)  # noqa: E731
    for sub in ("SD15", "SDXL", "SD2", "styles", "broken"):
        os.makedirs(d(sub))
    f.write_safetensors(d("EasyNegative.safetensors"), {"emb_params": (8, 768)})
    _preview(d("EasyNegative.preview.png"), "EasyNegative", 20)
    with open(d("EasyNegative.json"), "w", encoding="utf-8") as fh:
        json.dump(
            {"description": "The classic SD1.5 negative.", "notes": "Use at 1.0.", "sd version": "SD1"}, fh
        )
    f.write_pt(d("badhandv4.pt"), f.trainer_payload(6, 768, name="badhandv4", step=3000))
    _strip_new_zip_members(d("badhandv4.pt"))
    _preview(d("badhandv4.preview.jpg"), "badhandv4", 200)
    with open(d("badhandv4.txt"), "w", encoding="utf-8") as fh:
        fh.write("Fixes hands. Put it in the negative prompt.")
    f.write_pt(d("ng_deepnegative_v1_75t.pt"), f.trainer_payload(75, 768, step=5000), legacy=True)
    f.write_png_text(d("bad_prompt_version2.png"), f.json_payload(8, name="bad_prompt_version2", step=2000))
    f.write_pixel_embedding(d("pixel_negative.png"), f.json_payload(4, name="pixel_negative-500", step=500))
    f.write_safetensors(d("SD15", "EasyNegative.safetensors"), {"emb_params": (8, 768)})
    f.write_safetensors(d("SDXL", "negativeXL_D.safetensors"), {"clip_g": (8, 1280), "clip_l": (8, 768)})
    _preview(d("SDXL", "negativeXL_D.preview.png"), "negativeXL_D", 320)
    f.write_safetensors(d("SDXL", "unaestheticXL.safetensors"), {"clip_g": (4, 1280), "clip_l": (4, 768)})
    f.write_pt(d("SD2", "rmadanegative.bin"), f.diffusers_payload("<rmada>", one_d=False, dim=1024))
    f.write_pt(d("styles", "cat-toy.bin"), f.diffusers_payload("<cat-toy>"))
    _preview(d("styles", "cat-toy.png"), "cat-toy", 120)
    f.write_safetensors(d("styles", "refiner_only.safetensors"), {"emb": (2, 1280)})
    good = d("broken", "truncated.safetensors")
    f.write_safetensors(good, {"emb_params": (8, 768)})
    with open(good, "r+b") as fh:
        fh.truncate(os.path.getsize(good) - 4000)


def main() -> None:
    import torch

    os.makedirs(OUT, exist_ok=True)
    p = lambda name: os.path.join(OUT, name)  # noqa: E731
    f.write_pt(p("trainer_zip_sd1.pt"), f.trainer_payload(8, 768, name="trainer_zip_sd1"))
    f.write_pt(p("trainer_legacy_sd2.pt"), f.trainer_payload(4, 1024, step=1200), legacy=True)
    f.write_pt(p("paramdict_legacy.pt"), f.trainer_payload(2, 768, param_dict=True), legacy=True)
    f.write_pt(p("old_torch_zip.pt"), f.trainer_payload(6, 768))
    _strip_new_zip_members(p("old_torch_zip.pt"))
    f.write_pt(p("ng_deepnegative_75.pt"), f.trainer_payload(75, 768, step=5000))
    f.write_pt(p("diffusers_1d.bin"), f.diffusers_payload("<cat-toy>"))
    f.write_pt(p("diffusers_2d_sd2.bin"), f.diffusers_payload("<style>", one_d=False, dim=1024))
    f.write_pt(p("sdxl_dict.pt"), f.sdxl_payload(4))
    f.write_pt(p("not_embedding.pt"), {"epoch": 3, "optimizer": "adam", "lr": [0.1, 0.2]})
    f.write_pt(p("a_list.pt"), [torch.zeros(2, 768)])
    f.write_pt(p("two_tensors.pt"), {"a": torch.zeros(1, 768), "b": torch.zeros(1, 768)})
    f.write_malicious_pt(p("evil_system.pt"), CANARY)
    f.write_malicious_pt(p("evil_eval_legacy.pt"), CANARY, how="eval", legacy=True)
    f.write_malicious_pt(p("evil_exec_nested.pt"), CANARY, how="exec", nested=True)
    make_demo(os.path.join(HERE, "..", "embedding_deck_app", "demo_files"))
    print("fixtures written to", os.path.normpath(OUT), "with torch", torch.__version__)


if __name__ == "__main__":
    main()
