"""Writes the trained networks as one ONNX graph with `onnx.helper` (no exporter dependency).

The graph may hold several member networks on the same input; the weighted mean of their logits
goes through the sigmoid (an ensemble of differently trained members; each member's weight is
folded into its last layer). Batch norm is folded into the
convolutions, so the graph is only Sub, Mul, Conv, Relu, MaxPool, GlobalAveragePool, Flatten,
Gemm, Sum and Sigmoid: deterministic bytes, any onnxruntime.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
MEAN = np.array([0.5, 0.5, 0.5], np.float32)
STD = np.array([0.25, 0.25, 0.25], np.float32)


@dataclass
class Member:
    convs: list[dict]  # [{w, b, stride, pool}] in order, batch norm already folded
    fc_w: np.ndarray
    fc_b: np.ndarray
    weight: float = 1.0  # share in the mean of the members' logits (normalised over members)


def fold_bn(w: np.ndarray, b: np.ndarray | None, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray,
            var: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    scale = gamma / np.sqrt(var + eps)
    bias = b if b is not None else np.zeros_like(mean)
    return (w * scale[:, None, None, None]).astype(np.float32), ((bias - mean) * scale + beta).astype(np.float32)


def _member_nodes(m: Member, share: float, x: str, tag: str) -> tuple[list, list, str]:
    """Nodes and initialisers of one member from normalised input `x`; returns its logit's name."""
    inits, nodes, cur = [], [], x
    for i, c in enumerate(m.convs):
        inits += [numpy_helper.from_array(c["w"], f"{tag}w{i}"), numpy_helper.from_array(c["b"], f"{tag}b{i}")]
        k = int(c["w"].shape[-1])
        nodes.append(helper.make_node("Conv", [cur, f"{tag}w{i}", f"{tag}b{i}"], [f"{tag}c{i}"], kernel_shape=[k, k],
                                      strides=[c["stride"]] * 2, pads=[k // 2] * 4))
        nodes.append(helper.make_node("Relu", [f"{tag}c{i}"], [f"{tag}r{i}"]))
        cur = f"{tag}r{i}"
        if c.get("pool"):
            nodes.append(helper.make_node("MaxPool", [cur], [f"{tag}p{i}"], kernel_shape=[2, 2], strides=[2, 2]))
            cur = f"{tag}p{i}"
    inits += [numpy_helper.from_array((share * m.fc_w).astype(np.float32), f"{tag}fc_w"),
              numpy_helper.from_array((share * m.fc_b).astype(np.float32), f"{tag}fc_b")]
    nodes += [helper.make_node("GlobalAveragePool", [cur], [f"{tag}gap"]),
              helper.make_node("Flatten", [f"{tag}gap"], [f"{tag}flat"], axis=1),
              helper.make_node("Gemm", [f"{tag}flat", f"{tag}fc_w", f"{tag}fc_b"], [f"{tag}logit"], transB=1)]
    return nodes, inits, f"{tag}logit"


def build_model(members: list[Member], size: int, name: str) -> bytes:
    """Input `face` RGB [0, 1] NCHW; output `fake_prob` = sigmoid(weighted mean of the members' logits)."""
    inits = [numpy_helper.from_array(MEAN.reshape(1, 3, 1, 1), "mean"),
             numpy_helper.from_array((1.0 / STD).reshape(1, 3, 1, 1), "inv_std")]
    nodes = [helper.make_node("Sub", ["face", "mean"], ["x0"]), helper.make_node("Mul", ["x0", "inv_std"], ["x1"])]
    outs = []
    total = sum(m.weight for m in members)
    for k, m in enumerate(members):
        n, i, out = _member_nodes(m, m.weight / total, "x1", f"m{k}_" if len(members) > 1 else "")
        nodes += n
        inits += i
        outs.append(out)
    if len(outs) > 1:
        nodes.append(helper.make_node("Sum", outs, ["logit"]))
    nodes.append(helper.make_node("Sigmoid", [outs[0] if len(outs) == 1 else "logit"], ["fake_prob"]))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("face", TensorProto.FLOAT, ["batch", 3, size, size])],
        [helper.make_tensor_value_info("fake_prob", TensorProto.FLOAT, ["batch", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", OPSET)],
                              producer_name="callshield-models-face")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()
