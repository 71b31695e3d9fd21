"""Preview uploads: decoded and re-encoded, size-limited, written atomically, deleted."""

from __future__ import annotations

import io
import os

import factories as f
import pytest
from PIL import Image

from embedding_deck import previews
from embedding_deck.errors import BadUpload


def _png(w=64, h=64, fmt="PNG") -> bytes:
    out = io.BytesIO()
    f.picture(w, h).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_upload_is_reencoded_as_png(tmp_path, fmt):
    emb = f.write_safetensors(str(tmp_path / "x.safetensors"), {"e": (1, 768)})
    target = previews.write_preview(emb, _png(fmt=fmt))
    assert target == str(tmp_path / "x.preview.png")
    with Image.open(target) as img:
        assert img.format == "PNG" and img.size == (64, 64)


def test_png_metadata_is_not_kept(tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "secret prompt")
    out = io.BytesIO()
    f.picture().save(out, "PNG", pnginfo=info)
    emb = f.write_safetensors(str(tmp_path / "x.safetensors"), {"e": (1, 768)})
    with Image.open(previews.write_preview(emb, out.getvalue())) as img:
        assert "parameters" not in img.info


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"hello, not an image", "not an image"),
        (b"GIF89a" + b"\x00" * 50, "not an image"),
    ],
)
def test_bad_uploads(tmp_path, data, needle):
    emb = f.write_safetensors(str(tmp_path / "x.safetensors"), {"e": (1, 768)})
    with pytest.raises(BadUpload, match=needle):
        previews.write_preview(emb, data)
    assert not os.path.exists(tmp_path / "x.preview.png")


def test_gif_is_refused_by_format(tmp_path):
    out = io.BytesIO()
    f.picture().save(out, "GIF")
    with pytest.raises(BadUpload, match="GIF images are not accepted"):
        previews.decode_upload(out.getvalue())


@pytest.mark.parametrize(
    ("size", "needle"), [((20000, 10000), "far too many"), ((8000, 6000), "48 megapixels")]
)
def test_huge_images_refused_before_decoding(size, needle):
    # real PNGs (1-bit, so small on disk) whose pixel data is never decoded
    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG")
    with pytest.raises(BadUpload, match=needle):
        previews.decode_upload(out.getvalue())


def test_failed_write_keeps_old_preview(tmp_path, monkeypatch):
    emb = f.write_safetensors(str(tmp_path / "x.safetensors"), {"e": (1, 768)})
    target = previews.write_preview(emb, _png(32, 32))
    before = open(target, "rb").read()
    with pytest.raises(BadUpload):
        previews.write_preview(emb, b"junk")
    assert open(target, "rb").read() == before


def test_image_embedding_is_never_overwritten(tmp_path):
    emb = f.write_png_text(str(tmp_path / "foo.png"), f.json_payload(2))
    before = open(emb, "rb").read()
    target = previews.write_preview(emb, _png())
    assert target.endswith("foo.preview.png")
    assert open(emb, "rb").read() == before


def test_delete(tmp_path):
    emb = f.write_safetensors(str(tmp_path / "x.safetensors"), {"e": (1, 768)})
    previews.write_preview(emb, _png())
    assert previews.delete_preview(emb) is True
    assert previews.delete_preview(emb) is False
    assert os.path.exists(emb)
