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
    print("fixtures written to", os.path.normpath(OUT), "with torch", torch.__version__)


if __name__ == "__main__":
    main()
