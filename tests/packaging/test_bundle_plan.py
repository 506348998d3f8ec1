"""The PyInstaller spec's inputs, checked without running a build: every module it names resolves,
every data file it lists exists, the models it stages match the manifest, and nothing the app
imports is excluded."""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import bundle_plan as plan  # noqa: E402
import stage_models  # noqa: E402
from verification.inference.manifest import load_manifest  # noqa: E402
from verification.inference.model_dir import resolve_model_dir  # noqa: E402


def test_hidden_imports_and_entry_resolve() -> None:
    unresolved = [name for name in plan.HIDDEN_IMPORTS if importlib.util.find_spec(name) is None]
    assert unresolved == []
    assert plan.ENTRY.is_file()
    for package in plan.OWN_PACKAGES:
        module = importlib.import_module(package)
        names = [m.name for m in pkgutil.walk_packages(module.__path__, f"{package}.")]
        assert names and all(importlib.util.find_spec(n) is not None for n in names)


def test_every_source_data_file_exists_and_covers_what_the_code_reads() -> None:
    files = plan.source_data()
    missing = [str(src) for src, _ in files if not src.is_file()]
    assert missing == []
    dests = {f"{dest}/{src.name}" for src, dest in files}
    assert "verification/report/report.schema.json" in dests
    assert "verification/store/migrations/env.py" in dests
    versions = sorted((ROOT / "verification/store/migrations/versions").glob("*.py"))
    assert {f"verification/store/migrations/versions/{p.name}" for p in versions} <= dests


def test_staged_models_are_the_manifest_files(tmp_path: Path) -> None:
    fetched = resolve_model_dir(None, os.environ)
    if not (fetched / "retinaface.onnx").is_file():
        pytest.skip(f"models not fetched into {fetched}")
    staged = tmp_path / "staged"
    files = stage_models.stage(staged, fetched)
    manifest = load_manifest()
    assert sorted(files) == sorted(e.file for e in manifest.models)
    dests = {f"{dest}/{src.name}" for src, dest in plan.model_data(staged)}
    for name in (*files, "manifest.toml", "calibration.toml", "THIRD_PARTY.md"):
        assert f"models/{name}" in dests
    assert all(src.is_file() for src, _ in plan.all_data(staged))


def test_staging_refuses_a_model_that_does_not_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fetched = resolve_model_dir(None, os.environ)
    if not (fetched / "iris.onnx").is_file():
        pytest.skip(f"models not fetched into {fetched}")
    bad = tmp_path / "fetched"
    bad.mkdir()
    for entry in load_manifest().models:
        if (fetched / entry.file).is_file():
            (bad / entry.file).write_bytes((fetched / entry.file).read_bytes())
    (bad / "iris.onnx").write_bytes(b"not the iris model")
    assert stage_models.main([str(tmp_path / "out"), "--from", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stage_models: error: model 'iris': size mismatch") and err.count("\n") == 1


def test_nothing_the_app_imports_is_excluded() -> None:
    probe = ("import sys, desktop.app, desktop.self_check, verification.cli, verification.composition, "
             "verification.self_check.parts; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert {"verification", "desktop", "onnxruntime", "PySide6"} <= loaded
    assert loaded & set(plan.EXCLUDES) == set()


def test_specs_hooks_and_scripts_are_well_formed() -> None:
    packaging = ROOT / "packaging"
    for path in [*packaging.glob("*/*.spec"), *packaging.glob("hooks/*.py"), *packaging.glob("*.py")]:
        compile(path.read_text(), str(path), "exec")  # SyntaxError fails the test
    build = (packaging / "build.sh").read_text()
    for spec in ("linux", "windows", "macos"):
        assert f"packaging/{spec}/callshield.spec" in build and (packaging / spec / "callshield.spec").is_file()
    for asset in ("callshield.svg", "callshield.png", "callshield.ico", "callshield.icns"):
        assert (packaging / "assets" / asset).stat().st_size > 0
    assert (packaging / "macos" / "entitlements.plist").is_file()
    mac_spec = (packaging / "macos" / "callshield.spec").read_text()
    for key in ("NSCameraUsageDescription", "NSMicrophoneUsageDescription", "NSScreenCaptureUsageDescription"):
        assert key in mac_spec
    depends = (packaging / "linux" / "deb-depends.txt").read_text().split()
    assert {"libc6", "libgl1", "libegl1", "libportaudio2"} <= set(depends)
