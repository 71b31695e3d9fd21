"""Hostile embedding files: nothing runs, limits hold, every input gives an entry or an error.

Includes a hypothesis fuzz over real files of every format (2,000+ cases in CI): the reader
must return a result or NotAnEmbedding — never raise anything else, never hang.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import time
import zipfile
import zlib

import factories as f
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import fixture_path

from embedding_deck.formats import NotAnEmbedding, read_file
from embedding_deck.formats import restricted_pickle as rp

# CPU seconds of this process (not wall time: a loaded CI machine must not fail these)
PER_FILE_SECONDS = 2.0


def _read(path: str):
    return read_file(path, os.path.getsize(path))


def _zip_with_pickle(path: str, data: bytes) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", data)
        z.writestr("archive/version", "3\n")
    return path


class _Evil:
    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self):
        return (eval, (self.code,))


@pytest.mark.parametrize(
    "payload",
    [
        lambda canary: {"string_to_param": _Evil(f"open({canary!r}, 'w')")},
        lambda canary: [[[[{"x": _Evil(f"open({canary!r}, 'w')")}]]]],
        lambda canary: {"name": __import__("os").system},  # a bare global reference
    ],
)
def test_hand_made_malicious_pickles(tmp_path, payload):
    canary = str(tmp_path / "canary")
    path = _zip_with_pickle(str(tmp_path / "evil.pt"), pickle.dumps(payload(canary), protocol=2))
    parsed = _read(path)
    assert parsed.error.startswith("Refused: the file asks to run")
    assert not os.path.exists(canary)


def test_allow_list_never_resolves_to_real_modules():
    for name, target in rp.ALLOWED.items():
        module = getattr(target, "__module__", "") or ""
        assert not module.startswith(("torch", "numpy", "os", "subprocess")), name


def test_deeply_nested_pickle_is_bounded(tmp_path):
    data = b"\x80\x02" + b"]" * 200_000 + b"."  # 200k nested empty lists opened, never closed
    path = _zip_with_pickle(str(tmp_path / "deep.pt"), data)
    start = time.process_time()
    parsed = _read(path)
    assert parsed.error and time.process_time() - start < PER_FILE_SECONDS


def test_oversized_pickle_refused_without_reading_it(tmp_path):
    path = _zip_with_pickle(str(tmp_path / "big.pt"), b"\x80\x02" + b"N" * (rp.MAX_PICKLE_BYTES + 10) + b".")
    assert "larger than any embedding" in _read(path).error


def _u(text: str) -> bytes:
    raw = text.encode()
    return pickle.BINUNICODE + struct.pack("<I", len(raw)) + raw


def _int(n: int) -> bytes:
    return pickle.BININT + struct.pack("<i", n)


def _absurd_tensor_pickle(rows: int, cols: int) -> bytes:
    """{"emb": torch._utils._rebuild_tensor_v2(<storage 0>, 0, (rows, cols), (cols, 1), False,
    OrderedDict())}, opcode by opcode, as torch.save would write it."""
    persistent_id = (
        pickle.MARK
        + _u("storage")
        + pickle.GLOBAL
        + b"torch\nFloatStorage\n"
        + _u("0")
        + _u("cpu")
        + _int(4)
        + pickle.TUPLE
        + pickle.BINPERSID
    )
    args = (
        pickle.MARK
        + persistent_id
        + _int(0)
        + _int(rows)
        + _int(cols)
        + pickle.TUPLE2
        + _int(cols)
        + _int(1)
        + pickle.TUPLE2
        + pickle.NEWFALSE
        + pickle.GLOBAL
        + b"collections\nOrderedDict\n"
        + pickle.EMPTY_TUPLE
        + pickle.REDUCE
        + pickle.TUPLE
    )
    return (
        pickle.PROTO
        + b"\x02"
        + pickle.EMPTY_DICT
        + _u("emb")
        + pickle.GLOBAL
        + b"torch._utils\n_rebuild_tensor_v2\n"
        + args
        + pickle.REDUCE
        + pickle.SETITEM
        + pickle.STOP
    )


def test_absurd_tensor_shape_refused(tmp_path):
    path = str(tmp_path / "absurd.pt")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", _absurd_tensor_pickle(2_000_000_000, 2_000_000))
        z.writestr("archive/data/0", b"\x00" * 16)
    start = time.process_time()
    parsed = _read(path)
    assert parsed.error and "absurd" in parsed.error, parsed.error
    assert time.process_time() - start < PER_FILE_SECONDS


def test_hand_built_tensor_pickle_is_read(tmp_path):
    """The control for the test above: the same opcodes with a sane shape are an embedding."""
    path = str(tmp_path / "sane.pt")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", _absurd_tensor_pickle(2, 768))
        z.writestr("archive/data/0", b"\x00" * 4 * 2 * 768)
    parsed = _read(path)
    assert (parsed.error, parsed.dim, parsed.vectors) == (None, 768, 2)


def test_png_text_chunk_bomb_refused(tmp_path):
    bomb = zlib.compress(b"A" * (64 * 1024 * 1024), 9)  # 64 MB that compresses to ~64 KB
    body = b"sd-ti-embedding\x00\x00" + bomb
    png = io.BytesIO()
    f.picture(8, 8).save(png, "PNG")
    raw = png.getvalue()
    chunk = struct.pack(">I", len(body)) + b"zTXt" + body + struct.pack(">I", zlib.crc32(b"zTXt" + body))
    path = tmp_path / "bomb.png"
    path.write_bytes(raw[:33] + chunk + raw[33:])
    start = time.process_time()
    parsed = _read(str(path))
    assert "inflates too far" in parsed.error
    assert time.process_time() - start < PER_FILE_SECONDS


def test_pixel_bomb_refused_before_decoding(tmp_path):
    from PIL import Image

    path = str(tmp_path / "huge.png")
    Image.new("1", (10000, 6000)).save(path)  # 60 MP, a few KB on disk
    start = time.process_time()
    assert "pixels" in _read(path).error
    assert time.process_time() - start < PER_FILE_SECONDS


def _seeds(tmp: str) -> dict[str, bytes]:
    paths = {
        "safetensors": f.write_safetensors(os.path.join(tmp, "s.safetensors"), {"emb_params": (2, 768)}),
        "sdxl.safetensors": f.write_safetensors(
            os.path.join(tmp, "x.safetensors"), {"clip_g": (1, 1280), "clip_l": (1, 768)}
        ),
        "zip.pt": fixture_path("old_torch_zip.pt"),
        "legacy.pt": fixture_path("trainer_legacy_sd2.pt"),
        "text.png": f.write_png_text(os.path.join(tmp, "t.png"), f.json_payload(1), f.picture(16, 16)),
        "pixels.png": f.write_pixel_embedding(os.path.join(tmp, "p.png"), f.json_payload(1)),
    }
    out = {}
    for key, path in paths.items():
        with open(path, "rb") as fh:
            out[key] = fh.read()
    return out


SEEDS = _seeds(__import__("tempfile").mkdtemp(prefix="edeck-fuzz-"))


@st.composite
def mutated(draw):
    kind = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[kind])
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "zero"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "zero":
            data[pos : pos + 8] = bytes(len(data[pos : pos + 8]))
    return kind, bytes(data)


@settings(
    max_examples=int(os.environ.get("EDECK_FUZZ_EXAMPLES", "2100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(case=mutated())
def test_fuzzed_real_files_give_an_entry_or_an_error(tmp_path_factory, case):
    kind, data = case
    folder = tmp_path_factory.getbasetemp()
    path = os.path.join(str(folder), "fuzz." + kind.rsplit(".", 1)[-1])
    with open(path, "wb") as fh:
        fh.write(data)
    start = time.process_time()
    try:
        parsed = read_file(path, len(data))
    except NotAnEmbedding:
        parsed = None
    assert time.process_time() - start < PER_FILE_SECONDS
    if parsed is not None:
        assert parsed.error is None or isinstance(parsed.error, str)
        assert parsed.error is not None or parsed.dim is not None
