"""All six video/av detectors through the real engine (`callshield analyze` path) on every real
talking-head recording in the shared data: each reports, and none drives the verdict to high."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.verification.test_video_support import grid_paths, models_loader
from verification.analyzer import RecordingAnalyzer
from verification.detectors import av_sync, blink, challenge, face_synthetic, pulse, replay
from verification.detectors.registry import DetectorRegistry
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest
from verification.pipeline.runner import EngineConfig
from verification.vision.pipeline import create_face_pipeline

MINE = {"pulse": pulse.create, "blink": blink.create, "av_sync": av_sync.create, "replay": replay.create,
        "face_synthetic": face_synthetic.create, "challenge": challenge.create}
FACE_MODEL = Path(__file__).resolve().parents[2] / "models" / "face" / "face_synthetic.onnx"


def _loader(tmp_path: Path) -> ModelLoader:
    """The fetched face models plus the committed face_synthetic model, in one model directory."""
    fetched = models_loader()
    manifest = load_manifest()
    for model_id in ("retinaface", "face_mesh", "iris"):
        entry = manifest.entry(model_id)
        shutil.copy(fetched.model_dir / entry.file, tmp_path / entry.file)
    shutil.copy(FACE_MODEL, tmp_path / manifest.entry("face_synthetic").file)
    return ModelLoader(manifest, tmp_path, threads=2)


@pytest.mark.slow
def test_no_detector_drives_a_real_talking_head_to_high(tmp_path: Path) -> None:
    registry = DetectorRegistry()
    for detector_id, factory in MINE.items():
        registry.register(detector_id, factory)
    loader = _loader(tmp_path)
    analyzer = RecordingAnalyzer(registry, loader, create_face_pipeline(loader), EngineConfig())
    for path in grid_paths():
        report = analyzer.analyze(path)
        assert report["verdict"]["level"] != "high", (path.name, report["verdict"])
        for detector_id in MINE:
            d = report["detectors"][detector_id]
            assert d["status"] in ("ok", "not_applicable"), (path.name, detector_id)
            assert d["status"] == "ok" or d["reason"], (path.name, detector_id)
            assert d["score"] is None or d["score"] < 0.8, (path.name, detector_id, d)
            assert all((w["score"] or 0) < 0.8 for w in d["windows"]), (path.name, detector_id)
        assert report["detectors"]["face_synthetic"]["status"] == "ok", path.name
        assert report["detectors"]["replay"]["status"] == "ok", path.name
        assert report["detectors"]["pulse"]["reason"].startswith("too short"), path.name
        assert report["detectors"]["challenge"]["reason"] == "no challenge was issued"
        assert any(m["id"] == "face_synthetic" for m in report["models"])
