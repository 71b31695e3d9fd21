"""Format readers on real files: every format, every broken case, each with its sentence."""

from __future__ import annotations

import os
import re
import shutil
import struct
from pathlib import Path

import factories as f
import pytest
from support import fixture_path

from embedding_deck.formats import NotAnEmbedding, read_file


def read(path) -> object:
    path = str(path)
    return read_file(path, os.path.getsize(path))


@pytest.mark.parametrize(
    ("shapes", "dim", "vectors"),
    [
        ({"emb_params": (8, 768)}, 768, 8),  # kohya
        ({"<token>": (768,)}, 768, 1),  # diffusers 1-D
        ({"emb_params": (16, 1024)}, 1024, 16),  # SD2
        ({"clip_g": (4, 1280), "clip_l": (4, 768)}, 2048, 4),  # SDXL
        ({"emb_params": (3, 1280)}, 1280, 3),  # unknown width
    ],
)
def test_safetensors_shapes(tmp_path, shapes, dim, vectors):
    parsed = read(f.write_safetensors(str(tmp_path / "x.safetensors"), shapes))
    assert parsed.error is None
    assert (parsed.format, parsed.dim, parsed.vectors) == ("safetensors", dim, vectors)


@pytest.mark.parametrize(
    ("name", "fmt", "dim", "vectors", "step"),
    [
        ("trainer_zip_sd1.pt", "pt-zip", 768, 8, 500),
        ("trainer_legacy_sd2.pt", "pt-legacy", 1024, 4, 1200),
        ("paramdict_legacy.pt", "pt-legacy", 768, 2, 500),
        ("old_torch_zip.pt", "pt-zip", 768, 6, 500),
        ("ng_deepnegative_75.pt", "pt-zip", 768, 75, 5000),
        ("diffusers_1d.bin", "pt-zip", 768, 1, None),
        ("diffusers_2d_sd2.bin", "pt-zip", 1024, 1, None),
        ("sdxl_dict.pt", "pt-zip", 2048, 4, None),
    ],
)
def test_torch_fixtures(name, fmt, dim, vectors, step):
    parsed = read(fixture_path(name))
    assert parsed.error is None, parsed.error
    assert (parsed.format, parsed.dim, parsed.vectors, parsed.step) == (fmt, dim, vectors, step)


def test_trainer_fields():
    parsed = read(fixture_path("trainer_zip_sd1.pt"))
    assert parsed.checkpoint == "v1-5-pruned-emaonly"
    assert parsed.checkpoint_hash == "e1441589a6"
    assert parsed.internal_name == "trainer_zip_sd1"


def test_new_torch_zip_warns_that_a1111_refuses_it():
    warning = " ".join(read(fixture_path("trainer_zip_sd1.pt")).warnings)
    assert "A1111 1.10 refuses" in warning and ".format_version" in warning
    assert read(fixture_path("old_torch_zip.pt")).warnings == []


def test_png_text_chunk(tmp_path):
    parsed = read(f.write_png_text(str(tmp_path / "e.png"), f.json_payload(8, name="rick-60")))
    assert (parsed.format, parsed.dim, parsed.vectors, parsed.step) == ("png-text", 768, 8, 60)
    assert parsed.internal_name == "rick-60" and parsed.is_image


def test_png_content_under_another_image_extension(tmp_path):
    """Pillow opens by content, so the WebUI reads the chunk of a PNG named .webp."""
    png = f.write_png_text(str(tmp_path / "renamed.png"), f.json_payload(3, name="r"))
    os.rename(png, tmp_path / "renamed.webp")
    parsed = read(tmp_path / "renamed.webp")
    assert (parsed.error, parsed.format, parsed.vectors, parsed.internal_name) == (None, "png-text", 3, "r")


@pytest.mark.parametrize(("ext", "fmt"), [(".png", "PNG"), (".webp", "WEBP")])
def test_pixel_encoded_image(tmp_path, ext, fmt):
    path = f.write_pixel_embedding(str(tmp_path / f"e{ext}"), f.json_payload(5, 1024), fmt)
    parsed = read(path)
    assert parsed.error is None, parsed.error
    assert (parsed.dim, parsed.vectors, parsed.internal_name) == (1024, 5, "rick")


def test_plain_picture_is_not_an_embedding(tmp_path):
    path = str(tmp_path / "preview.png")
    f.picture().save(path)
    with pytest.raises(NotAnEmbedding):
        read(path)


def test_lossy_reencode_of_pixel_embedding_is_an_error(tmp_path):
    canvas = f.pixel_canvas(f.json_payload(4))
    path = str(tmp_path / "lossy.webp")
    canvas.save(path, "WEBP", quality=60)
    parsed_or_plain = None
    try:
        parsed_or_plain = read(path)
    except NotAnEmbedding:
        return  # lossy noise can also erase the black separators: then it is a plain picture
    assert parsed_or_plain.error is not None


def _write(path, data: bytes) -> str:
    with open(path, "wb") as fh:
        fh.write(data)
    return str(path)


def test_broken_cases(tmp_path):
    good = f.write_safetensors(str(tmp_path / "good.safetensors"), {"emb_params": (8, 768)})
    raw = Path(good).read_bytes()
    cases = {
        "empty.pt": (b"", "empty"),
        "truncated.safetensors": (raw[: len(raw) - 100], "truncated"),
        "random.safetensors": (os.urandom(4000), "safetensors"),
        "random.pt": (os.urandom(4000), "Not a torch file"),
        "absurd.safetensors": (struct.pack("<Q", 2**62) + b"{}", "claims"),
        "notjson.safetensors": (struct.pack("<Q", 4) + b"nope", "not valid JSON"),
        "random.png": (b"\x89PNG\r\n\x1a\n" + os.urandom(200), "damaged"),
    }
    for name, (data, needle) in cases.items():
        parsed = read(_write(tmp_path / name, data))
        assert parsed.error and needle in parsed.error, (name, parsed.error)


def test_truncated_torch_zip(tmp_path):
    raw = Path(fixture_path("trainer_zip_sd1.pt")).read_bytes()
    parsed = read(_write(tmp_path / "cut.pt", raw[:2000]))
    assert "damaged or truncated" in parsed.error


def test_truncated_legacy_torch(tmp_path):
    raw = Path(fixture_path("trainer_legacy_sd2.pt")).read_bytes()
    parsed = read(_write(tmp_path / "cut.pt", raw[: len(raw) - 500]))
    assert "truncated" in parsed.error


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("not_embedding.pt", "Not an embedding: a dict with keys 'epoch'"),
        ("a_list.pt", "holds a list"),
        ("two_tensors.pt", "holds 2 entries"),
    ],
)
def test_not_an_embedding(name, needle):
    assert needle in read(fixture_path(name)).error


@pytest.mark.parametrize("name", ["evil_system.pt", "evil_eval_legacy.pt", "evil_exec_nested.pt"])
def test_malicious_pickle_never_runs(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    parsed = read(fixture_path(name))
    assert parsed.error.startswith("Refused: the file asks to run")
    assert not os.path.exists(tmp_path / "edeck_canary_pwned")


def test_directory_named_like_a_file(tmp_path):
    (tmp_path / "x.pt").mkdir()
    parsed = read_file(str(tmp_path / "x.pt"), 4096)
    assert "folder" in parsed.error


def test_vanished_file(tmp_path):
    path = f.write_safetensors(str(tmp_path / "gone.safetensors"), {"e": (1, 768)})
    size = os.path.getsize(path)
    os.unlink(path)
    assert "disappeared" in read_file(path, size).error


def test_reader_reads_no_tensor_bytes(tmp_path):
    """Shapes come from headers: zeroing every tensor byte changes nothing we report."""
    src = fixture_path("trainer_legacy_sd2.pt")
    dst = shutil.copy(src, tmp_path / "copy.pt")
    raw = bytearray(Path(dst).read_bytes())
    raw[-4 * 1024 * 4 :] = bytes(4 * 1024 * 4)
    _write(dst, bytes(raw))
    assert read(dst).vectors == 4


def _tensor_ranges(path: str) -> list[tuple[int, int]]:
    """Where the tensor bytes of a safetensors file or a torch zip lie (start, end)."""
    raw = Path(path).read_bytes()
    if path.endswith(".safetensors"):
        return [(8 + struct.unpack_from("<Q", raw)[0], len(raw))]
    import zipfile

    ranges = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if "/data/" in info.filename:
                name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
                start = info.header_offset + 30 + name_len + extra_len
                ranges.append((start, start + info.compress_size))
    return ranges


def _recorded_reads(monkeypatch) -> list[tuple[int, int]]:
    from embedding_deck.formats import pread

    calls: list[tuple[int, int]] = []
    real = pread._pread

    def recorded(fd: int, n: int, offset: int) -> bytes:
        data = real(fd, n, offset)
        calls.append((offset, offset + len(data)))
        return data

    monkeypatch.setattr(pread, "_pread", recorded)
    return calls


@pytest.mark.parametrize(
    "name", ["ng_deepnegative_75.pt", "trainer_zip_sd1.pt", "diffusers_1d.bin", "sdxl.safetensors"]
)
def test_no_tensor_byte_is_read(tmp_path, monkeypatch, name):
    """Safetensors and torch zips: no read touches a tensor's bytes (checked read by read)."""
    if name == "sdxl.safetensors":
        src = f.write_safetensors(str(tmp_path / name), {"clip_g": (75, 1280), "clip_l": (75, 768)})
    else:
        src = fixture_path(name)
    tensors = _tensor_ranges(src)
    assert tensors and all(end > start for start, end in tensors)
    reads = _recorded_reads(monkeypatch)
    parsed = read(src)
    assert parsed.error is None, parsed.error
    assert reads
    for r_start, r_end in reads:
        for t_start, t_end in tensors:
            assert r_end <= t_start or r_start >= t_end, ((r_start, r_end), (t_start, t_end))


def test_legacy_reads_are_bounded(monkeypatch):
    """Legacy files have no lengths to go by: their pickles are streamed from one 4 KB block,
    then only each storage's 8-byte count is read — never the data, whatever its size."""
    from embedding_deck.formats.pread import HEAD_BYTES
    from embedding_deck.formats.torch_pickle import LEGACY_BLOCK

    src = fixture_path("trainer_legacy_sd2.pt")
    reads = _recorded_reads(monkeypatch)
    assert read(src).error is None
    assert sum(end - start for start, end in reads) <= HEAD_BYTES + LEGACY_BLOCK + 8 * 4
    assert os.path.getsize(src) > 3 * LEGACY_BLOCK


def test_zip_with_comment_uses_the_general_reader(tmp_path):
    import zipfile

    src = fixture_path("trainer_zip_sd1.pt")
    dst = str(tmp_path / "commented.pt")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.comment = b"re-zipped by a tool"
    parsed = read(dst)
    assert (parsed.error, parsed.vectors, parsed.dim) == (None, 8, 768)


def test_safetensors_long_header(tmp_path):
    """A header with long metadata (kohya writes tag frequencies) is read in full."""
    meta = {"name": "long-meta", "ss_tag_frequency": "x" * 12_000}
    path = f.write_safetensors(str(tmp_path / "meta.safetensors"), {"emb_params": (2, 768)}, meta)
    parsed = read(path)
    assert (parsed.error, parsed.vectors, parsed.internal_name) == (None, 2, "long-meta")
    raw = Path(path).read_bytes()
    assert "truncated" in read(_write(tmp_path / "cut.safetensors", raw[:5000])).error


def _rezip(src: str, dst: str, extra_members: int = 0, extra_field: bytes = b"") -> str:
    """Copy a torch zip member by member (stored), optionally padding it out."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        prefix = zin.namelist()[0].split("/")[0]
        for info in zin.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.extra = extra_field
            zout.writestr(copy, zin.read(info))
        for i in range(extra_members):
            zout.writestr(f"{prefix}/data/{1000 + i}", b"\0" * 4)
    return dst


def test_zip_with_a_long_directory(tmp_path):
    """An archive with hundreds of members (a directory of several KB) reads the same."""
    dst = _rezip(fixture_path("trainer_zip_sd1.pt"), str(tmp_path / "many.pt"), extra_members=200)
    parsed = read(dst)
    assert (parsed.error, parsed.vectors, parsed.step) == (None, 8, 500)


def test_zip_with_a_long_extra_field(tmp_path):
    """data.pkl is found past a local extra field much longer than torch's padding."""
    extra = struct.pack("<HH", 0xCAFE, 768) + bytes(768)
    dst = _rezip(fixture_path("trainer_zip_sd1.pt"), str(tmp_path / "padded.pt"), extra_field=extra)
    parsed = read(dst)
    assert (parsed.error, parsed.vectors, parsed.dim) == (None, 8, 768)


def test_zip_with_compressed_pickle(tmp_path):
    import zipfile

    src = fixture_path("old_torch_zip.pt")
    dst = str(tmp_path / "deflated.pt")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    parsed = read(dst)
    assert (parsed.error, parsed.vectors) == (None, 6)


def test_without_numpy_only_pixel_embeddings_degrade(tmp_path, monkeypatch):
    import sys

    pixels = f.write_pixel_embedding(str(tmp_path / "px.png"), f.json_payload(2))
    text = f.write_png_text(str(tmp_path / "t.png"), f.json_payload(2))
    st = f.write_safetensors(str(tmp_path / "s.safetensors"), {"e": (1, 768)})
    monkeypatch.setitem(sys.modules, "numpy", None)  # "import numpy" now raises ImportError
    assert "numpy is not installed" in read(pixels).error
    assert read(text).error is None and read(st).error is None


@pytest.mark.parametrize(
    "member",
    [
        "a/data.pkl",
        "a/version",
        "a/byteorder",
        "a/.data/serialization_id",
        "a/data/0",
        "a/data/123",
        "a/.format_version",
        "a/.storage_alignment",
        "data.pkl",
        "a/b/data.pkl",
        "a/data/x",
        "a/data/",
        "/data.pkl",
        "a/data/1/2",
        "a/datazpkl",
    ],
)
def test_a1111_member_rule_matches_its_pattern(member):
    """The fast check agrees with A1111 1.10's own member pattern (kept as the reference)."""
    from embedding_deck.formats.torch_pickle import A1111_ZIP_MEMBER, _a1111_odd

    accepted = bool(re.match(A1111_ZIP_MEMBER, member))
    for _ in range(2):  # the second time from the remembered verdicts
        assert _a1111_odd([member]) == (set() if accepted else {member.partition("/")[2] or member})


def test_without_pread_every_format_reads_the_same(tmp_path, monkeypatch):
    """Windows has no os.pread: the seek + read fallback gives identical results."""
    from embedding_deck.formats import pread

    def outcome(path: str) -> object:
        try:
            parsed = read(path)
        except NotAnEmbedding:
            return "not an embedding"
        return {s: getattr(parsed, s) for s in parsed.__slots__}

    folder = os.path.dirname(fixture_path("trainer_zip_sd1.pt"))
    paths = [os.path.join(folder, n) for n in sorted(os.listdir(folder))]
    meta = {"name": "m", "ss_tag_frequency": "x" * 9000}
    paths += [
        f.write_safetensors(str(tmp_path / "sd1.safetensors"), {"emb_params": (8, 768)}),
        f.write_safetensors(str(tmp_path / "xl.safetensors"), {"clip_g": (4, 1280), "clip_l": (4, 768)}),
        f.write_safetensors(str(tmp_path / "meta.safetensors"), {"e": (2, 768)}, meta),
        f.write_png_text(str(tmp_path / "text.png"), f.json_payload(3)),
        f.write_pixel_embedding(str(tmp_path / "pixels.webp"), f.json_payload(2), "WEBP"),
        _write(tmp_path / "cut.safetensors", Path(tmp_path / "meta.safetensors").read_bytes()[:5000]),
        _write(tmp_path / "noise.pt", os.urandom(5000)),
    ]
    expected = {p: outcome(p) for p in paths}
    assert sum(1 for v in expected.values() if isinstance(v, dict) and v["error"] is None) >= 12
    monkeypatch.setattr(pread, "_pread", pread._seek_read)
    assert {p: outcome(p) for p in paths} == expected
