"""Several trained voice_synthetic graphs as one: the mean of their calibrated log-odds.

Members trained from different seeds disagree most on windows none of them has a reason to call
synthetic; averaging their log-odds narrows the real-speech tail that raises false alarms, at a
few milliseconds per window. The result keeps the runtime contract (input `features`, outputs
`logit` and `score`), so the detector and its tests do not change.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx import compose, helper


def merge(paths: list[Path], out: Path, metadata: dict[str, str]) -> None:
    members = [compose.add_prefix(onnx.load(str(p)), f"m{k}_") for k, p in enumerate(paths)]
    first = members[0].graph
    nodes, inits = [], []
    for k, member in enumerate(members):
        g = member.graph
        rename = {f"m{k}_features": "features"}
        for node in g.node:
            node.input[:] = [rename.get(name, name) for name in node.input]
        nodes += list(g.node)
        inits += list(g.initializer)
    nodes.append(helper.make_node("Mean", [f"m{k}_logit" for k in range(len(members))], ["logit"]))
    nodes.append(helper.make_node("Sigmoid", ["logit"], ["score"]))
    features = onnx.ValueInfoProto()
    features.CopyFrom(first.input[0])
    features.name = "features"
    outputs = []
    for name, template in (("logit", first.output[0]), ("score", first.output[1])):
        info = onnx.ValueInfoProto()
        info.CopyFrom(template)
        info.name = name
        outputs.append(info)
    graph = helper.make_graph(nodes, "voice_synthetic_ensemble", [features], outputs, inits)
    model = helper.make_model(graph, opset_imports=list(members[0].opset_import), producer_name="callshield-voicetrain")
    model.ir_version = members[0].ir_version
    model.doc_string = f"CallShield voice_synthetic: mean calibrated log-odds of {len(members)} members"
    for key, value in sorted(metadata.items()):
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
