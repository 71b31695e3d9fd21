"""An allow-listed unpickler for torch files that builds shape stubs and never runs file code.

Every global a pickle names goes through ``find_class``; only the names in ``ALLOWED``
resolve, and each resolves to *our* stand-in (a stub class or a pure function), never to
the real torch/numpy object. Tensor storages are persistent ids and become
``StorageStub`` records: no storage byte is read. Limits on the pickle size bound memory.
"""

from __future__ import annotations

import codecs
import pickle
from collections import OrderedDict
from typing import Any, BinaryIO

MAX_PICKLE_BYTES = 8 * 1024 * 1024

# Globals A1111 1.10's safe.py accepts (a file using others is refused by A1111 itself).
A1111_ALLOWED = frozenset(
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_device_tensor_from_numpy",
        "torch.FloatStorage",
        "torch.HalfStorage",
        "torch.IntStorage",
        "torch.LongStorage",
        "torch.DoubleStorage",
        "torch.ByteStorage",
        "torch.BFloat16Storage",
        "torch.float32",
        "torch.nn.modules.container.ParameterDict",
        "numpy.core.multiarray.scalar",
        "numpy.core.multiarray._reconstruct",
        "numpy.dtype",
        "numpy.ndarray",
        "_codecs.encode",
        "__builtin__.set",
        "builtins.set",
        "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
    }
)

STORAGE_BYTES = {
    "FloatStorage": 4,
    "HalfStorage": 2,
    "BFloat16Storage": 2,
    "DoubleStorage": 8,
    "LongStorage": 8,
    "IntStorage": 4,
    "ShortStorage": 2,
    "CharStorage": 1,
    "ByteStorage": 1,
    "BoolStorage": 1,
}


class ForbiddenGlobal(pickle.UnpicklingError):
    """The pickle asked for a global outside the allow-list."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class StorageType:
    """Stand-in for ``torch.<X>Storage`` classes: only the name and element size."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.itemsize = STORAGE_BYTES.get(name, 1)


class StorageStub:
    """A storage reference from a persistent id; its bytes stay on disk."""

    def __init__(self, storage_type: Any, key: str, numel: int | None) -> None:
        self.storage_type = storage_type
        self.key = str(key)
        self.numel = numel if isinstance(numel, int) else None
        self.views = False

    @property
    def itemsize(self) -> int:
        return getattr(self.storage_type, "itemsize", 1)


class TensorStub:
    """What a tensor is: its shape, and where its elements lie in its storage (offset and
    stride, in elements; the converter and the vector hash read them, the scan does not)."""

    def __init__(self, storage: Any, shape: Any, offset: Any = 0, stride: Any = None) -> None:
        self.storage = storage if isinstance(storage, StorageStub) else None
        try:
            self.shape = tuple(int(n) for n in shape)
        except (TypeError, ValueError):
            self.shape = ()
        self.offset = offset if isinstance(offset, int) else None
        self.stride = stride if isinstance(stride, tuple) else None


class Stub:
    """A harmless object for allow-listed classes (ParameterDict, numpy arrays, Lightning)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, dict):
            self.__dict__.update({k: v for k, v in state.items() if isinstance(k, str)})
        else:
            self.state = state


class ParameterDictStub(Stub):
    """``torch.nn.ParameterDict``: entries live in ``_parameters`` after BUILD."""


class NumpyDtype(Stub):
    """``numpy.dtype(str, ...)``: we keep the type string to decode scalars."""

    def __init__(self, kind: Any = "", *args: Any) -> None:
        super().__init__(kind, *args)
        self.kind = str(kind)


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any = None, *rest: Any) -> TensorStub:
    return TensorStub(storage, size, offset, stride)


def _rebuild_parameter(data: Any, *rest: Any) -> Any:
    return data


def _rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
    return func(*args) if callable(func) and isinstance(args, tuple) else None


def _numpy_scalar(dtype: Any, data: Any = None) -> Any:
    kind = getattr(dtype, "kind", "")
    if isinstance(data, bytes) and kind[:1] in ("i", "u") and len(data) <= 8:
        return int.from_bytes(data, "little", signed=kind.startswith("i"))
    return None


def _reconstruct(*args: Any) -> Stub:
    return Stub()


def _codecs_encode(obj: Any, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1", "utf-8"):
        raise pickle.UnpicklingError("unexpected _codecs.encode call")
    return codecs.encode(obj, encoding, errors)


def _set(items: Any = ()) -> set:
    return set(items) if isinstance(items, (list, tuple)) else set()


def _storage_types() -> dict[str, Any]:
    return {f"torch.{name}": StorageType(name) for name in STORAGE_BYTES}


ALLOWED: dict[str, Any] = {
    "collections.OrderedDict": OrderedDict,
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.nn.modules.container.ParameterDict": ParameterDictStub,
    "torch.nn.parameter.Parameter": Stub,
    "torch.Tensor": Stub,
    "torch.Size": tuple,
    "numpy.core.multiarray.scalar": _numpy_scalar,
    "numpy._core.multiarray.scalar": _numpy_scalar,
    "numpy.core.multiarray._reconstruct": _reconstruct,
    "numpy._core.multiarray._reconstruct": _reconstruct,
    "numpy.dtype": NumpyDtype,
    "numpy.ndarray": Stub,
    "_codecs.encode": _codecs_encode,
    "__builtin__.set": _set,
    "builtins.set": _set,
    "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint": Stub,
    **_storage_types(),
    **{f"torch.{t}": StorageType(t) for t in ("float32", "float16", "bfloat16", "float64")},
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler whose globals come only from ``ALLOWED``; records every name it resolved."""

    def __init__(self, stream: BinaryIO, storages: dict[str, StorageStub] | None = None) -> None:
        super().__init__(stream, encoding="latin1")
        self.globals_used: set[str] = set()
        self.storages = storages if storages is not None else {}

    def find_class(self, module: str, name: str) -> Any:
        full = f"{module}.{name}"
        if full not in ALLOWED:
            raise ForbiddenGlobal(full)
        self.globals_used.add(full)
        return ALLOWED[full]

    def persistent_load(self, pid: Any) -> Any:
        # zip format: ('storage', type, key, location, numel)
        # legacy format: ('storage', type, root_key, location, numel, view_metadata),
        # and ('module', class, source_file, source) for nn.Module classes, whose class
        # was itself resolved through find_class.
        if isinstance(pid, tuple) and len(pid) == 4 and pid[0] == "module":
            return pid[1]
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise pickle.UnpicklingError("unsupported persistent id")
        key = str(pid[2])
        stub = self.storages.get(key)
        if stub is None:
            stub = StorageStub(pid[1], key, pid[4])
            self.storages[key] = stub
        if len(pid) > 5 and pid[5] is not None:
            stub.views = True  # very old torch: a view into the storage (not converted)
        return stub
