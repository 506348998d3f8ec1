"""Trains the `face_synthetic` classifier on blends made from the shared real faces.

    .venv/bin/python models/face/train_face_synthetic.py [--epochs-factor 1.0] [--out PATH]
    .venv/bin/python models/face/train_face_synthetic.py --dev   # recipe selection, writes nothing
    (--workers N makes each epoch's pictures in N processes from per-shard seeds: other pictures
    than the one-process run that made the committed model; --device cuda trains on a GPU)

Two members, their logits averaged (weighted) in the one ONNX graph: a small network trained on
self-blended images only (what the soft, low-resolution faces of live swap tools leave), and a
wider one trained on a mix of fake kinds (what warping another face in leaves). Fakes are made
from training faces only: self-blended images (sbi.py), self-warp blends (self_warp.py: the
face's own features moved by a smooth field) and cross-identity blends among training
identities (cross_blend.py: similarity-placed, colour-matched paste). The evaluation swaps
(swaps.py) are never trained on. Identities in the test split (face_data.is_test_identity) are
never seen in training, in any form; the AUC printed each epoch is on their self-blended images.
The self-made swap evaluation is validate_face_synthetic.py. PyTorch (CPU) is needed for training
only; the engine runs the exported ONNX.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from dev_check import dev_inputs, is_dev_identity  # noqa: E402
from face_data import load_faces, split  # noqa: E402
from face_net import SMALL, WIDE, Layers, Net, logits, member  # noqa: E402
from onnx_export import build_model  # noqa: E402
from training_data import FAKE_KINDS, EpochMaker, Pool, batch_arrays, parse_mix  # noqa: E402

from verification.detectors.face_classifier import CROP  # noqa: E402

BATCH = 32  # 16 faces, each with its fake
PASSES = 2  # training passes over each epoch's pictures: they cost as much to make as to learn from
LR = 3e-3


@dataclass(frozen=True)
class Recipe:
    name: str
    mix: str
    layers: Layers
    epochs: int
    weight: float  # share in the ensemble's mean logit


# Chosen with --dev (models/face/MODEL_CARD.md): each member alone is worse on one swap kind; the
# weights keep the low-resolution swaps within 0.01 AUC of the self-blend member alone.
RECIPES = (Recipe("sbi", "sbi:1", SMALL, 24, 0.6),
           Recipe("mixed", "sbi:0.45,self_warp:0.2,cross:0.35", WIDE, 48, 0.4))


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def pair_auc(real: np.ndarray, fake: np.ndarray) -> float:
    return round(auc(np.r_[real, fake], np.r_[np.zeros(len(real)), np.ones(len(fake))]), 4)


def dev_aucs(score, dev: dict[str, np.ndarray]) -> dict[str, float]:
    """AUC per evaluation swap kind (as saved, JPEG 60) and per training fake kind, on dev faces."""
    out = {}
    for tag in ("", "_jpeg60"):
        real = score(dev["real" + tag])
        for kind in ("warp", "lowres"):
            out[kind + tag] = pair_auc(real, score(dev[kind + tag]))
    real = score(dev["train_real"])
    for kind in FAKE_KINDS:
        out[kind] = pair_auc(real, score(dev[f"train_{kind}"]))
    return out


def train(recipe: Recipe, epochs: int, pool: Pool, held_out: tuple[np.ndarray, np.ndarray],
          dev: dict[str, np.ndarray] | None, workers: int = 1, device: str = "cpu") -> Net:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    mix = parse_mix(recipe.mix)
    # One process draws every picture from `rng` (this reproduces the committed model); workers
    # draw them from per-shard seeds instead, the same pictures whatever their number.
    maker = EpochMaker(pool, mix, seed=0, workers=workers) if workers > 1 else None
    net = Net(recipe.layers).to(device)
    steps = PASSES * ((2 * len(pool.faces) + BATCH - 1) // BATCH)
    opt = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, LR, total_steps=epochs * steps)
    loss_fn = nn.BCEWithLogitsLoss()
    started = time.time()
    for epoch in range(epochs):
        x, y = maker.epoch(epoch, prefetch=epoch + 1 < epochs) if maker else batch_arrays(pool, mix, rng)
        xd, yd = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
        net.train()
        losses = []
        for _ in range(PASSES):
            # A face and its fake always share a batch (x holds them in pairs): the network has to
            # find what differs between them, not what differs between people or photos.
            pairs = rng.permutation(len(y) // 2)
            for k in range(0, len(pairs), BATCH // 2):
                idx = np.stack([2 * pairs[k:k + BATCH // 2], 2 * pairs[k:k + BATCH // 2] + 1], axis=1).ravel()
                idx = torch.from_numpy(idx).to(device)
                opt.zero_grad()
                loss = loss_fn(net(xd[idx]), yd[idx])
                loss.backward()
                opt.step()
                sched.step()
                losses.append(float(loss.detach()))
        line = (f"{recipe.name} epoch {epoch + 1}: loss {np.mean(losses):.4f}, "
                f"held-out SBI AUC {auc(logits(net, held_out[0]), held_out[1]):.4f}")
        if dev is not None and (epoch % 4 == 3 or epoch == epochs - 1):
            line += f", dev AUC {dev_aucs(lambda v: logits(net, v), dev)}"
        print(f"{line}, {time.time() - started:.0f} s", flush=True)
    if maker:
        maker.close()
    return net.cpu()


def dev_split(train_faces: list) -> tuple[list, dict[str, np.ndarray]]:
    """Training faces minus the dev identities, and the dev identities' swaps and training fakes."""
    dev_faces = [f for f in train_faces if is_dev_identity(f.identity)]
    fit_faces = [f for f in train_faces if not is_dev_identity(f.identity)]
    dev_pool = Pool.load(dev_faces)
    dev = dev_inputs(dev_pool.faces, dev_pool.images, dev_pool.meshes)
    for kind in FAKE_KINDS:  # the training kinds too, on the held-out identities (donors among them)
        x_k, _ = batch_arrays(dev_pool, {kind: 1.0}, np.random.default_rng(2))
        dev[f"train_{kind}"] = x_k[1::2]
    dev["train_real"] = x_k[0::2]
    print(f"dev: {len(dev_faces)} faces of training identities held out of fitting", flush=True)
    return fit_faces, dev


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs-factor", type=float, default=1.0, help="scales every member's epochs (quick tries)")
    ap.add_argument("--dev", action="store_true",
                    help="recipe selection: hold a fifth of the training identities out and report their swap AUCs "
                         "(writes nothing unless --out is given)")
    ap.add_argument("--out", default=None, help="ONNX path (default: models/face/face_synthetic.onnx unless --dev)")
    ap.add_argument("--workers", type=int, default=1, help="processes making each epoch's pictures")
    ap.add_argument("--device", default="cpu", help="torch device for training (cpu, cuda)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    train_faces, test_faces = split(load_faces())
    dev = None
    if args.dev:
        train_faces, dev = dev_split(train_faces)
    pool = Pool.load(train_faces)
    test = Pool.load(test_faces)  # the held-out SBI metric only; never a donor or a training sample
    held_out = batch_arrays(test, {"sbi": 1.0}, np.random.default_rng(1))
    started = time.time()
    nets = [train(r, max(1, round(r.epochs * args.epochs_factor)), pool, held_out, dev, args.workers, args.device)
            for r in RECIPES]

    def score(x: np.ndarray) -> np.ndarray:
        return sum(r.weight * logits(n, x) for r, n in zip(RECIPES, nets)) / sum(r.weight for r in RECIPES)

    metrics: dict[str, object] = {
        "heldout_sbi_auc": round(auc(score(held_out[0]), held_out[1]), 4),
        "members": [{"name": r.name, "mix": parse_mix(r.mix), "epochs": max(1, round(r.epochs * args.epochs_factor)),
                     "weight": r.weight, "params": sum(p.numel() for p in n.parameters())}
                    for r, n in zip(RECIPES, nets)],
        "train_faces": len(pool.faces), "test_faces": len(test.faces),
        "train_identities": len({f.identity for f in pool.faces}),
        "test_identities": len({f.identity for f in test.faces}),
        "train_seconds": round(time.time() - started, 1)}
    if dev is not None:
        metrics["dev_auc"] = dev_aucs(score, dev)
    out = args.out or (None if args.dev else str(HERE / "face_synthetic.onnx"))
    if out is not None:
        data = build_model([member(n, r.weight) for r, n in zip(RECIPES, nets)], CROP, "face_synthetic")
        Path(out).write_bytes(data)
        metrics.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        if dev is None:
            (HERE / "train_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
