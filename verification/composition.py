"""Composition root shared by the CLI and the desktop app: models, face pipeline, detectors."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Sequence

from verification.detectors.registry import build_default_registry
from verification.errors import CallShieldError
from verification.fusion.calibration import load_calibration
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.pipeline.runner import EngineConfig
from verification.analyzer import RecordingAnalyzer


def build_model_loader(model_dir: str | None, providers: Sequence[str] | None = None) -> ModelLoader:
    return ModelLoader(load_manifest(), resolve_model_dir(model_dir, os.environ), provider_preference=providers)


def _warn_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def build_face_pipeline(loader: ModelLoader, warn: Callable[[str], None] = _warn_stderr) -> tuple[Any, str | None]:
    """(face pipeline, None), or (None, reason) with a one-line warning when its models cannot be used."""
    from verification.vision.pipeline import create_face_pipeline

    try:
        return create_face_pipeline(loader), None
    except CallShieldError as exc:
        warn(f"callshield: warning: face tracking disabled: {exc}")
        return None, str(exc)


def preload_models(loader: ModelLoader, warn: Callable[[str], None] = _warn_stderr) -> None:
    """Verify every manifest ONNX model and build its session now rather than at a call's start: an app
    that starts checks all its weights, and a bad file is named before anyone relies on it. A model
    that fails is only warned about; the detectors that need it say they cannot judge."""
    for entry in load_manifest().models:
        if entry.format != "onnx":
            continue  # the speech recogniser's files: verified when the recogniser loads them
        try:
            loader.load(entry.id)
        except CallShieldError as exc:
            warn(f"callshield: warning: {exc}")


def build_analyzer(model_dir: str | None, config: EngineConfig, with_faces: bool = True,
                   providers: Sequence[str] | None = None,
                   warn: Callable[[str], None] = _warn_stderr,
                   loader: ModelLoader | None = None, preload: bool = False) -> RecordingAnalyzer:
    """`loader`: sessions already built (the self-check reuses the ones it just checked);
    `preload`: verify and load every model now (the desktop app at start)."""
    loader = loader if loader is not None else build_model_loader(model_dir, providers)
    if preload:
        preload_models(loader, warn)
    faces, why = build_face_pipeline(loader, warn) if with_faces else (None, "disabled (--no-faces)")
    return RecordingAnalyzer(build_default_registry(), loader, faces, config, face_unavailable=why,
                             calibration=load_calibration())
