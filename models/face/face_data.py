"""The shared real face crops (../shared/data/faces) with landmarks and an identity-disjoint split."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@dataclass(frozen=True)
class Face:
    path: Path
    identity: str
    landmarks5: np.ndarray  # (5, 2) crop px


def is_test_identity(identity: str) -> bool:
    """About 20 % of identities, fixed by a hash of the name: never in training."""
    return int(hashlib.sha256(identity.encode()).hexdigest(), 16) % 5 == 0


def load_faces(data: Path = DATA) -> list[Face]:
    identities: dict[str, str] = {}
    with (data / "manifest.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["path"].startswith("faces/") and row["kind"] == "face_image":
                identities[row["path"]] = row["speaker_or_identity"]
    faces = []
    with (data / "faces" / "face_landmarks.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["path"] not in identities:
                continue
            pts = np.array([float(v) for v in row["landmarks5_xy"].split()]).reshape(5, 2)
            faces.append(Face(data / row["path"], identities[row["path"]], pts))
    return faces


def split(faces: list[Face]) -> tuple[list[Face], list[Face]]:
    train = [f for f in faces if not is_test_identity(f.identity)]
    test = [f for f in faces if is_test_identity(f.identity)]
    return train, test
