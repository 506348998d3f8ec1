"""AI bill of materials: every model the app may run, where it came from, and whether it is here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verification.fusion.calibration import CalibrationSet
from verification.inference.manifest import Manifest, ModelEntry, PackageSource
from verification.inference.verify import ModelStatus, verify_all

BOM_SCHEMA = "callshield.aibom/1"


def _source(entry: ModelEntry) -> dict[str, Any]:
    source = entry.source
    if isinstance(source, PackageSource):
        described: dict[str, Any] = {
            "kind": "package",
            "requirement": source.requirement,
            "wheel": source.wheel,
            "wheel_sha256": source.wheel_sha256,
            "path": source.path,
        }
        if source.symbol is not None:
            described["symbol"] = source.symbol
    else:
        described = {"kind": "project", "path": source.path, "training_command": source.training_command}
    if entry.conversion is not None:
        described["conversion"] = {
            "tool": f"{entry.conversion.tool}=={entry.conversion.version}",
            "input_sha256": entry.conversion.input_sha256,
        }
    return described


def _item(entry: ModelEntry, status: ModelStatus) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id,
        "file": entry.file,
        "format": entry.format,
        "sha256": entry.sha256,
        "size": entry.size,
        "description": entry.description,
        "source": _source(entry),
        "license": entry.license,
        "attribution": entry.attribution,
        "present": status.present,
        "valid": status.valid,
    }
    if entry.bundle is not None:
        item["bundle"] = {"id": entry.bundle.id, "name": entry.bundle.name}
    return item


def _calibration(calibration: CalibrationSet) -> dict[str, Any]:
    """The score calibration in force (models/calibration.toml): part of what decides a verdict."""
    return {"version": calibration.version,
            "detectors": {det: {"a": cal.a, "b": cal.b, "fitted_on": cal.fitted_on}
                          for det, cal in sorted(calibration.by_detector.items())}}


def build_bom(manifest: Manifest, model_dir: Path, calibration: CalibrationSet | None = None) -> dict[str, Any]:
    """JSON-ready dict; `present`/`valid` reflect the files in `model_dir` right now."""
    statuses = verify_all(manifest, model_dir)
    bom: dict[str, Any] = {
        "schema": BOM_SCHEMA,
        "model_dir": str(model_dir),
        "models": [_item(entry, status) for entry, status in zip(manifest.models, statuses, strict=True)],
    }
    if calibration is not None:
        bom["calibration"] = _calibration(calibration)
    return bom
