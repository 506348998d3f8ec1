"""Training pictures for `face_synthetic`: one real and one fake crop of every training face per
epoch, the fake's kind drawn from a mix, both given the same call-like degradation.

Fake kinds (all made from training faces; the evaluation swaps of swaps.py are never used):
`sbi` self-blended images (sbi.py), `self_warp` the face's own features moved (self_warp.py),
`cross` another training identity's face pasted in (cross_blend.py), `fitted` another training
identity's face bent onto the target's mesh first (fitted_cross.py).

An epoch's pictures are made in shards, each with its own seed (seed, epoch, shard), so they are
the same whether one process makes them or several (`workers`).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from cross_blend import cross_blend
from face_data import Face
from face_meshes import meshes_for
from fitted_cross import fitted_cross
from sbi import degrade, self_blend
from self_warp import self_warp

from verification.detectors.face_classifier import face_crop, to_input

FAKE_KINDS = ("sbi", "self_warp", "cross", "fitted")
SHARDS = 32  # fixed, so the pictures do not depend on the number of workers
DONOR_KINDS = ("cross", "fitted")
Donor = tuple[np.ndarray, np.ndarray]  # picture, mesh


def parse_mix(text: str) -> dict[str, float]:
    """"sbi:0.45,cross:0.35" -> {"sbi": 0.45, "cross": 0.35} (shares, normalised when drawn)."""
    mix = {k: float(v) for k, v in (part.split(":") for part in text.split(","))}
    unknown = set(mix) - set(FAKE_KINDS)
    if unknown:
        raise SystemExit(f"unknown fake kinds {sorted(unknown)}; known: {FAKE_KINDS}")
    return mix


@dataclass
class Pool:
    """Faces of one split with their pictures and meshes (None where the pipeline found none)."""
    faces: list[Face]
    images: list[np.ndarray]
    meshes: list[np.ndarray | None]

    @classmethod
    def load(cls, faces: list[Face]) -> Pool:
        images = [cv2.imread(str(f.path)) for f in faces]
        return cls(faces, images, meshes_for([f.path for f in faces], images))

    def donor(self, k: int, rng: np.random.Generator) -> Donor | None:
        """Another identity's picture and mesh from this pool (the training pool when training)."""
        for _ in range(20):
            j = int(rng.integers(len(self.faces)))
            if self.faces[j].identity != self.faces[k].identity and self.meshes[j] is not None:
                return self.images[j], self.meshes[j]
        return None


def fake_of(kind: str, img: np.ndarray, mesh: np.ndarray | None, donor: Donor | None, lm: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """The fake of one kind; a self-blend where the mesh (or a donor) is missing."""
    if kind == "self_warp" and mesh is not None:
        return self_warp(img, mesh, rng)
    if kind == "cross" and mesh is not None and donor is not None:
        return cross_blend(img, mesh, donor[0], donor[1], rng)
    if kind == "fitted" and mesh is not None and donor is not None:
        return fitted_cross(img, mesh, donor[0], donor[1], rng)
    return self_blend(img, lm, rng)


def sample(img: np.ndarray, face: Face, fake: str | None, mesh: np.ndarray | None, donor: Donor | None,
           rng: np.random.Generator) -> np.ndarray:
    lm = face.landmarks5
    if fake:
        img = fake_of(fake, img, mesh, donor, lm, rng)
    if rng.random() < 0.5:  # mirror (landmarks follow, left/right swapped)
        img = img[:, ::-1].copy()
        lm = lm.copy()
        lm[:, 0] = img.shape[1] - 1 - lm[:, 0]
        lm = lm[[1, 0, 2, 4, 3]]
    img = degrade(img, rng)
    return face_crop(img, lm + rng.normal(0, 1.5, lm.shape))  # detector landmarks jitter too


def pictures(pool: Pool, mix: dict[str, float], rng: np.random.Generator,
             faces: range | None = None) -> tuple[np.ndarray, np.ndarray]:
    """uint8 crops and labels: (real, fake) of every face (or of `faces`), in that order, pairwise."""
    kinds, probs = list(mix), np.array(list(mix.values()))
    crops, labels = [], []
    for k in faces if faces is not None else range(len(pool.faces)):
        img, face, mesh = pool.images[k], pool.faces[k], pool.meshes[k]
        kind = str(rng.choice(kinds, p=probs / probs.sum()))
        donor = pool.donor(k, rng) if kind in DONOR_KINDS else None
        for fake in (None, kind):
            crops.append(sample(img, face, fake, mesh, donor, rng))
            labels.append(float(fake is not None))
    return np.stack(crops), np.array(labels, np.float32)


def batch_arrays(pool: Pool, mix: dict[str, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Network inputs and labels: (real, fake) of every face in the pool, in that order, pairwise."""
    crops, labels = pictures(pool, mix, rng)
    return to_input(crops), labels


class EpochMaker:
    """Makes each epoch's pictures in SHARDS seeded shards, in `workers` processes. They are
    spawned, not forked (a fork after OpenCV's threads have run can deadlock); each gets the pool
    once, at its start."""

    def __init__(self, pool: Pool, mix: dict[str, float], seed: int, workers: int = 1) -> None:
        self.pool, self.mix, self.seed = pool, mix, seed
        self.executor = None
        self.pending: dict[int, list] = {}
        if workers > 1:
            self.executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_adopt, initargs=(pool, mix))

    def submit(self, epoch: int) -> list:
        return [self.executor.submit(_shard_in_worker, (self.seed, epoch, n)) for n in range(SHARDS)]

    def shard(self, epoch: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        return _shard(self.pool, self.mix, self.seed, epoch, n)

    def epoch(self, epoch: int, prefetch: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The epoch's pictures; with workers and `prefetch`, the next epoch's are started before
        this returns (they are made while the network learns from these)."""
        if self.executor is None:
            parts = [self.shard(epoch, n) for n in range(SHARDS)]
        else:
            pending = self.pending.pop(epoch, None) or self.submit(epoch)
            if prefetch:
                self.pending[epoch + 1] = self.submit(epoch + 1)
            parts = [f.result() for f in pending]
        parts = [p for p in parts if len(p[1])]
        return to_input(np.concatenate([p[0] for p in parts])), np.concatenate([p[1] for p in parts])

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)


def _shard(pool: Pool, mix: dict[str, float], seed: int, epoch: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, epoch, n])
    faces = range(n, len(pool.faces), SHARDS)
    if not len(faces):
        return np.zeros((0, 1, 1, 3), np.uint8), np.zeros(0, np.float32)
    return pictures(pool, mix, rng, faces)


_WORKER: dict[str, object] = {}  # per worker process: the pool and mix it was started with


def _adopt(pool: Pool, mix: dict[str, float]) -> None:
    cv2.setNumThreads(1)
    _WORKER.update(pool=pool, mix=mix)


def _shard_in_worker(args: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    return _shard(_WORKER["pool"], _WORKER["mix"], *args)
