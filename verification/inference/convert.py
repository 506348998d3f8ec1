"""TFLite -> ONNX conversion whose output is byte-for-byte reproducible, so its sha256 can be pinned.

tflite2onnx collects initializers and value_info in Python sets of tensor objects, so their
order (and the file's bytes) changes from run to run. We sort both by name and serialize
deterministically; the graph itself (node order, values) is already stable.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from verification.errors import ModelError
from verification.inference.graph_rewrite import make_batch_symbolic, replace_prelu
from verification.inference.manifest import Conversion

if TYPE_CHECKING:
    import onnx


def canonical_onnx_bytes(model: onnx.ModelProto) -> bytes:
    graph = model.graph
    for field in (graph.initializer, graph.value_info):
        ordered = sorted((item.__class__.FromString(item.SerializeToString()) for item in field), key=lambda t: t.name)
        del field[:]
        field.extend(ordered)
    return bytes(model.SerializeToString(deterministic=True))


def _require_tool(conversion: Conversion, model_id: str) -> None:
    try:
        installed = importlib.metadata.version(conversion.tool)
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed != conversion.version:
        found = f"found {installed}" if installed else "it is not installed"
        raise ModelError(
            f"model '{model_id}': converting needs {conversion.tool}=={conversion.version} ({found}); "
            f"install it with: pip install {conversion.tool}=={conversion.version}"
        )


def tflite_to_onnx(tflite: bytes, conversion: Conversion, model_id: str) -> bytes:
    _require_tool(conversion, model_id)
    import onnx

    tflite2onnx = importlib.import_module("tflite2onnx")
    with tempfile.TemporaryDirectory(prefix="callshield-convert-") as tmp:
        src = Path(tmp) / "model.tflite"
        dst = Path(tmp) / "model.onnx"
        src.write_bytes(tflite)
        try:
            tflite2onnx.convert(str(src), str(dst))
        except Exception as exc:  # the converter raises assorted types (AssertionError, NotImplementedError)
            raise ModelError(f"model '{model_id}': {conversion.tool} failed: {type(exc).__name__}: {exc}") from None
        model = onnx.load(str(dst))
        if "prelu_to_relu" in conversion.rewrites:
            replace_prelu(model)
        if "symbolic_batch" in conversion.rewrites:
            make_batch_symbolic(model)
        return canonical_onnx_bytes(model)


def convert(data: bytes, conversion: Conversion, model_id: str) -> bytes:
    """Dispatch on the manifest's conversion tool (only one today)."""
    if conversion.tool == "tflite2onnx":
        return tflite_to_onnx(data, conversion, model_id)
    raise ModelError(f"model '{model_id}': unsupported conversion tool '{conversion.tool}'")
