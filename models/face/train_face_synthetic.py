"""Trains the `face_synthetic` classifier on self-blended images of the shared real faces.

    .venv/bin/python models/face/train_face_synthetic.py [--epochs 22] [--out models/face/face_synthetic.onnx]

PyTorch (CPU) is needed for training only; the engine runs the exported ONNX. Identities in the
test split (face_data.is_test_identity) are never seen in training; the AUC printed at the end is
on their self-blended images. The self-made swap evaluation is validate_face_synthetic.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from face_data import Face, load_faces, split  # noqa: E402
from onnx_export import build_model, fold_bn  # noqa: E402
from sbi import degrade, self_blend  # noqa: E402

from verification.detectors.face_classifier import CROP, face_crop, to_input  # noqa: E402

# (out channels, stride, max-pool after): 96 -> 48 -> 24 -> 12 -> 6
LAYERS = ((16, 1, True), (32, 1, True), (48, 1, True), (64, 1, False), (96, 2, False))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        cin = 3
        for cout, stride, pool in LAYERS:
            blocks += [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
            if pool:
                blocks.append(nn.MaxPool2d(2))
            cin = cout
        self.features = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - 0.5) / 0.25
        return self.fc(self.features(x).mean(dim=(2, 3))).squeeze(1)


def sample(img: np.ndarray, face: Face, fake: bool, rng: np.random.Generator) -> np.ndarray:
    if rng.random() < 0.5:  # mirror (landmarks follow, left/right swapped)
        img = img[:, ::-1].copy()
        lm = face.landmarks5.copy()
        lm[:, 0] = img.shape[1] - 1 - lm[:, 0]
        lm = lm[[1, 0, 2, 4, 3]]
    else:
        lm = face.landmarks5
    if fake:
        img = self_blend(img, lm, rng)
    img = degrade(img, rng)
    return face_crop(img, lm + rng.normal(0, 1.5, lm.shape))  # detector landmarks jitter too


def batch_arrays(images: list[np.ndarray], faces: list[Face], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    crops, labels = [], []
    for img, face in zip(images, faces):
        for fake in (False, True):
            crops.append(sample(img, face, fake, rng))
            labels.append(float(fake))
    return to_input(np.stack(crops)), np.array(labels, np.float32)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def export(net: Net) -> bytes:
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
    return build_model(convs, net.fc.weight.detach().numpy(), net.fc.bias.detach().numpy(), CROP, "face_synthetic")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=22)
    ap.add_argument("--out", default=str(HERE / "face_synthetic.onnx"))
    ap.add_argument("--max-minutes", type=float, default=14.0)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    train, test = split(load_faces())
    train_img = [cv2.imread(str(f.path)) for f in train]
    test_img = [cv2.imread(str(f.path)) for f in test]
    xv, yv = batch_arrays(test_img, test, np.random.default_rng(1))
    net = Net()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=args.epochs * ((2 * len(train) + 63) // 64))
    loss_fn = nn.BCEWithLogitsLoss()
    started = time.time()
    for epoch in range(args.epochs):
        x, y = batch_arrays(train_img, train, rng)
        perm = rng.permutation(len(y))
        net.train()
        losses = []
        for k in range(0, len(perm), 64):
            idx = perm[k:k + 64]
            opt.zero_grad()
            loss = loss_fn(net(torch.from_numpy(x[idx])), torch.from_numpy(y[idx]))
            loss.backward()
            opt.step()
            sched.step()
            losses.append(float(loss.detach()))
        net.eval()
        with torch.no_grad():
            pv = torch.sigmoid(net(torch.from_numpy(xv))).numpy()
        print(f"epoch {epoch + 1}: loss {np.mean(losses):.4f}, held-out SBI AUC {auc(pv, yv):.4f}, "
              f"{time.time() - started:.0f} s", flush=True)
        if time.time() - started > args.max_minutes * 60:
            print("time budget reached; stopping early", flush=True)
            break
    data = export(net)
    Path(args.out).write_bytes(data)
    metrics = {"heldout_sbi_auc": round(auc(pv, yv), 4), "epochs": epoch + 1,
               "train_faces": len(train), "test_faces": len(test),
               "train_identities": len({f.identity for f in train}), "test_identities": len({f.identity for f in test}),
               "train_seconds": round(time.time() - started, 1), "sha256": hashlib.sha256(data).hexdigest(),
               "size": len(data)}
    (HERE / "train_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
