"""Landmark-model rewrites keep the numbers and make the batch axis free."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from verification.inference.graph_rewrite import make_batch_symbolic, replace_prelu


def _tiny_prelu_reshape_model() -> onnx.ModelProto:
    slope = numpy_helper.from_array(np.array([[[0.1]], [[0.5]]], np.float32), "slope")
    target = numpy_helper.from_array(np.array([1, -1], np.int64), "target")
    nodes = [helper.make_node("PRelu", ["x", "slope"], ["p"]),
             helper.make_node("Reshape", ["p", "target"], ["y"])]
    graph = helper.make_graph(nodes, "tiny",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 18])],
                              initializer=[slope, target])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def test_prelu_rewrite_is_exact() -> None:
    model = _tiny_prelu_reshape_model()
    x = np.random.default_rng(0).normal(size=(1, 2, 3, 3)).astype(np.float32)
    before = _run(model, x)
    assert replace_prelu(model) == 1
    assert "PRelu" not in {n.op_type for n in model.graph.node}
    np.testing.assert_array_equal(_run(model, x), before)


def test_symbolic_batch_runs_several_items_like_one_at_a_time() -> None:
    model = _tiny_prelu_reshape_model()
    make_batch_symbolic(model)
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    x = np.random.default_rng(1).normal(size=(4, 2, 3, 3)).astype(np.float32)
    batched = _run(model, x)
    assert batched.shape == (4, 18)
    for i in range(4):
        np.testing.assert_array_equal(batched[i], _run(model, x[i:i + 1])[0])
