"""RetinaFace detection on real face crops against the reference boxes and landmarks."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.verification.test_vision_support import labelled_faces, new_pipeline, read_bgr
from verification.vision.crops import aligned_face_crop
from verification.vision.nms import iou_matrix


def test_london_faces_match_the_reference_annotations() -> None:
    detector = new_pipeline().detector
    faces = labelled_faces("london_set")
    assert len(faces) == 204
    ious, errors = [], []
    for face in faces:
        found = detector.detect(read_bgr(face.path))
        assert found, f"no face in {face.path.name}"
        best = max(found, key=lambda d: iou_matrix(d.box, face.box)[0, 0])
        ious.append(iou_matrix(best.box, face.box)[0, 0])
        eye_dist = np.linalg.norm(face.landmarks5[1] - face.landmarks5[0])
        errors.append(np.linalg.norm(best.landmarks5 - face.landmarks5, axis=1).max() / eye_dist)
        # landmarks lie inside the box, in the documented order
        x0, y0, x1, y1 = best.box
        assert np.all((best.landmarks5 >= [x0, y0]) & (best.landmarks5 <= [x1, y1]))
        lm = best.landmarks5
        assert lm[0, 0] < lm[1, 0] and lm[3, 0] < lm[4, 0] and lm[0, 1] < lm[3, 1]
    # The reference came from the full-size photos, ours from 256 px JPEG crops: close, not equal.
    assert min(ious) > 0.75 and np.median(ious) > 0.88
    assert max(errors) < 0.25 and np.median(errors) < 0.12


def test_downscaled_detection_and_min_face_size() -> None:
    face = labelled_faces("london_set")[0]
    image = read_bgr(face.path)
    big = cv2.resize(image, (1024, 1024), interpolation=cv2.INTER_CUBIC)  # face ~680 px tall
    pipeline = new_pipeline(detect_max_side=320)
    found = pipeline.detector.detect(big)
    assert len(found) == 1
    # boxes come back in frame pixels even though the network saw 320 px
    assert iou_matrix(found[0].box, face.box * 4)[0, 0] > 0.75
    small = cv2.resize(image, (48, 48), interpolation=cv2.INTER_AREA)  # face ~32 px tall
    padded = cv2.copyMakeBorder(small, 100, 100, 100, 100, cv2.BORDER_CONSTANT, value=(40, 40, 40))
    assert new_pipeline(min_face_px=20).detector.detect(padded)
    assert new_pipeline(min_face_px=40).detector.detect(padded) == []


def test_blank_frames_give_no_faces() -> None:
    pipeline = new_pipeline()
    assert pipeline.detector.detect(np.zeros((480, 640, 3), np.uint8)) == []
    noise = np.random.default_rng(1).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    assert pipeline.process(noise, 0.0) == []


@pytest.mark.parametrize("index", [0, 50, 101])
def test_aligned_crop_of_a_detection_is_an_upright_face(index: int) -> None:
    face = labelled_faces("london_set")[index]
    image = read_bgr(face.path)
    rotated = cv2.warpAffine(image, cv2.getRotationMatrix2D((128, 128), 25, 1.0), (256, 256))
    found = new_pipeline().detector.detect(rotated)
    assert len(found) == 1
    crop, _ = aligned_face_crop(rotated, found[0].landmarks5, size=192)
    again = new_pipeline(min_face_px=16).detector.detect(crop)
    assert again, "the aligned crop should still be a detectable face"
    eyes = again[0].landmarks5[:2]
    # upright again: the eye line is within a few degrees of horizontal
    assert abs(np.degrees(np.arctan2(*(eyes[1] - eyes[0])[::-1]))) < 6
