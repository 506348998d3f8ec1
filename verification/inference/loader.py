"""ModelLoader: the only way the engine gets an onnxruntime session for a manifest model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from verification.errors import ModelError
from verification.inference.clock import OnnxClock, TimedSession
from verification.inference.manifest import Manifest, ModelEntry
from verification.inference.providers import choose_providers
from verification.inference.session import create_session, default_threads, resolve_warmup_shape
from verification.inference.verify import read_verified


@dataclass(frozen=True)
class LoadedModel:
    id: str
    path: Path
    sha256: str
    provider: str  # the provider onnxruntime actually put first, e.g. "CPUExecutionProvider"
    session: ort.InferenceSession  # wrapped in a TimedSession: same calls, runs are timed


def manifest_warmup_inputs(entry: ModelEntry) -> dict[str, np.ndarray]:
    """Warm-up tensors for inputs whose manifest spec gives a concrete shape or a non-zero value."""
    feeds: dict[str, np.ndarray] = {}
    for spec in entry.inputs:
        if spec.warmup_shape is None and spec.warmup_value == 0.0:
            continue  # the generic zero tensor from the session's own input spec will do
        shape = spec.warmup_shape if spec.warmup_shape is not None else resolve_warmup_shape(spec.shape)
        feeds[spec.name] = np.full(shape, spec.warmup_value, dtype=np.dtype(spec.dtype))
    return feeds


class ModelLoader:
    """Verifies, then loads, then caches one session per model id for this instance's lifetime."""

    def __init__(
        self,
        manifest: Manifest,
        model_dir: Path,
        provider_preference: Sequence[str] | None = None,
        threads: int | None = None,
        available_providers: Sequence[str] | None = None,
        clock: OnnxClock | None = None,
    ) -> None:
        self._manifest = manifest
        self._model_dir = model_dir
        self._providers = choose_providers(provider_preference, available_providers)
        self._threads = default_threads() if threads is None else threads
        self._loaded: dict[str, LoadedModel] = {}
        #: total time inside ONNX runs of every session this loader made (benchmarks, metrics)
        self.clock = clock if clock is not None else OnnxClock()

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    @property
    def model_dir(self) -> Path:
        return self._model_dir

    @property
    def providers(self) -> list[str]:
        return list(self._providers)

    def load(self, model_id: str) -> LoadedModel:
        cached = self._loaded.get(model_id)
        if cached is not None:
            return cached
        entry = self._manifest.entry(model_id)  # unknown id -> ModelError
        if entry.format != "onnx":
            raise ModelError(f"model '{model_id}' is a {entry.format} file, not an ONNX graph")
        path = self._model_dir / entry.file
        # Hash the bytes first and hand exactly those bytes to onnxruntime: no session is ever
        # built from an unverified file, and the file cannot be swapped between check and load.
        data = read_verified(entry, path)
        session = create_session(
            data,
            self._providers,
            self._threads if entry.max_threads is None else min(self._threads, entry.max_threads),
            warmup_inputs=manifest_warmup_inputs(entry),
            name=f"model '{entry.id}' ({path})",
        )
        loaded = LoadedModel(
            id=entry.id, path=path, sha256=entry.sha256, provider=session.get_providers()[0],
            session=TimedSession(session, self.clock),  # type: ignore[arg-type]
        )
        self._loaded[model_id] = loaded
        return loaded

    def loaded(self) -> list[dict[str, str]]:
        """What reports and audit records list under "models", in load order."""
        return [{"id": m.id, "sha256": m.sha256, "provider": m.provider} for m in self._loaded.values()]
