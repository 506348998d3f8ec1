"""A model file replaced on disk while the app runs, by a working model of the same size (the attack a
bit-flip test does not cover: the new graph loads and runs fine). The app keeps one ModelLoader for its
lifetime (desktop EngineFactory) and loads models lazily, so the next load is where the check must bite:
refused, naming the model and the file. A session already built keeps running on the bytes that were
verified, never on what is on disk now."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from verification.errors import ModelError
from verification.inference.loader import ModelLoader

from .models_support import tiny_add_model, tiny_manifest


@pytest.fixture
def installed(tmp_path: Path) -> tuple[ModelLoader, Path]:
    manifest = tiny_manifest(tmp_path, {"face": tiny_add_model(1.0), "voice": tiny_add_model(3.0)})
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    for name in ("face", "voice"):
        shutil.copy(tmp_path / "src" / f"{name}.onnx", model_dir / f"{name}.onnx")
    return ModelLoader(manifest, model_dir, ["cpu"], threads=1), model_dir


def _swap(path: Path, data: bytes) -> None:
    """Replace the file the way an installer or attacker would: write aside, rename over."""
    aside = path.with_suffix(".new")
    aside.write_bytes(data)
    aside.replace(path)


def _run(loader: ModelLoader, model_id: str) -> float:
    (out,) = loader.load(model_id).session.run(None, {"x": np.zeros((1, 4), np.float32)})
    return float(out[0, 0])


def test_a_model_swapped_while_running_is_refused_at_next_load(installed: tuple[ModelLoader, Path],
                                                               tmp_path: Path) -> None:
    loader, model_dir = installed
    assert _run(loader, "face") == 1.0
    evil = tiny_add_model(7.0)
    assert len(evil) == (model_dir / "voice.onnx").stat().st_size  # same size: only the hash can tell
    running = threading.Event()
    outputs: list[float] = []

    def keep_calling() -> None:  # the live call goes on while the files change
        while not running.is_set():
            outputs.append(_run(loader, "face"))

    worker = threading.Thread(target=keep_calling)
    worker.start()
    try:
        _swap(model_dir / "voice.onnx", evil)
        _swap(model_dir / "face.onnx", evil)
        with pytest.raises(ModelError) as refused:
            loader.load("voice")  # first use of this model, after the swap
    finally:
        running.set()
        worker.join(10)
    message = str(refused.value)
    assert "model 'voice'" in message and "voice.onnx" in message and "sha256 mismatch" in message
    assert "\n" not in message
    assert outputs and set(outputs) == {1.0}  # the running session never picked up the swapped bytes
    with pytest.raises(ModelError, match=r"model 'face': sha256 mismatch in .*face\.onnx"):
        ModelLoader(loader.manifest, model_dir, ["cpu"], threads=1).load("face")  # next start of the app
    assert loader.loaded() == [{"id": "face", "sha256": loader.manifest.entry("face").sha256,
                                "provider": "CPUExecutionProvider"}]  # nothing unverified was recorded


def test_putting_the_genuine_file_back_loads_again(installed: tuple[ModelLoader, Path], tmp_path: Path) -> None:
    loader, model_dir = installed
    genuine = (model_dir / "voice.onnx").read_bytes()
    _swap(model_dir / "voice.onnx", tiny_add_model(7.0))
    with pytest.raises(ModelError):
        loader.load("voice")
    _swap(model_dir / "voice.onnx", genuine)
    assert _run(loader, "voice") == 3.0  # a refusal is not cached: fixing the file is enough
