"""Iris landmarks for both eyes from 64x64 eye crops placed by the face mesh.

Model contract (MediaPipe iris landmark, converted to ONNX): input (N, 3, 64, 64) RGB in [0, 1]
showing one eye with its brow; outputs (N, 213) = 71 eye-contour points and (N, 15) = 5 iris points
(centre, then 4 on the rim), x, y, z in crop pixels. It was trained on the image-left eye only:
the image-right eye is mirrored into that form and the result mirrored back.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from verification.vision.crops import warp
from verification.vision.onnx_runner import OnnxRunner

INPUT_SIZE = 64
NUM_CONTOUR = 71
NUM_IRIS = 5
ROI_SCALE = 2.3  # eye crop side / eye-corner distance: the eye plus brow and margin, as in training
# Mesh eye corners, ordered so the vector points towards the image right for both eyes.
EYE_CORNERS = ((33, 133), (362, 263))


def eye_crop_matrices(mesh: np.ndarray) -> np.ndarray:
    """(K, 2, 2, 3) frame->crop matrices for [image-left eye, image-right eye] of K meshes,
    the image-right eye mirrored horizontally."""
    meshes = mesh.reshape(-1, mesh.shape[-2], mesh.shape[-1])
    corners = np.stack([meshes[:, list(pair), :2] for pair in EYE_CORNERS], axis=1).astype(np.float64)
    a, b = corners[:, :, 0], corners[:, :, 1]  # (K, 2, 2)
    centre = (a + b) / 2.0
    d = b - a
    dist = np.maximum(np.hypot(d[..., 0], d[..., 1]), 1e-3)
    k = INPUT_SIZE / (dist * ROI_SCALE)  # crop px per frame px
    cos, sin = d[..., 0] / dist * k, d[..., 1] / dist * k
    half = INPUT_SIZE / 2.0
    m = np.empty(centre.shape[:2] + (2, 3))
    m[..., 0, 0], m[..., 0, 1] = cos, sin
    m[..., 1, 0], m[..., 1, 1] = -sin, cos
    m[..., 0, 2] = half - cos * centre[..., 0] - sin * centre[..., 1]
    m[..., 1, 2] = half + sin * centre[..., 0] - cos * centre[..., 1]
    # Mirror the image-right eye inside its crop: x' = size - x.
    m[:, 1, 0, :] *= -1.0
    m[:, 1, 0, 2] += INPUT_SIZE
    return m


class IrisLandmarks:
    def __init__(self, session: ort.InferenceSession) -> None:
        self.runner = OnnxRunner(session, "iris")

    def predict(self, image_bgr: np.ndarray, meshes: np.ndarray) -> np.ndarray:
        """(K, 2, 5, 2) float32 iris points in frame px for K meshes (K, 468, 3)."""
        k = len(meshes)
        if k == 0:
            return np.zeros((0, 2, NUM_IRIS, 2), np.float32)
        mats = eye_crop_matrices(meshes).reshape(2 * k, 2, 3)
        crops = np.stack([warp(image_bgr, m, INPUT_SIZE) for m in mats])
        x = np.ascontiguousarray(crops[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
        x *= np.float32(1.0 / 255.0)
        _contour, iris = self.runner.run(x)
        pts = iris.reshape(2 * k, NUM_IRIS, 3)[..., :2].astype(np.float64)
        # Inverse of each (possibly mirrored) similarity takes crop px back to the frame.
        inv_lin = np.linalg.inv(mats[:, :, :2])
        xy: np.ndarray = np.einsum("kij,kpj->kpi", inv_lin, pts - mats[:, None, :, 2])
        return xy.reshape(k, 2, NUM_IRIS, 2).astype(np.float32)
