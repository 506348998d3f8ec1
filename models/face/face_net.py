"""The classifier network (PyTorch, training only) and its export as folded ONNX arrays.

A plain stack of 3x3 conv + batch norm + ReLU (+ 2x2 max-pool), global average pooling and one
linear unit: small, fast on CPU, and written to ONNX without an exporter (onnx_export.py).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from onnx_export import Member, fold_bn

Layers = tuple[tuple[int, int, bool], ...]  # (out channels, stride, max-pool after)
# 96 -> 48 -> 24 -> 12 -> 6 px
SMALL: Layers = ((16, 1, True), (32, 1, True), (48, 1, True), (64, 1, False), (96, 2, False))
WIDE: Layers = ((16, 1, True), (32, 1, True), (64, 1, True), (96, 1, False), (128, 2, False))
WIDER: Layers = ((24, 1, True), (48, 1, True), (96, 1, True), (128, 1, False), (192, 2, False))
LAYERS = {"small": SMALL, "wide": WIDE, "wider": WIDER}


class Net(nn.Module):
    def __init__(self, layers: Layers) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        cin = 3
        for cout, stride, pool in layers:
            blocks += [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
            if pool:
                blocks.append(nn.MaxPool2d(2))
            cin = cout
        self.features = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits; the input is RGB in [0, 1] (normalised here, as in the ONNX graph)."""
        x = (x - 0.5) / 0.25
        return self.fc(self.features(x).mean(dim=(2, 3))).squeeze(1)


def logits(net: Net, x: np.ndarray) -> np.ndarray:
    net.eval()
    device = next(net.parameters()).device
    with torch.no_grad():
        return np.concatenate([net(torch.from_numpy(x[k:k + 256]).to(device)).cpu().numpy()
                               for k in range(0, len(x), 256)])


def member(net: Net, weight: float = 1.0) -> Member:
    """Batch norm folded into the convolutions, in the form onnx_export.build_model takes."""
    convs = []
    mods = list(net.features)
    i = 0
    while i < len(mods):
        conv, bn = mods[i], mods[i + 1]
        pool = i + 3 < len(mods) and isinstance(mods[i + 3], nn.MaxPool2d)
        w, b = fold_bn(conv.weight.detach().numpy(), None, bn.weight.detach().numpy(), bn.bias.detach().numpy(),
                       bn.running_mean.numpy(), bn.running_var.numpy(), bn.eps)
        convs.append({"w": w, "b": b, "stride": conv.stride[0], "pool": pool})
        i += 4 if pool else 3
    return Member(convs, net.fc.weight.detach().numpy(), net.fc.bias.detach().numpy(), weight)
