"""Writes the trained network as an ONNX graph with `onnx.helper` (no exporter dependency).

Batch norm is folded into the convolutions, so the graph is only Conv, Relu, MaxPool,
GlobalAveragePool, Flatten, Gemm and Sigmoid: deterministic bytes, any onnxruntime.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
MEAN = np.array([0.5, 0.5, 0.5], np.float32)
STD = np.array([0.25, 0.25, 0.25], np.float32)


def fold_bn(w: np.ndarray, b: np.ndarray | None, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray,
            var: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    scale = gamma / np.sqrt(var + eps)
    bias = b if b is not None else np.zeros_like(mean)
    return (w * scale[:, None, None, None]).astype(np.float32), ((bias - mean) * scale + beta).astype(np.float32)


def build_model(convs: list[dict], fc_w: np.ndarray, fc_b: np.ndarray, size: int, name: str) -> bytes:
    """convs: [{w, b, stride, pool}] in order (BN already folded); input RGB [0, 1], NCHW."""
    inits = [numpy_helper.from_array(MEAN.reshape(1, 3, 1, 1), "mean"),
             numpy_helper.from_array((1.0 / STD).reshape(1, 3, 1, 1), "inv_std")]
    nodes = [helper.make_node("Sub", ["face", "mean"], ["x0"]), helper.make_node("Mul", ["x0", "inv_std"], ["x1"])]
    cur = "x1"
    for i, c in enumerate(convs):
        inits += [numpy_helper.from_array(c["w"], f"w{i}"), numpy_helper.from_array(c["b"], f"b{i}")]
        k = int(c["w"].shape[-1])
        nodes.append(helper.make_node("Conv", [cur, f"w{i}", f"b{i}"], [f"c{i}"], kernel_shape=[k, k],
                                      strides=[c["stride"]] * 2, pads=[k // 2] * 4))
        nodes.append(helper.make_node("Relu", [f"c{i}"], [f"r{i}"]))
        cur = f"r{i}"
        if c.get("pool"):
            nodes.append(helper.make_node("MaxPool", [cur], [f"p{i}"], kernel_shape=[2, 2], strides=[2, 2]))
            cur = f"p{i}"
    inits += [numpy_helper.from_array(fc_w.astype(np.float32), "fc_w"),
              numpy_helper.from_array(fc_b.astype(np.float32), "fc_b")]
    nodes += [helper.make_node("GlobalAveragePool", [cur], ["gap"]),
              helper.make_node("Flatten", ["gap"], ["flat"], axis=1),
              helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logit"], transB=1),
              helper.make_node("Sigmoid", ["logit"], ["fake_prob"])]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("face", TensorProto.FLOAT, ["batch", 3, size, size])],
        [helper.make_tensor_value_info("fake_prob", TensorProto.FLOAT, ["batch", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", OPSET)],
                              producer_name="callshield-models-face")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()
