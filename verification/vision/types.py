"""What the face pipeline reports: detections, head pose and per-track observations.

Coordinates are frame pixels (x right, y down) of the image passed to `FacePipeline.process`.
Landmark order (`landmarks5`): image-left eye, image-right eye, nose tip, image-left mouth
corner, image-right mouth corner. "Left"/"right" are image sides, not the subject's: for a
person facing an unmirrored camera, the image-left eye is their right eye.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class FaceDetection:
    box: np.ndarray  # (4,) float32: x0, y0, x1, y1
    score: float
    landmarks5: np.ndarray  # (5, 2) float32

    @property
    def width(self) -> float:
        return float(self.box[2] - self.box[0])

    @property
    def height(self) -> float:
        return float(self.box[3] - self.box[1])


@dataclass(frozen=True, slots=True)
class HeadPose:
    """Degrees. yaw > 0: the face turns towards the image right (its nose moves right);
    pitch > 0: chin up (nose moves up); roll > 0: the face tilts clockwise in the image
    (the image-right eye lower than the image-left eye)."""

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True, slots=True)
class FaceObservation:
    track_id: int
    box: np.ndarray  # (4,) float32 x0, y0, x1, y1, on the detector's box convention
    score: float  # detector score on detection frames, mesh face confidence otherwise
    landmarks5: np.ndarray  # (5, 2) float32
    mesh: np.ndarray | None  # (468, 3) float32: x, y in frame px; z relative depth, px scale
    iris: np.ndarray | None  # (2, 5, 2) float32: [image-left eye, image-right eye], centre first
    head_pose: HeadPose | None
    detected: bool  # True on detection frames; False when carried by the tracker
    pts: float = 0.0  # media time of the frame, seconds
