"""Infotext from real PNG/JPEG/WebP files written by Pillow as A1111 writes them, and from
hostile ones: nothing decodes pixels, nothing raises, nothing grows past the limit."""

from __future__ import annotations

import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from embedding_deck.infotext_read import MAX_TEXT, read_infotext

INFO = (
    "a cat, EasyNegative\nNegative prompt: lowres, badhandv4, (ng_deepnegative_v1_75t:1.2)\n"
    'Steps: 20, Sampler: Euler a, Seed: 1, Size: 64x64, TI hashes: "badhandv4: 5e40d722fc3d, '
    'ng_deepnegative_v1_75t: 54e7e4826d53", Version: v1.10.1'
)


def _png(path, text, zip_=False, after_idat=False):
    img = Image.new("RGB", (64, 64), (10, 20, 30))
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", text, zip=zip_)
    img.save(path, pnginfo=info)
    if after_idat:  # move the text chunk after the image data, as some tools write it
        data = open(path, "rb").read()
        start = data.index(b"tEXt") - 4
        (length,) = struct.unpack(">I", data[start : start + 4])
        chunk = data[start : start + 12 + length]
        rest = data[:start] + data[start + 12 + length :]
        iend = rest.index(b"IEND") - 4
        open(path, "wb").write(rest[:iend] + chunk + rest[iend:])
    return str(path)


def _exif(raw: bytes) -> Image.Exif:
    """EXIF with a UserComment as piexif's UserComment.dump(..., encoding="unicode") makes it."""
    exif = Image.Exif()
    exif[0x8769] = {0x9286: raw}  # the Exif IFD, written as a sub-IFD by Pillow
    return exif


@pytest.mark.parametrize("zip_", [False, True])
def test_png_text_itxt_and_ztxt(tmp_path, zip_):
    assert read_infotext(_png(tmp_path / "a.png", INFO, zip_=zip_)) == INFO
    unicode = INFO.replace("a cat", "猫")  # not Latin-1: Pillow writes iTXt
    assert read_infotext(_png(tmp_path / "b.png", unicode, zip_=zip_)) == unicode


def test_png_text_after_the_image_data(tmp_path):
    assert read_infotext(_png(tmp_path / "a.png", INFO, after_idat=True)) == INFO


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_jpeg_and_webp_exif_user_comment(tmp_path, fmt):
    path = str(tmp_path / f"a.{fmt.lower()}")
    comment = b"UNICODE\0" + (INFO + " 猫").encode("utf-16-be")
    Image.new("RGB", (64, 64), (10, 20, 30)).save(path, format=fmt, exif=_exif(comment))
    assert read_infotext(path) == INFO + " 猫"


def test_images_without_infotext_and_not_images(tmp_path):
    plain = str(tmp_path / "plain.png")
    Image.new("RGB", (8, 8)).save(plain)
    assert read_infotext(plain) is None
    jpg = str(tmp_path / "plain.jpg")
    Image.new("RGB", (8, 8)).save(jpg)
    assert read_infotext(jpg) is None
    (tmp_path / "x.png").write_bytes(b"not an image at all")
    assert read_infotext(str(tmp_path / "x.png")) is None
    assert read_infotext(str(tmp_path / "missing.png")) is None


def test_hostile_files_give_none(tmp_path):
    good = open(_png(tmp_path / "a.png", INFO), "rb").read()
    (tmp_path / "cut.png").write_bytes(good[: good.index(b"tEXt") + 20])  # truncated
    assert read_infotext(str(tmp_path / "cut.png")) is None
    # a zTXt "parameters" that inflates past the limit (a bomb): refused, not expanded
    Image.new("RGB", (8, 8)).save(tmp_path / "plain.png")
    good = open(tmp_path / "plain.png", "rb").read()
    bomb = zlib.compress(b"A" * (MAX_TEXT * 4), 9)
    body = b"parameters\0\0" + bomb
    chunk = struct.pack(">I", len(body)) + b"zTXt" + body + struct.pack(">I", zlib.crc32(b"zTXt" + body))
    start = good.index(b"IDAT") - 4
    (tmp_path / "bomb.png").write_bytes(good[:start] + chunk + good[start:])
    assert read_infotext(str(tmp_path / "bomb.png")) is None
    # a chunk that claims 4 GB
    huge = good[:8] + struct.pack(">I", 0xFFFFFFF0) + b"tEXt" + b"parameters\0x"
    (tmp_path / "huge.png").write_bytes(huge)
    assert read_infotext(str(tmp_path / "huge.png")) is None
    # an EXIF whose IFD offsets point outside the block
    jpg = str(tmp_path / "bad.jpg")
    Image.new("RGB", (8, 8)).save(jpg)
    data = open(jpg, "rb").read()
    tiff = b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(">HHII", 0x8769, 4, 1, 99999)
    app1 = b"\xff\xe1" + struct.pack(">H", len(tiff) + 8) + b"Exif\0\0" + tiff
    open(jpg, "wb").write(data[:2] + app1 + data[2:])
    assert read_infotext(jpg) is None
    # undecodable UTF-16 (odd length): None, no exception
    odd = str(tmp_path / "odd.jpg")
    Image.new("RGB", (8, 8)).save(odd, exif=_exif(b"UNICODE\0" + b"\xd8\x00\x00"))
    assert read_infotext(odd) is None
