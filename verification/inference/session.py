"""onnxruntime session creation tuned for a small laptop that is also running the call app."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from verification.errors import ModelError

# onnxruntime reports element types as "tensor(float)"; map them to numpy for warm-up inputs.
_ORT_DTYPES: dict[str, type[np.generic]] = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}
# Warm-up size for a dynamic dimension that is not the batch axis: small but not degenerate.
DEFAULT_DYNAMIC_DIM = 64


def default_threads() -> int:
    # Two cores at most: the call app (video decode, audio) needs the rest of a 2-4 core laptop.
    return max(1, min(2, os.cpu_count() or 1))


def session_options(threads: int) -> ort.SessionOptions:
    if threads < 1:
        raise ModelError(f"inference threads must be at least 1, got {threads}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    # Our graphs are small and run one at a time per worker; parallel branches only add threads.
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle worker threads must sleep, not spin: spinning steals CPU from the call app.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only; we raise our own one-line errors
    return options


def resolve_warmup_shape(shape: Sequence[int | str | None]) -> list[int]:
    dims: list[int] = []
    for axis, dim in enumerate(shape):
        if isinstance(dim, int) and dim >= 0:
            dims.append(dim)
        elif axis == 0 or (isinstance(dim, str) and "batch" in dim.lower()):
            dims.append(1)  # a single item: the streaming case
        else:
            dims.append(DEFAULT_DYNAMIC_DIM)
    return dims


def warmup_feeds(
    session: ort.InferenceSession, overrides: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Zero tensors matching the model's inputs; `overrides` supplies inputs that must be real."""
    overrides = overrides or {}
    feeds: dict[str, np.ndarray] = {}
    for node in session.get_inputs():
        if node.name in overrides:
            feeds[node.name] = overrides[node.name]
            continue
        dtype = _ORT_DTYPES.get(node.type)
        if dtype is None:
            raise ModelError(f"cannot build a warm-up input '{node.name}' of type {node.type}")
        feeds[node.name] = np.zeros(resolve_warmup_shape(node.shape), dtype=dtype)
    return feeds


def create_session(
    model: Path | bytes,
    providers: Sequence[str],
    threads: int | None = None,
    *,
    warmup_inputs: Mapping[str, np.ndarray] | None = None,
    name: str | None = None,
) -> ort.InferenceSession:
    """Create a session and run it once, so the first real frame does not pay allocation costs.

    `model` is a path or the model's bytes (the loader passes bytes it has just verified).
    """
    label = name or (str(model) if isinstance(model, Path) else "model")
    options = session_options(default_threads() if threads is None else threads)
    source = str(model) if isinstance(model, Path) else model
    try:
        session = ort.InferenceSession(source, sess_options=options, providers=list(providers))
    except Exception as exc:  # onnxruntime raises several unrelated types for bad graphs
        raise ModelError(f"cannot create a session for {label}: {_one_line(exc)}") from None
    try:
        session.run(None, warmup_feeds(session, warmup_inputs))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"warm-up run failed for {label}: {_one_line(exc)}") from None
    return session


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")
