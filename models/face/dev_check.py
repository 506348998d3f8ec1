"""Recipe selection without looking at the test split: a fifth of the *training* identities
(`is_dev_identity`) is held out of fitting with `train_face_synthetic.py --dev`, and their
self-made swaps (swaps.py, evaluation only: these faces are not trained on in that run) give a
classifier AUC per swap kind. The shipped model is then trained on all training identities and
measured once on the test split (validate_face_synthetic.py).
"""

from __future__ import annotations

import hashlib

import cv2
import numpy as np

from face_data import Face
from swaps import lowres_swap, warp_swap

from verification.detectors.face_classifier import face_crop, to_input


def is_dev_identity(identity: str) -> bool:
    return int(hashlib.sha256(f"dev:{identity}".encode()).hexdigest(), 16) % 5 == 0


def jpeg(img: np.ndarray, q: int) -> np.ndarray:
    return cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)


def dev_inputs(faces: list[Face], images: list[np.ndarray], meshes: list[np.ndarray | None]) -> dict[str, np.ndarray]:
    """Network inputs of the dev faces and their swaps, as saved and at JPEG 60."""
    keep = [k for k, m in enumerate(meshes) if m is not None]
    out: dict[str, list[np.ndarray]] = {}
    for n, k in enumerate(keep):
        donor = keep[(n + 7) % len(keep)]
        if faces[donor].identity == faces[k].identity:
            donor = keep[(n + 8) % len(keep)]
        versions = {"real": images[k], "warp": warp_swap(images[donor], meshes[donor], images[k], meshes[k]),
                    "lowres": lowres_swap(images[k], meshes[k])}
        for name, img in versions.items():
            for tag, pic in (("", img), ("_jpeg60", jpeg(img, 60))):
                out.setdefault(name + tag, []).append(face_crop(pic, faces[k].landmarks5))
    return {k: to_input(np.stack(v)) for k, v in out.items()}
