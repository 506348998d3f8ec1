"""The bill of materials from a crafted bundle-contents list: installed packages with their versions
and licences, the models with their sha256, and the licence gate on what is really installed."""

from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import sbom  # noqa: E402
import stage_models  # noqa: E402
from verification.inference.manifest import load_manifest  # noqa: E402
from verification.inference.model_dir import resolve_model_dir  # noqa: E402


@pytest.fixture
def staged(tmp_path: Path) -> Path:
    fetched = resolve_model_dir(None, os.environ)
    if not (fetched / "retinaface.onnx").is_file():
        pytest.skip(f"models not fetched into {fetched}")
    stage_models.stage(tmp_path / "models", fetched)
    return tmp_path / "models"


CONTENTS = {
    "modules": ["numpy", "numpy.linalg", "verification.cli", "desktop.app", "sqlalchemy.orm", "json"],
    "binaries": ["PySide6/Qt/lib/libQt6Core.so.6", "onnxruntime/capi/libonnxruntime.so.1", "libpython3.11.so.1.0"],
    "datas": ["models/manifest.toml", "verification/report/report.schema.json"],
}


def test_sbom_lists_bundled_packages_and_models(staged: Path, tmp_path: Path) -> None:
    out = tmp_path / "bom.json"
    contents = tmp_path / "contents.json"
    contents.write_text(json.dumps(CONTENTS))
    code = sbom.main(["--contents", str(contents), "--models", str(staged), "--version", "0.1.0", "--out", str(out)])
    assert code == 0
    bom = json.loads(out.read_text())
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5"
    assert bom["metadata"]["component"]["name"] == "callshield"
    by_name = {c["name"].lower(): c for c in bom["components"]}
    assert by_name["numpy"]["version"] == metadata.version("numpy")
    assert by_name["numpy"]["purl"] == f"pkg:pypi/numpy@{metadata.version('numpy')}"
    assert "pyside6_essentials" in by_name and "onnxruntime" in by_name and "sqlalchemy" in by_name
    assert by_name["pyside6_essentials"]["licenses"] == [{"expression": "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"}]
    assert "callshield" not in by_name  # the app itself is the metadata component
    models = {c["name"]: c for c in bom["components"] if c["type"] == "machine-learning-model"}
    manifest = load_manifest()
    assert set(models) == set(manifest.ids)
    for entry in manifest.models:
        assert models[entry.id]["hashes"] == [{"alg": "SHA-256", "content": entry.sha256}]
        assert models[entry.id]["licenses"] == [{"license": {"name": entry.license}}]


def test_licences_come_from_expression_field_or_classifiers() -> None:
    assert sbom.distribution_licences(metadata.distribution("cryptography")) == ("Apache-2.0 OR BSD-3-Clause",)
    assert sbom.distribution_licences(metadata.distribution("mss")) == ("MIT License",)  # long text: classifier
