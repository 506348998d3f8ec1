"""Rewrites applied to converted landmark models: same numbers, faster on CPU, batchable.

- PRelu(x, a) becomes Relu(x) - a * Relu(-x). The result is identical and onnxruntime's CPU
  kernels for these ops run about twice as fast as its PRelu on this kind of model.
- The batch axis becomes symbolic (`batch`) and `Reshape` targets `[1, -1]` become `[0, -1]`
  (0 = copy the batch size), so all faces of a frame (or all eyes) go through one run.
The rewrite is deterministic, so the rewritten file's sha256 is pinned in the manifest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnx

BATCH = "batch"


def replace_prelu(model: "onnx.ModelProto") -> int:
    from onnx import helper

    graph = model.graph
    nodes = []
    replaced = 0
    for node in graph.node:
        if node.op_type != "PRelu":
            nodes.append(node)
            continue
        x, slope = node.input
        (y,) = node.output
        base = f"{y}__prelu"
        nodes += [
            helper.make_node("Relu", [x], [f"{base}_pos"], name=f"{base}_relu_pos"),
            helper.make_node("Neg", [x], [f"{base}_negx"], name=f"{base}_neg"),
            helper.make_node("Relu", [f"{base}_negx"], [f"{base}_negpart"], name=f"{base}_relu_neg"),
            helper.make_node("Mul", [slope, f"{base}_negpart"], [f"{base}_scaled"], name=f"{base}_mul"),
            helper.make_node("Sub", [f"{base}_pos", f"{base}_scaled"], [y], name=f"{base}_sub"),
        ]
        replaced += 1
    del graph.node[:]
    graph.node.extend(nodes)
    return replaced


def make_batch_symbolic(model: "onnx.ModelProto") -> None:
    from onnx import numpy_helper

    graph = model.graph
    for value in list(graph.input) + list(graph.output):
        dims = value.type.tensor_type.shape.dim
        if dims and dims[0].dim_value == 1:
            dims[0].ClearField("dim_value")
            dims[0].dim_param = BATCH
    # intermediate shapes were inferred for batch 1; onnxruntime re-infers them
    del graph.value_info[:]
    reshape_targets = {n.input[1] for n in graph.node if n.op_type == "Reshape" and len(n.input) > 1}
    for i, init in enumerate(graph.initializer):
        if init.name in reshape_targets:
            target = numpy_helper.to_array(init).copy()
            if target.ndim == 1 and target.size >= 1 and target[0] == 1:
                target[0] = 0
                graph.initializer[i].CopyFrom(numpy_helper.from_array(target, init.name))
