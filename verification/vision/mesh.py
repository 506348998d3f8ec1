"""468-point face mesh from a rotation-aligned 192x192 crop, and the ROI geometry around it.

Model contract (MediaPipe face landmark, converted to ONNX): input (N, 3, 192, 192) RGB in [0, 1];
outputs (N, 1404, ...) = 468 x (x, y, z) in crop pixels (z: relative depth on the x scale, negative
towards the camera) and (N, 1, ...) a face-presence logit.

The model was trained on square ROIs 1.5x the extent of the mesh, rotated so the eye line is
horizontal. `roi_from_mesh` reproduces that; `roi_from_detection` approximates the same ROI from
a RetinaFace detection through templates measured on our face sets (below).
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from verification.vision.crops import SquareRoi, similarity_from_points, warp
from verification.vision.onnx_runner import OnnxRunner

INPUT_SIZE = 192
NUM_POINTS = 468
ROI_SCALE = 1.5  # ROI side / mesh extent, as in training
PRESENCE_THRESHOLD = 0.5

# Mesh indices: image-left and image-right outer eye corners (they set the ROI rotation).
LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 33, 263
# Eye contours (16 points each); their mean is the eye centre used for `landmarks5`.
LEFT_EYE_CONTOUR = (33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173)
RIGHT_EYE_CONTOUR = (263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398)
NOSE_TIP, MOUTH_LEFT, MOUTH_RIGHT = 4, 61, 291

# Where RetinaFace's 5 landmarks fall inside the converged mesh ROI, in unit ROI coordinates.
# Measured: ~1000 faces (London, Canada, Pixabay sets and their mirror images), mesh ROI iterated
# to a fixed point, mean position, then made left/right symmetric.
LANDMARKS5_IN_ROI = np.array(
    [[0.3712, 0.3783], [0.6288, 0.3783], [0.5, 0.5270], [0.3944, 0.6558], [0.6056, 0.6558]], dtype=np.float64
)
# RetinaFace's box in the same unit ROI coordinates (same measurement): lets mesh-tracked faces
# be matched against fresh detections by IoU.
DETECTOR_BOX_IN_ROI = np.array([0.2167, 0.0903, 0.7833, 0.8495], dtype=np.float64)
LANDMARKS5_IN_ROI.setflags(write=False)  # shared constants: read-only
DETECTOR_BOX_IN_ROI.setflags(write=False)


def roi_from_detection(box: np.ndarray, landmarks5: np.ndarray) -> SquareRoi:
    """The mesh ROI for a fresh detection.

    Each cue from its most robust source (measured on ~1000 faces, upright and rolled 30 degrees):
    the centre from the box (5 points bunch up on one side of a turned head), the size from a
    similarity fit of the 5 points to their template (rotation-invariant, unlike an axis-aligned
    box), the rotation from the mean of the eye line and the eyes-to-mouth axis (the eye line
    alone is unreliable on turned heads).
    """
    lm = np.asarray(landmarks5, dtype=np.float64)
    side = SquareRoi.from_unit_similarity(similarity_from_points(lm, LANDMARKS5_IN_ROI)).side
    eye_line = lm[1] - lm[0]
    down = (lm[3] + lm[4] - lm[0] - lm[1]) / 2.0
    # Unit vectors along the eye line and along the face's "right" derived from its down axis.
    a = eye_line / max(float(np.hypot(*eye_line)), 1e-9)
    b = np.array([down[1], -down[0]]) / max(float(np.hypot(*down)), 1e-9)
    angle = float(np.arctan2(a[1] + b[1], a[0] + b[0]))
    centre = (np.asarray(box[:2], np.float64) + np.asarray(box[2:], np.float64)) / 2.0
    # The box sits a little above the ROI centre (see DETECTOR_BOX_IN_ROI): shift along "down".
    shift = (0.5 - (DETECTOR_BOX_IN_ROI[1] + DETECTOR_BOX_IN_ROI[3]) / 2.0) * side
    centre += shift * np.array([-np.sin(angle), np.cos(angle)])
    return SquareRoi(center=centre, side=float(side), angle=angle)


def roi_from_mesh(mesh: np.ndarray) -> SquareRoi:
    """The ROI the model expects for the next frame: eye-line rotation, square 1.5x the extent."""
    d = mesh[RIGHT_EYE_OUTER, :2] - mesh[LEFT_EYE_OUTER, :2]
    angle = float(np.arctan2(d[1], d[0]))
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, s], [-s, c]])  # frame -> face-aligned axes
    q = mesh[:, :2] @ rot.T
    lo, hi = q.min(axis=0), q.max(axis=0)
    centre = rot.T @ ((lo + hi) / 2.0)
    return SquareRoi(center=centre, side=float((hi - lo).max() * ROI_SCALE), angle=angle)


def box_from_roi(roi: SquareRoi) -> np.ndarray:
    """Axis-aligned detector-convention box (x0, y0, x1, y1) for a face whose mesh ROI is `roi`."""
    x0, y0, x1, y1 = DETECTOR_BOX_IN_ROI
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]) - 0.5
    c, s = np.cos(roi.angle), np.sin(roi.angle)
    frame = corners @ (np.array([[c, -s], [s, c]]).T * roi.side) + roi.center
    return np.concatenate([frame.min(axis=0), frame.max(axis=0)]).astype(np.float32)


def landmarks5_from_mesh(mesh: np.ndarray) -> np.ndarray:
    """RetinaFace-like 5 points from a mesh (within ~5% of the eye distance of the detector's)."""
    xy = mesh[..., :2]
    return np.stack(
        [
            xy[..., LEFT_EYE_CONTOUR, :].mean(axis=-2),
            xy[..., RIGHT_EYE_CONTOUR, :].mean(axis=-2),
            xy[..., NOSE_TIP, :],
            xy[..., MOUTH_LEFT, :],
            xy[..., MOUTH_RIGHT, :],
        ],
        axis=-2,
    ).astype(np.float32)


class FaceMesh:
    def __init__(self, session: ort.InferenceSession, presence_threshold: float = PRESENCE_THRESHOLD) -> None:
        self.runner = OnnxRunner(session, "face_mesh")
        self.presence_threshold = presence_threshold

    def predict(self, image_bgr: np.ndarray, rois: list[SquareRoi]) -> tuple[np.ndarray, np.ndarray]:
        """Meshes (K, 468, 3) float32 in frame px and presence probabilities (K,) for K ROIs."""
        if not rois:
            return np.zeros((0, NUM_POINTS, 3), np.float32), np.zeros(0, np.float32)
        mats = np.stack([r.matrix(INPUT_SIZE) for r in rois])
        crops = np.stack([warp(image_bgr, m, INPUT_SIZE) for m in mats])
        # BGR uint8 NHWC -> RGB float NCHW in [0, 1], one pass over the whole batch.
        x = np.ascontiguousarray(crops[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
        x *= np.float32(1.0 / 255.0)
        raw, logit = self.runner.run(x)
        pts = raw.reshape(len(rois), NUM_POINTS, 3).astype(np.float64)
        presence = 1.0 / (1.0 + np.exp(-logit.reshape(len(rois)).astype(np.float64)))
        return _to_frame(pts, mats), presence.astype(np.float32)


def _to_frame(pts: np.ndarray, mats: np.ndarray) -> np.ndarray:
    """Crop-pixel (K, P, 3) points to frame pixels through the inverse of each similarity."""
    lin = mats[:, :, :2]
    inv_lin = np.linalg.inv(lin)  # (K, 2, 2)
    scale = np.sqrt(np.abs(np.linalg.det(lin)))  # crop px per frame px
    xy = np.einsum("kij,kpj->kpi", inv_lin, pts[..., :2] - mats[:, None, :, 2])
    z = pts[..., 2:] / scale[:, None, None]
    return np.concatenate([xy, z], axis=-1).astype(np.float32)
