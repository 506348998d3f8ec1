"""The project-trained face-swap classifier (`face_synthetic` model): crop geometry and inference.

Training (models/face/train_face_synthetic.py) and the detector use the same `face_crop`, so the
network sees faces exactly as it was trained on them: a similarity transform puts the 5
landmarks on a fixed layout with room around the face, where swap boundaries lie.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from verification.vision.crops import ALIGNED_TEMPLATE_112, similarity_from_points

MODEL_ID = "face_synthetic"
CROP = 96
# The recognition layout shrunk to 75 % (eyes ~26 px apart): the whole face with its outline, where
# swap boundaries lie, fills the crop.
TEMPLATE = (ALIGNED_TEMPLATE_112 - np.array([56.0, 66.0])) * 0.75 + np.array([CROP / 2.0, 50.7])
# Looser layout (eyes ~19 px apart) with a band of hair/background/neck: the hand-crafted cues
# compare the face with its surroundings.
WIDE_TEMPLATE = (ALIGNED_TEMPLATE_112 - np.array([56.0, 66.0])) * 0.55 + np.array([CROP / 2.0, 46.0])
TEMPLATE.setflags(write=False)
WIDE_TEMPLATE.setflags(write=False)


def landmarks_usable(landmarks5: np.ndarray, min_eye_px: float = 2.0) -> bool:
    """False for degenerate or non-finite landmarks (no similarity transform exists for them)."""
    lm = np.asarray(landmarks5, dtype=np.float64)
    return bool(np.isfinite(lm).all() and np.hypot(*(lm[1] - lm[0])) >= min_eye_px)


def face_crop(image_bgr: np.ndarray, landmarks5: np.ndarray, size: int = CROP, wide: bool = False) -> np.ndarray:
    """(size, size, 3) uint8 BGR face crop aligned on the 5 landmarks (classifier layout, or `wide`)."""
    template = WIDE_TEMPLATE if wide else TEMPLATE
    m = similarity_from_points(np.asarray(landmarks5, dtype=np.float64), template * (size / CROP))
    return cv2.warpAffine(image_bgr, m, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)


def to_input(crops_bgr: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 BGR -> (N, 3, H, W) float32 RGB in [0, 1] (the model normalises itself)."""
    x = np.ascontiguousarray(crops_bgr[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
    x *= np.float32(1.0 / 255.0)
    return x


class FaceClassifier:
    """Probability that a face crop is a swap/blend, from an onnxruntime session."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.input_name = session.get_inputs()[0].name

    def predict(self, crops_bgr: np.ndarray) -> np.ndarray:
        if len(crops_bgr) == 0:
            return np.zeros(0, np.float32)
        (prob,) = self.session.run(None, {self.input_name: to_input(crops_bgr)})
        return np.asarray(prob, dtype=np.float32).reshape(-1)
