"""`callshield doctor --self-check` on a checkout: real models, a real generated clip, a real SQLite
database and audit record; a broken part fails with one line naming it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from verification.cli import main
from verification.inference.model_dir import resolve_model_dir
from verification.self_check.parts import ENGINE_PARTS, Part, SelfCheckError
from verification.self_check.runner import run_self_check


@pytest.fixture
def fetched_models() -> Path:
    source = resolve_model_dir(None, {})
    if not (source / "retinaface.onnx").is_file():
        pytest.skip(f"models not fetched into {source}: run `callshield models fetch`")
    return source


@pytest.fixture
def model_copy(fetched_models: Path, tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(fetched_models, target)
    return target


def test_self_check_passes_on_a_working_checkout(fetched_models: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    code = main(["--model-dir", str(fetched_models), "doctor", "--self-check"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    for part in ("models", "sessions", "analysis", "database", "audit"):
        assert any(line.startswith(f"ok  {part}") for line in out.splitlines()), out
    assert "8 detectors" in out and "verified" in out
    assert out.splitlines()[-1].startswith("self-check passed")
    assert time.perf_counter() - started < 30


def test_corrupted_model_fails_with_one_line_naming_the_part(model_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    model = model_copy / "speaker_embedder.onnx"
    data = bytearray(model.read_bytes())
    data[len(data) // 3] ^= 0x40  # one flipped bit, same size
    model.write_bytes(bytes(data))
    monkeypatch.setenv("CALLSHIELD_MODEL_DIR", str(model_copy))  # the env var, as an installer would set it
    code = main(["doctor", "--self-check"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("callshield: self-check failed: models: model 'speaker_embedder': sha256 mismatch")
    assert "Traceback" not in out + err


def test_missing_model_fails_before_any_session_is_built(model_copy: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (model_copy / "voice_synthetic.onnx").unlink()
    code = main(["--model-dir", str(model_copy), "doctor", "--self-check"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == f"callshield: self-check failed: models: model 'voice_synthetic': file missing: " \
                          f"{model_copy / 'voice_synthetic.onnx'}"
    assert "sessions" not in out


def test_a_failing_later_part_is_named_and_stops_the_check(fetched_models: Path) -> None:
    said: list[str] = []
    failed: list[str] = []

    def broken_database(_state: object) -> str:
        raise SelfCheckError("cannot open database sqlite:///x.db:\n  disk I/O error")

    parts = (ENGINE_PARTS[0], Part("database", broken_database), ENGINE_PARTS[-1])
    assert run_self_check(parts, fetched_models, said.append, failed.append) == 1
    assert failed == ["self-check failed: database: cannot open database sqlite:///x.db: disk I/O error"]
    assert [line.split()[1] for line in said] == ["models"]


def test_frozen_app_defaults_to_its_bundled_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resolve_model_dir(None, {}) == tmp_path / "models"
    assert resolve_model_dir(None, {"CALLSHIELD_MODEL_DIR": "/elsewhere"}) == Path("/elsewhere")
    monkeypatch.delattr(sys, "frozen")
    assert resolve_model_dir(None, {}) != tmp_path / "models"


def test_preload_checks_every_model_and_names_a_bad_one(model_copy: Path) -> None:
    from verification.composition import build_analyzer
    from verification.inference.manifest import load_manifest
    from verification.pipeline.runner import EngineConfig

    model = model_copy / "voice_synthetic.onnx"
    model.write_bytes(model.read_bytes()[:-1])
    warnings: list[str] = []
    analyzer = build_analyzer(str(model_copy), EngineConfig(), warn=warnings.append, preload=True)
    loaded = {m["id"] for m in analyzer.models.loaded()}
    onnx = {entry.id for entry in load_manifest().models if entry.format == "onnx"}
    assert loaded == onnx - {"voice_synthetic"}
    assert len(warnings) == 1 and "model 'voice_synthetic': size mismatch" in warnings[0]
