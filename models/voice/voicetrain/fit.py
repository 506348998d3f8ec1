"""Stage 3: training one classifier (PyTorch, CPU) on random 2 s crops of cached features."""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from verification.detectors.audio_features import SPOOF_N_MELS, normalize_window, window_frames
from voicetrain.items import Item
from voicetrain.metrics import eer
from voicetrain.model import SpoofNet

WINDOW = window_frames(2.0)
#: share of training windows whose phase bands are blanked: codecs such as Opus rebuild the phase
#: of real and synthetic speech alike, so the log-mel path must also decide on its own
PHASE_DROP = 0.3


@dataclass
class FitSet:
    """Feature variants grouped for balanced sampling: bona fide vs each synthetic family."""

    real: list[np.ndarray] = field(default_factory=list)
    spoof: dict[str, list[np.ndarray]] = field(default_factory=dict)
    real_corpus: list[str] = field(default_factory=list)  # beside `real`, for corpus-balanced draws

    def add(self, item: Item, feats: np.ndarray) -> None:
        if item.label == 0:
            self.real.append(feats)
            self.real_corpus.append(item.corpus)
        else:
            self.spoof.setdefault(item.family, []).append(feats)


def load_fit_sets(cache: Path, items: list[Item], exclude: str | None) -> tuple[FitSet, FitSet]:
    by_uid = {i.uid: i for i in items}
    train, val = FitSet(), FitSet()
    with np.load(cache / "features_fit.npz") as data:
        for key in data.files:
            item = by_uid[key.split("|")[0]]
            if item.family == exclude:
                continue
            (train if item.split == "train" else val).add(item, data[key])
    return train, val


def crop(feats: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    if feats.shape[0] < WINDOW:
        feats = np.pad(feats, ((0, WINDOW - feats.shape[0]), (0, 0)), mode="edge")
    start = (feats.shape[0] - WINDOW) // 2 if rng is None else int(rng.integers(0, feats.shape[0] - WINDOW + 1))
    return normalize_window(feats[start:start + WINDOW].astype(np.float32))


@dataclass(frozen=True)
class Recipe:
    """Options of the quiet-on-real recipe (neural_lofo.py --variant quiet); the defaults train as before."""

    #: draw bona fide speech corpus first, with weight sqrt(size): a corpus of a few dozen new
    #: speakers counts for more than its share of utterances, so no one recording set is "real"
    balance_real: bool = False
    #: extra weight on the worst quarter of the batch's bona fide losses (a tail objective): a
    #: false alarm comes from a few windows of a real voice scoring high, not from the mean
    real_tail: float = 0.0


def _real_picker(data: FitSet, recipe: Recipe) -> Callable[[np.random.Generator], int]:
    if not recipe.balance_real:
        return lambda rng: int(rng.integers(len(data.real)))
    corpora = sorted(set(data.real_corpus))
    members = [[k for k, name in enumerate(data.real_corpus) if name == c] for c in corpora]
    weights = np.sqrt([len(m) for m in members])
    weights /= weights.sum()

    def pick(rng: np.random.Generator) -> int:
        pool = members[int(rng.choice(len(corpora), p=weights))]
        return pool[int(rng.integers(len(pool)))]
    return pick


def _batch(data: FitSet, size: int, rng: np.random.Generator,
           pick_real: Callable[[np.random.Generator], int]) -> tuple[torch.Tensor, torch.Tensor]:
    families = sorted(data.spoof)
    xs, ys = [], []
    for k in range(size):
        if k % 2 == 0:
            feats, label = data.real[pick_real(rng)], 0.0
        else:
            pool = data.spoof[families[int(rng.integers(len(families)))]]
            feats, label = pool[int(rng.integers(len(pool)))], 1.0
        x = crop(feats, rng)
        if rng.random() < 0.5:  # SpecAugment-style masks: no single band or instant decides
            f0 = int(rng.integers(0, x.shape[1] - 8))
            x[:, f0:f0 + int(rng.integers(1, 9))] = 0.0
        if rng.random() < 0.5:
            t0 = int(rng.integers(0, x.shape[0] - 20))
            x[t0:t0 + int(rng.integers(1, 21))] = 0.0
        if x.shape[1] > SPOOF_N_MELS and rng.random() < PHASE_DROP:
            x[:, SPOOF_N_MELS:] = 0.0
        xs.append(x)
        ys.append(label)
    return torch.from_numpy(np.stack(xs)), torch.tensor(ys)


def _validation(data: FitSet) -> tuple[torch.Tensor, np.ndarray]:
    feats = data.real + [f for pool in data.spoof.values() for f in pool]
    labels = np.array([0] * len(data.real) + [1] * (len(feats) - len(data.real)))
    return torch.from_numpy(np.stack([crop(f, None) for f in feats])), labels


def predict(model: SpoofNet, x: torch.Tensor) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 512]) for i in range(0, x.shape[0], 512)]).numpy()


def _loss(logits: torch.Tensor, y: torch.Tensor, recipe: Recipe) -> torch.Tensor:
    # Label smoothing keeps logits moderate, which helps the later calibration.
    each = torch.nn.functional.binary_cross_entropy_with_logits(logits, y * 0.95 + 0.025, reduction="none")
    loss = each.mean()
    real = each[y == 0]
    if recipe.real_tail > 0 and real.numel() >= 4:
        loss = loss + recipe.real_tail * torch.topk(real, real.numel() // 4).values.mean()
    return loss


def fit(train: FitSet, val: FitSet, steps: int, seed: int, log: Callable[[str], None],
        recipe: Recipe = Recipe()) -> tuple[SpoofNet, np.ndarray, np.ndarray]:
    """Returns the best model by validation EER and its validation logits and labels."""
    torch.manual_seed(seed)
    # One thread: on a shared 2-core machine, OpenMP threads that spin-wait against other
    # processes made training 10x slower; one thread is steady whatever else runs.
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    model = SpoofNet(n_mels=train.real[0].shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
    val_x, val_y = _validation(val)
    pick_real = _real_picker(train, recipe)
    best: tuple[float, dict, np.ndarray] | None = None
    for step in range(1, steps + 1):
        model.train()
        x, y = _batch(train, 64, rng, pick_real)
        loss = _loss(model(x), y, recipe)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps:
            logits = predict(model, val_x)
            err = eer(logits[val_y == 0], logits[val_y == 1])
            log(f"  step {step}/{steps} loss {loss.item():.3f} val EER {100 * err:.2f}%")
            if best is None or err <= best[0]:
                best = (err, {k: v.clone() for k, v in model.state_dict().items()}, logits)
    assert best is not None
    model.load_state_dict(best[1])
    model.eval()
    return model, best[2], val_y
