"""sha256 checks of model files against the manifest: a file that does not match is never used."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from verification.errors import ModelError
from verification.inference.manifest import Manifest, ModelEntry

_CHUNK = 1 << 20

ModelState = Literal["ok", "missing", "mismatch"]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_bytes(entry: ModelEntry, data: bytes, where: str) -> None:
    """Raise ModelError unless `data` is exactly the manifest's file; `where` names it in the message."""
    if len(data) != entry.size:
        raise ModelError(f"model '{entry.id}': size mismatch in {where} (expected {entry.size} bytes, got {len(data)})")
    actual = sha256_bytes(data)
    if actual != entry.sha256:
        raise ModelError(f"model '{entry.id}': sha256 mismatch in {where} (expected {entry.sha256}, got {actual})")


def read_verified(entry: ModelEntry, path: Path) -> bytes:
    """Read the file once and check those very bytes, so what is checked is what gets loaded."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"model '{entry.id}': file missing: {path} (run `callshield models fetch`)") from None
    except OSError as exc:
        raise ModelError(f"model '{entry.id}': cannot read {path}: {exc.strerror}") from None
    check_bytes(entry, data, str(path))
    return data


def verify_model_file(entry: ModelEntry, path: Path) -> None:
    read_verified(entry, path)


@dataclass(frozen=True)
class ModelStatus:
    id: str
    path: Path
    state: ModelState
    message: str  # empty when ok

    @property
    def present(self) -> bool:
        return self.state != "missing"

    @property
    def valid(self) -> bool:
        return self.state == "ok"


def model_status(entry: ModelEntry, model_dir: Path) -> ModelStatus:
    path = model_dir / entry.file
    if not path.is_file():
        return ModelStatus(entry.id, path, "missing", f"model '{entry.id}': file missing: {path}")
    try:
        verify_model_file(entry, path)
    except ModelError as exc:
        return ModelStatus(entry.id, path, "mismatch", str(exc))
    return ModelStatus(entry.id, path, "ok", "")


def verify_all(manifest: Manifest, model_dir: Path) -> list[ModelStatus]:
    return [model_status(entry, model_dir) for entry in manifest.models]


def unknown_files(manifest: Manifest, model_dir: Path) -> list[Path]:
    """ONNX files in the model directory that the manifest does not list (never loaded)."""
    if not model_dir.is_dir():
        return []
    known = {entry.file for entry in manifest.models}
    return sorted(p for p in model_dir.glob("*.onnx") if p.name not in known)
