"""Blockiness: clean real video reads clean, the same frames re-encoded at low JPEG quality read
heavily compressed, and the block grid is the frame's, not the region's."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from tests.media import SHARED_DATA
from verification.detectors.compression import HEAVY, blockiness, face_blockiness

GRID = SHARED_DATA / "video" / "talking_heads" / "grid" / "bbaf2n.mpg"


def _gray_frames(n: int = 6) -> list[np.ndarray]:
    if not GRID.is_file():
        pytest.skip(f"shared GRID clip missing: {GRID}")
    out = []
    with av.open(str(GRID)) as container:
        for k, frame in enumerate(container.decode(video=0)):
            if k % 10 == 0:
                out.append(frame.to_ndarray(format="gray"))
            if len(out) == n:
                break
    return out


def _jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    return cv2.imdecode(cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_GRAYSCALE)


def test_real_video_reads_clean_and_low_quality_jpeg_heavy() -> None:
    frames = _gray_frames()
    clean = [blockiness(f) for f in frames]
    heavy = [blockiness(_jpeg(f, 10)) for f in frames]
    assert max(clean) < 0.8 * HEAVY  # MPEG-1 at a normal bit rate (its first I-frame is the blockiest)
    assert min(heavy) > HEAVY


def test_grid_is_the_frames_so_a_shifted_region_still_reads_heavy() -> None:
    frame = _jpeg(_gray_frames(1)[0], 10)
    box = np.array([83, 61, 83 + 120, 61 + 120])  # not aligned to 8 px
    assert face_blockiness(frame, box) > HEAVY
    # measured with the wrong grid (as if the region started the grid), the blocks vanish
    assert blockiness(frame[61:181, 83:203]) < face_blockiness(frame, box)


def test_too_small_or_flat_regions_cannot_be_judged() -> None:
    assert np.isnan(blockiness(np.zeros((100, 100), np.uint8)))
    assert np.isnan(face_blockiness(np.zeros((100, 100), np.uint8), np.array([10, 10, 30, 30])))


def test_face_synthetic_does_not_judge_a_heavily_compressed_face() -> None:
    import dataclasses
    from pathlib import Path

    import onnxruntime as ort

    from tests.verification.test_video_support import grid_clip, run
    from verification.detectors.face_classifier import FaceClassifier
    from verification.detectors.face_synthetic import FaceSyntheticDetector

    model = Path(__file__).resolve().parents[2] / "models" / "face" / "face_synthetic.onnx"
    classifier = FaceClassifier(ort.InferenceSession(str(model), providers=["CPUExecutionProvider"]))
    clip = grid_clip("bbaf2n.mpg")
    clean = run(FaceSyntheticDetector(classifier), clip.frames, clip.faces)
    assert clean.status == "ok" and clean.details["blockiness"] < HEAVY

    def crushed(image: np.ndarray) -> np.ndarray:  # the same call through a JPEG-quality-8 link
        return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 8])[1], cv2.IMREAD_COLOR)

    frames = [dataclasses.replace(f, image=crushed(f.image)) for f in clip.frames]
    result = run(FaceSyntheticDetector(classifier), frames, clip.faces)
    assert result.status == "not_applicable"
    assert result.reason.startswith("heavy compression over the face")
