"""ONNX export with the Platt calibration folded into the graph.

Inputs: `features` (batch, frames, 160) float32, the output of
verification.detectors.audio_features.normalize_window(spoof_features(...)).
Outputs: `logit` (batch,) calibrated log-odds of synthetic speech, `score` (batch,) its sigmoid.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import torch
from torch import nn

from verification.detectors.audio_features import SPOOF_N_FEATURES
from voicetrain.model import SpoofNet


class _Calibrated(nn.Module):
    def __init__(self, net: SpoofNet, a: float, b: float) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("a", torch.tensor(a, dtype=torch.float32))
        self.register_buffer("b", torch.tensor(b, dtype=torch.float32))

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logit = self.net(features) * self.a + self.b
        return logit, torch.sigmoid(logit)


def export_onnx(net: SpoofNet, a: float, b: float, path: Path, metadata: dict[str, str]) -> None:
    wrapped = _Calibrated(net, a, b).eval()
    example = torch.zeros(1, 197, SPOOF_N_FEATURES)
    torch.onnx.export(wrapped, (example,), str(path), input_names=["features"], output_names=["logit", "score"],
                      dynamic_axes={"features": {0: "batch", 1: "frames"}, "logit": {0: "batch"},
                                    "score": {0: "batch"}},
                      opset_version=17, dynamo=False)
    model = onnx.load(str(path))
    model.doc_string = "CallShield voice_synthetic: calibrated synthetic-speech log-odds per window"
    for key, value in sorted(metadata.items()):
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    model.producer_name = "callshield-voicetrain"
    model.producer_version = ""  # no torch version string: keeps the bytes reproducible across installs
    onnx.save(model, str(path))
