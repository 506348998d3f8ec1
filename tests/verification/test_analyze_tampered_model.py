"""A tampered face model is refused; analysis goes on and says why video detectors cannot judge."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.media import write_clip
from verification.cli import main
from verification.inference.model_dir import resolve_model_dir
from verification.report.schema import validate_report


@pytest.fixture
def tampered_model_dir(tmp_path: Path) -> Path:
    source = resolve_model_dir(None, os.environ)
    if not (source / "retinaface.onnx").is_file():
        pytest.skip(f"models not fetched into {source}: run `callshield models fetch`")
    target = tmp_path / "models"
    shutil.copytree(source, target)
    model = target / "retinaface.onnx"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit
    model.write_bytes(bytes(data))
    return target


def test_tampered_detector_model_refused_and_reported(tampered_model_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    clip = write_clip(tmp_path / "call.mp4", seconds=1.0)
    out = tmp_path / "r.json"
    code = main(["--model-dir", str(tampered_model_dir), "analyze", str(clip), "--json", str(out), "--quiet"])
    assert code == 0  # the recording itself was fine
    err = capsys.readouterr().err
    assert "face tracking disabled" in err and "retinaface" in err and "sha256" in err
    report = json.loads(out.read_text())
    validate_report(report)
    assert report["faces"] == []
    for det_id in ("pulse", "blink", "face_synthetic", "av_sync", "replay"):
        assert report["detectors"][det_id]["reason"].startswith("face tracking unavailable: ")
        assert "retinaface" in report["detectors"][det_id]["reason"]
    assert all(m["id"] != "retinaface" for m in report["models"])  # never loaded
    assert main(["--model-dir", str(tampered_model_dir), "models", "verify"]) != 0
