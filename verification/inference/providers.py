"""Execution-provider choice: the user's short names, in a fixed order, limited to what exists."""

from __future__ import annotations

from collections.abc import Sequence

from verification.errors import ConfigError

CPU = "CPUExecutionProvider"

# Fixed preference order: GPU/NPU back-ends first, CPU always last as the fallback that
# onnxruntime always has (a laptop without a GPU must still run).
SHORT_NAMES: dict[str, str] = {
    "cuda": "CUDAExecutionProvider",
    "directml": "DmlExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "cpu": CPU,
}
ORDER: tuple[str, ...] = tuple(SHORT_NAMES.values())


def to_provider_name(name: str) -> str:
    """Map a short name (any case) or a full onnxruntime name to the onnxruntime name."""
    key = name.strip().lower()
    if key in SHORT_NAMES:
        return SHORT_NAMES[key]
    for full in ORDER:
        if full.lower() == key:
            return full
    raise ConfigError(f"unknown execution provider '{name}' (choose from {', '.join(SHORT_NAMES)})")


def choose_providers(preference: Sequence[str] | None, available: Sequence[str] | None = None) -> list[str]:
    """Providers to pass to onnxruntime, best first, CPU last.

    `preference` None means "every known provider"; otherwise only the named ones (plus CPU,
    kept as the fallback). `available` defaults to `onnxruntime.get_available_providers()`.
    """
    if available is None:
        import onnxruntime

        available = onnxruntime.get_available_providers()
    wanted = set(ORDER) if preference is None else {to_provider_name(name) for name in preference}
    wanted.add(CPU)
    offered = set(available) | {CPU}
    return [name for name in ORDER if name in wanted and name in offered]
