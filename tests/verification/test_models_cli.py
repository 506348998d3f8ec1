"""`callshield models ...` through verification.cli.main: exit codes and output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from verification.cli import main
from verification.inference.model_dir import ENV_VAR

from .models_support import real_model_dir, tiny_add_model, tiny_manifest, write_manifest_toml


@pytest.fixture
def tiny_setup(tmp_path: Path) -> tuple[Path, Path]:
    """A two-model manifest file and an empty model dir."""
    manifest = tiny_manifest(tmp_path, {"one": tiny_add_model(1.0), "two": tiny_add_model(2.0)})
    manifest_path = tmp_path / "manifest.toml"
    write_manifest_toml(manifest_path, manifest)
    return manifest_path, tmp_path / "models"


def test_verify_exit_codes(tiny_setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    manifest_path, model_dir = tiny_setup
    args = ["--model-dir", str(model_dir), "models", "verify", "--manifest", str(manifest_path)]
    assert main(args) == 1  # nothing fetched yet
    assert "model 'one': file missing" in capsys.readouterr().err

    assert main(["--model-dir", str(model_dir), "models", "fetch", "--manifest", str(manifest_path)]) == 0
    capsys.readouterr()
    assert main(args) == 0

    data = bytearray((model_dir / "two.onnx").read_bytes())
    data[10] ^= 0xFF
    (model_dir / "two.onnx").write_bytes(bytes(data))
    (model_dir / "extra.onnx").write_bytes(b"x")
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "model 'two': sha256 mismatch in" in captured.err
    assert "model 'one'" not in captured.err
    assert "unknown  extra.onnx" in captured.out


def test_malformed_manifest_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "manifest.toml"
    bad.write_text("manifest_version = 1\n[[models]]\nid = 'x'\n")
    assert main(["models", "verify", "--manifest", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callshield: error: malformed model manifest") and err.count("\n") == 1


def test_list_json_is_the_ai_bom(tiny_setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    manifest_path, model_dir = tiny_setup
    model_dir.mkdir()
    shutil.copy(manifest_path.parent / "src" / "one.onnx", model_dir / "one.onnx")
    assert main(["--model-dir", str(model_dir), "models", "list", "--json", "--manifest", str(manifest_path)]) == 0
    bom = json.loads(capsys.readouterr().out)
    assert bom["schema"] == "callshield.aibom/1"
    by_id = {m["id"]: m for m in bom["models"]}
    assert by_id["one"]["present"] and by_id["one"]["valid"]
    assert not by_id["two"]["present"] and not by_id["two"]["valid"]
    assert set(by_id["one"]) >= {"id", "file", "sha256", "size", "source", "license", "attribution"}
    # the shipped score calibration is part of what decides a verdict, so it is listed with its version
    assert bom["calibration"]["version"] >= 1
    assert bom["calibration"]["detectors"]["voice_synthetic"]["a"] > 0


def test_path_follows_option_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env"))
    assert main(["models", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "from-env")
    assert main(["--model-dir", str(tmp_path / "from-cli"), "models", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "from-cli")


def test_models_without_subcommand_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 2


def test_verify_real_model_dir(capsys: pytest.CaptureFixture[str]) -> None:
    model_dir = real_model_dir()
    assert main(["--model-dir", str(model_dir), "models", "verify"]) == 0
    assert main(["--model-dir", str(model_dir), "models", "list"]) == 0
