"""`callshield-desktop --self-check`: the engine parts, then the real main window shown and closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.app import main
from verification.inference.model_dir import resolve_model_dir


def test_desktop_self_check_shows_and_closes_the_window(capsys: pytest.CaptureFixture[str]) -> None:
    models = resolve_model_dir(None, {})
    if not (models / "retinaface.onnx").is_file():
        pytest.skip(f"models not fetched into {models}")
    code = main(["--self-check", "--model-dir", str(models)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert any(line.startswith("ok  window    main window shown and closed") for line in out.splitlines()), out


def test_desktop_self_check_names_the_broken_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "no-models"
    empty.mkdir()
    assert main(["--self-check", "--model-dir", str(empty)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("callshield-desktop: self-check failed: models: model ") and err.count("\n") == 1
