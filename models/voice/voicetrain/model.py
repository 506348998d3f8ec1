"""The synthetic-speech classifier: a small 2-D front end feeding a dilated 1-D residual stack.

Input (batch, frames, 160): normalised log-mel beside phase coherence (audio_features.spoof_features);
output (batch,) logit, > 0 = synthetic. Fully convolutional over time with statistics pooling, so
any window of at least ~0.5 s works. Sized for training on two CPU cores: about 12 M multiply-adds
per 2 s window.
"""

from __future__ import annotations

import torch
from torch import nn


class _Res1d(nn.Module):
    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation, bias=False),
            nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation, bias=False),
            nn.BatchNorm1d(channels),
        )
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x + self.body(x))


class SpoofNet(nn.Module):
    def __init__(self, n_mels: int = 80, stem: int = 8, width: int = 64) -> None:
        super().__init__()
        # 2-D convolutions see local time-frequency texture (harmonic smearing, noisy bands);
        # layout (batch, channel, band, frame); the first layer halves both axes.
        self.front = nn.Sequential(
            nn.Conv2d(1, stem, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(stem), nn.ReLU(),
            nn.Conv2d(stem, stem, 3, stride=(2, 1), padding=1, bias=False), nn.BatchNorm2d(stem), nn.ReLU(),
        )
        bands = (((n_mels + 1) // 2) + 1) // 2
        self.project = nn.Sequential(nn.Conv1d(stem * bands, width, 1, bias=False), nn.BatchNorm1d(width), nn.ReLU())
        self.blocks = nn.Sequential(_Res1d(width, 1), _Res1d(width, 2), nn.MaxPool1d(2),
                                    _Res1d(width, 2), _Res1d(width, 4))
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(2 * width, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        x = self.front(feats.unsqueeze(1).transpose(2, 3))
        b, c, f, t = x.shape
        x = self.blocks(self.project(x.reshape(b, c * f, t)))
        pooled = torch.cat([x.mean(dim=2), x.std(dim=2)], dim=1)  # statistics pooling over time
        return self.head(pooled).squeeze(1)
