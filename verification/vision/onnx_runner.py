"""A thin wrapper around an injected onnxruntime session: one input, timing, optional batching.

The pipeline reports how much of its time is spent inside `session.run` (the benchmark's ratio),
so every model call goes through `OnnxRunner.run`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import onnxruntime as ort


class OnnxRunner:
    def __init__(self, session: ort.InferenceSession, name: str) -> None:
        self.session = session
        self.name = name
        inputs = session.get_inputs()
        if len(inputs) != 1:
            raise ValueError(f"{name}: expected a single-input model, got {len(inputs)} inputs")
        self.input_name: str = inputs[0].name
        self.input_shape: list[int | str | None] = list(inputs[0].shape)
        self.output_names: list[str] = [o.name for o in session.get_outputs()]
        batch = self.input_shape[0] if self.input_shape else 1
        # A fixed batch of 1 (what tflite2onnx emits) means one run per item; a symbolic batch
        # dimension lets several faces or eyes share one run, which is much cheaper per item.
        self.batched: bool = not (isinstance(batch, int) and batch == 1)
        self.seconds = 0.0
        self.calls = 0

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        """Run on an (N, ...) batch, splitting into single runs when the model needs it."""
        if self.batched or len(batch) == 1:
            return self._run_once(batch)
        parts = [self._run_once(batch[i : i + 1]) for i in range(len(batch))]
        return [np.concatenate(outs, axis=0) for outs in zip(*parts)]

    def _run_once(self, x: np.ndarray) -> list[np.ndarray]:
        t0 = time.perf_counter()
        out: Sequence[np.ndarray] = self.session.run(self.output_names, {self.input_name: x})
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return list(out)

    def reset_counters(self) -> None:
        self.seconds = 0.0
        self.calls = 0
