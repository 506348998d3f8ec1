"""OnnxRunner batching and timing, and which models the factory asks for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper

from tests.verification.test_vision_support import face_loader
from verification.vision.onnx_runner import OnnxRunner
from verification.vision.pipeline import FacePipelineOptions, create_face_pipeline


def _double(batch: int | str) -> ort.InferenceSession:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 3])
    graph = helper.make_graph([helper.make_node("Add", ["x", "x"], ["y"])], "double", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", 13)])
    model.ir_version = 8
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def test_fixed_batch_models_run_item_by_item() -> None:
    runner = OnnxRunner(_double(1), "double")
    assert not runner.batched
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    (y,) = runner.run(x)
    np.testing.assert_array_equal(y, 2 * x)
    assert runner.calls == 4 and runner.seconds > 0
    runner.reset_counters()
    assert runner.calls == 0 and runner.seconds == 0


def test_dynamic_batch_models_run_once() -> None:
    runner = OnnxRunner(_double("N"), "double")
    assert runner.batched
    x = np.ones((9, 3), np.float32)
    np.testing.assert_array_equal(runner.run(x)[0], 2 * x)
    assert runner.calls == 1


@dataclass
class _Recording:
    inner: object
    asked: list[str]

    def load(self, model_id: str) -> object:
        self.asked.append(model_id)
        return self.inner.load(model_id)  # type: ignore[attr-defined]


def test_factory_loads_only_what_the_options_use() -> None:
    loader = face_loader()
    rec = _Recording(loader, [])
    create_face_pipeline(rec, FacePipelineOptions(with_mesh=False))  # type: ignore[arg-type]
    assert rec.asked == ["retinaface"]
    rec.asked.clear()
    create_face_pipeline(rec, FacePipelineOptions(with_iris=True))  # type: ignore[arg-type]
    assert sorted(rec.asked) == ["face_mesh", "iris", "retinaface"]
    rec.asked.clear()
    pipeline = create_face_pipeline(rec)  # type: ignore[arg-type]
    assert sorted(rec.asked) == ["face_mesh", "retinaface"]  # iris only on request
    assert pipeline.stats.frames == 0 and np.isnan(pipeline.stats.overhead_ratio)
