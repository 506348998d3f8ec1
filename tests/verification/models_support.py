"""Helpers for the model supply-chain tests: tiny ONNX graphs, fake wheels, small manifests."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from onnx import TensorProto, helper

from verification.inference.manifest import Manifest, PackageSource, load_manifest, parse_manifest
from verification.inference.model_dir import resolve_model_dir


def tiny_add_model(offset: float = 1.0, *, batch: str | int = "batch") -> bytes:
    """y = x + offset, x: [batch, 4] float32 (dynamic batch by default)."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 4])
    const = helper.make_tensor("offset", TensorProto.FLOAT, [1], [offset])
    graph = helper.make_graph([helper.make_node("Add", ["x", "offset"], ["y"])], "tiny", [x], [y], [const])
    model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", 13)])
    model.ir_version = 8  # readable by every onnxruntime the project supports
    return model.SerializeToString()


def tiny_reshape_model() -> bytes:
    """y = reshape(x[4], shape); a zero `shape` fails (allowzero=1), so warm-up needs a real value."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    shape = helper.make_tensor_value_info("shape", TensorProto.INT64, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    node = helper.make_node("Reshape", ["x", "shape"], ["y"], allowzero=1)
    graph = helper.make_graph([node], "reshape", [x, shape], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", 14)])
    model.ir_version = 8
    return model.SerializeToString()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def project_entry(model_id: str, data: bytes, path: str) -> dict[str, Any]:
    return {
        "id": model_id,
        "file": f"{model_id}.onnx",
        "sha256": sha(data),
        "size": len(data),
        "description": "tiny test model",
        "license": "Apache-2.0",
        "attribution": "CallShield tests",
        "source": {"kind": "project", "path": path, "training_command": "none"},
        "inputs": [{"name": "x", "shape": ["batch", 4], "dtype": "float32"}],
        "outputs": [{"name": "y", "shape": ["batch", 4], "dtype": "float32"}],
    }


def package_entry(model_id: str, data: bytes, wheel: str, wheel_sha256: str, member: str) -> dict[str, Any]:
    entry = project_entry(model_id, data, "unused")
    entry["source"] = {
        "kind": "package",
        "package": "fake-models",
        "version": "1.0",
        "wheel": wheel,
        "wheel_sha256": wheel_sha256,
        "path": member,
    }
    return entry


def write_wheel(path: Path, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return sha(path.read_bytes())


def tiny_manifest(tmp_path: Path, models: dict[str, bytes]) -> Manifest:
    """A manifest of project models whose sources lie under tmp_path/src."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    entries = []
    for model_id, data in models.items():
        (src / f"{model_id}.onnx").write_bytes(data)
        entries.append(project_entry(model_id, data, f"src/{model_id}.onnx"))
    return parse_manifest({"manifest_version": 1, "models": entries}, base_dir=tmp_path)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"no TOML form for {v!r}")


def write_manifest_toml(path: Path, manifest: Manifest) -> None:
    """Write a manifest as TOML, e.g. for `--manifest` in CLI tests (handles the manifest's shapes only)."""
    lines = [f"manifest_version = {manifest.manifest_version}"]
    for entry in manifest.models:
        data = entry.model_dump(exclude_none=True)
        lines.append("[[models]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in data.items() if k not in ("source", "inputs", "outputs")]
        lines.append("[models.source]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in data["source"].items()]
        for table in ("inputs", "outputs"):
            for spec in data[table]:
                lines.append(f"[[models.{table}]]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in spec.items()]
    path.write_text("\n".join(lines) + "\n")


def real_model_dir() -> Path:
    """The directory `callshield models fetch` filled; skip the test when it is not there."""
    model_dir = resolve_model_dir(None, os.environ)
    manifest = load_manifest()
    missing = [e.file for e in manifest.models if not (model_dir / e.file).is_file()]
    if missing:
        pytest.skip(
            f"real models not fetched into {model_dir} (missing {', '.join(missing)}): run `callshield models fetch`"
        )
    return model_dir


def real_package_source(manifest: Manifest, model_id: str) -> PackageSource:
    source = manifest.entry(model_id).source
    assert isinstance(source, PackageSource)
    return source
