"""ModelLoader: verifies sha256 before any session exists; refuses unknown, missing, altered files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from verification.errors import ConfigError, ModelError
from verification.inference import loader as loader_module
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest, parse_manifest
from verification.inference.verify import verify_model_file

from .models_support import project_entry, real_model_dir, tiny_add_model, tiny_manifest


@pytest.fixture
def no_sessions(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail the test if the loader tries to build a session; records attempts."""
    attempts: list[object] = []

    def forbidden(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError("a session was created for a model that should have been refused")

    monkeypatch.setattr(loader_module, "create_session", forbidden)
    return attempts


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_loads_caches_and_reports(tmp_path: Path) -> None:
    manifest = tiny_manifest(tmp_path, {"tiny": tiny_add_model(1.0)})
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    shutil.copy(tmp_path / "src" / "tiny.onnx", model_dir / "tiny.onnx")
    models = ModelLoader(manifest, model_dir, ["cpu"], threads=1)
    loaded = models.load("tiny")
    assert models.load("tiny") is loaded
    assert loaded.provider == "CPUExecutionProvider"
    assert loaded.sha256 == manifest.entry("tiny").sha256
    (out,) = loaded.session.run(None, {"x": np.zeros((2, 4), np.float32)})
    assert np.allclose(out, 1.0)
    assert models.loaded() == [{"id": "tiny", "sha256": loaded.sha256, "provider": "CPUExecutionProvider"}]


def test_flipped_byte_in_tiny_model_is_refused(tmp_path: Path, no_sessions: list[object]) -> None:
    manifest = tiny_manifest(tmp_path, {"tiny": tiny_add_model()})
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    shutil.copy(tmp_path / "src" / "tiny.onnx", model_dir / "tiny.onnx")
    _flip_one_byte(model_dir / "tiny.onnx")
    with pytest.raises(ModelError, match=r"model 'tiny': sha256 mismatch in .*tiny\.onnx \(expected [0-9a-f]{64}, got"):
        ModelLoader(manifest, model_dir).load("tiny")
    assert no_sessions == []


def test_flipped_byte_in_real_model_is_refused(tmp_path: Path, no_sessions: list[object]) -> None:
    source_dir = real_model_dir()
    manifest = load_manifest()
    entry = manifest.entry("iris")
    shutil.copy(source_dir / entry.file, tmp_path / entry.file)
    verify_model_file(entry, tmp_path / entry.file)  # the untouched copy is fine
    _flip_one_byte(tmp_path / entry.file)
    models = ModelLoader(manifest, tmp_path)
    with pytest.raises(ModelError) as info:
        models.load("iris")
    message = str(info.value)
    expected = f"model 'iris': sha256 mismatch in {tmp_path / entry.file} (expected {entry.sha256}, got "
    assert message.startswith(expected)
    assert "\n" not in message
    assert no_sessions == [] and models.loaded() == []


def test_unknown_model_and_stray_file_are_refused(tmp_path: Path, no_sessions: list[object]) -> None:
    manifest = tiny_manifest(tmp_path, {"tiny": tiny_add_model()})
    (tmp_path / "stray.onnx").write_bytes(tiny_add_model())  # a valid graph, but not in the manifest
    models = ModelLoader(manifest, tmp_path)
    with pytest.raises(ModelError, match="unknown model 'stray'"):
        models.load("stray")
    assert no_sessions == []


def test_missing_file_is_refused(tmp_path: Path, no_sessions: list[object]) -> None:
    manifest = tiny_manifest(tmp_path, {"tiny": tiny_add_model()})
    with pytest.raises(ModelError, match=r"model 'tiny': file missing: .*run `callshield models fetch`"):
        ModelLoader(manifest, tmp_path / "empty").load("tiny")
    assert no_sessions == []


def test_real_models_load_with_their_manifest_spec() -> None:
    model_dir = real_model_dir()
    manifest = load_manifest()
    models = ModelLoader(manifest, model_dir, ["cpu"])
    graphs = [entry for entry in manifest.models if entry.format == "onnx"]
    for entry in graphs:
        session = models.load(entry.id).session
        for specs, nodes in ((entry.inputs, session.get_inputs()), (entry.outputs, session.get_outputs())):
            assert [s.name for s in specs] == [n.name for n in nodes]
            assert [[d if d is not None else "?" for d in n.shape] for n in nodes] == [s.shape for s in specs]
    assert [m["id"] for m in models.loaded()] == [entry.id for entry in graphs]
    with pytest.raises(ModelError, match="is a ctranslate2 file, not an ONNX graph"):
        models.load("whisper_tiny_en_model")


def test_max_threads_caps_one_models_session(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    entries = []
    for model_id, cap in (("capped", 1), ("free", None)):
        data = tiny_add_model(1.0)
        (tmp_path / "src" / f"{model_id}.onnx").write_bytes(data)
        entries.append(project_entry(model_id, data, f"src/{model_id}.onnx") | ({"max_threads": cap} if cap else {}))
    manifest = parse_manifest({"manifest_version": 1, "models": entries}, base_dir=tmp_path)
    model_dir = tmp_path / "models"
    shutil.copytree(tmp_path / "src", model_dir)
    models = ModelLoader(manifest, model_dir, ["cpu"], threads=2)
    threads = {m: models.load(m).session.get_session_options().intra_op_num_threads for m in ("capped", "free")}
    assert threads == {"capped": 1, "free": 2}
    with pytest.raises(ConfigError, match="max_threads"):
        parse_manifest({"manifest_version": 1, "models": [entries[0] | {"max_threads": 0}]}, base_dir=tmp_path)
