"""Pure maths of the face pipeline (no models): priors, decoding, NMS, transforms, ROIs, pose."""

from __future__ import annotations

import numpy as np
import pytest

from verification.vision.anchors import decode_boxes, decode_landmarks, prior_boxes
from verification.vision.crops import (
    ALIGNED_TEMPLATE_112,
    SquareRoi,
    aligned_face_crop,
    apply_affine,
    invert_affine,
    roi_matrix,
    similarity_from_points,
)
from verification.vision.head_pose import POSE_INDICES, POSE_TEMPLATE, head_pose_from_mesh
from verification.vision.iris import eye_crop_matrices
from verification.vision.mesh import (
    LANDMARKS5_IN_ROI,
    box_from_roi,
    landmarks5_from_mesh,
    roi_from_detection,
    roi_from_mesh,
)
from verification.vision.nms import iou_matrix, nms


def test_prior_count_order_and_values() -> None:
    p = prior_boxes(64, 96)
    # stride 8: 8x12 cells, stride 16: 4x6, stride 32: 2x3; two sizes per cell
    assert p.shape == ((8 * 12 + 4 * 6 + 2 * 3) * 2, 4)
    # first cell of stride 8: both sizes, then the next cell along x
    np.testing.assert_allclose(p[:4], [[4, 4, 16, 16], [4, 4, 32, 32], [12, 4, 16, 16], [12, 4, 32, 32]])
    # the second row of stride 8 starts after 12 cells
    np.testing.assert_allclose(p[24, :2], [4, 12])
    # stride 32 block is last, with the largest priors
    np.testing.assert_allclose(p[-1], [80, 48, 512, 512])
    # odd sizes round the feature maps up
    assert len(prior_boxes(65, 97)) == (9 * 13 + 5 * 7 + 3 * 4) * 2


def test_decode_zero_offsets_gives_the_prior() -> None:
    priors = np.array([[50, 60, 20, 40]], dtype=np.float32)
    np.testing.assert_allclose(decode_boxes(np.zeros((1, 4)), priors), [[40, 40, 60, 80]])
    loc = np.array([[1.0, -1.0, np.log(2) / 0.2, 0.0]])
    np.testing.assert_allclose(decode_boxes(loc, priors), [[50 + 2 - 20, 60 - 4 - 20, 52 + 20, 56 + 20]], rtol=1e-6)
    lms = decode_landmarks(np.tile([1.0, 0.5], 5)[None], priors)
    assert lms.shape == (1, 5, 2)
    np.testing.assert_allclose(lms[0, 0], [52, 62])


def test_iou_and_nms() -> None:
    a = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [100, 100, 110, 110]], dtype=float)
    iou = iou_matrix(a, a)
    np.testing.assert_allclose(np.diag(iou), 1)
    assert iou[0, 1] == pytest.approx(50 / 150)
    assert iou[0, 2] == 0
    assert iou_matrix(np.array([0, 0, 0, 0]), a).max() == 0  # empty box: no overlap, no NaN
    keep = nms(a, np.array([0.5, 0.9, 0.8]), iou_threshold=0.3)
    assert keep.tolist() == [1, 2]  # box 0 overlaps the better box 1 by 0.33
    assert nms(a, np.array([0.5, 0.9, 0.8]), iou_threshold=0.4).tolist() == [1, 2, 0]
    assert nms(a, np.array([0.5, 0.9, 0.8]), 0.4, max_keep=1).tolist() == [1]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.4).tolist() == []


def test_similarity_recovers_a_known_transform() -> None:
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (5, 2))
    angle, scale, t = 0.3, 1.7, np.array([12.0, -4.0])
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = src @ rot.T + t
    m = similarity_from_points(src, dst)
    np.testing.assert_allclose(m[:, :2], rot, atol=1e-9)
    np.testing.assert_allclose(m[:, 2], t, atol=1e-9)
    np.testing.assert_allclose(apply_affine(invert_affine(m), dst), src, atol=1e-9)
    # a mirrored target cannot be reached: the fit stays a proper rotation (det > 0)
    mirrored = similarity_from_points(src, dst * [-1, 1])
    assert np.linalg.det(mirrored[:, :2]) > 0
    with pytest.raises(ValueError):
        similarity_from_points(np.ones((3, 2)), dst[:3])


def test_aligned_crop_puts_landmarks_on_the_template() -> None:
    image = np.zeros((300, 400, 3), np.uint8)
    lms = ALIGNED_TEMPLATE_112 * 2.0 + [100, 40]
    crop, m = aligned_face_crop(image, lms, size=224)
    assert crop.shape == (224, 224, 3)
    np.testing.assert_allclose(apply_affine(m, lms), ALIGNED_TEMPLATE_112 * 2, atol=1e-6)


def test_square_roi_round_trip() -> None:
    roi = SquareRoi(center=np.array([200.0, 150.0]), side=80.0, angle=0.4)
    m = roi.matrix(192)
    # the centre maps to the crop centre, the crop's x axis follows the angle
    np.testing.assert_allclose(apply_affine(m, roi.center), [96, 96], atol=1e-9)
    along = roi.center + 40 * np.array([np.cos(0.4), np.sin(0.4)])
    np.testing.assert_allclose(apply_affine(m, along), [192, 96], atol=1e-9)
    back = SquareRoi.from_unit_similarity(roi_matrix(roi.center, roi.side, roi.angle, 1))
    np.testing.assert_allclose(back.center, roi.center)
    assert back.side == pytest.approx(80.0)
    assert back.angle == pytest.approx(0.4)


def test_roi_from_detection_follows_the_face() -> None:
    # landmarks laid out on the template inside a known ROI, with the box that goes with it,
    # give that ROI back
    roi = SquareRoi(center=np.array([320.0, 240.0]), side=150.0, angle=-0.2)
    to_frame = invert_affine(roi.matrix(1))
    lms = apply_affine(to_frame, LANDMARKS5_IN_ROI)
    upright = SquareRoi(roi.center, roi.side, 0.0)
    box_centre = (box_from_roi(upright)[:2] + box_from_roi(upright)[2:]) / 2
    # the box centre of the rotated face: rotate the upright offset by the face angle
    offset = box_centre - roi.center
    c, s = np.cos(-0.2), np.sin(-0.2)
    centre = roi.center + np.array([[c, -s], [s, c]]) @ offset
    box = np.concatenate([centre - 50, centre + 50])
    got = roi_from_detection(box, lms)
    np.testing.assert_allclose(got.center, roi.center, atol=1e-6)
    assert got.side == pytest.approx(150.0)
    assert got.angle == pytest.approx(-0.2)
    box = box_from_roi(SquareRoi(np.array([100.0, 100.0]), 100.0, 0.0))
    assert box[0] < 100 < box[2] and box[1] < 100 < box[3]
    assert box[3] - box[1] > box[2] - box[0]  # detector boxes are taller than wide


def _synthetic_mesh(yaw: float, pitch: float, roll: float, scale: float = 300.0) -> np.ndarray:
    """A mesh whose pose points are the frontal template rotated by the given angles (degrees)."""
    y, p, r = np.radians([yaw, pitch, roll])
    # y down, z away from the camera: yaw>0 turns the nose (-z) towards +x, pitch>0 lifts it (-y).
    ry = np.array([[np.cos(y), 0, -np.sin(y)], [0, 1, 0], [np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), np.sin(p)], [0, -np.sin(p), np.cos(p)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    mesh = np.zeros((468, 3))
    mesh[POSE_INDICES] = (POSE_TEMPLATE * scale) @ (rz @ rx @ ry).T + [400, 300, 0]
    return mesh


@pytest.mark.parametrize(("yaw", "pitch", "roll"), [(0, 0, 0), (25, 0, 0), (-30, 10, 0), (0, -15, 20), (10, 5, -8)])
def test_head_pose_recovers_synthetic_angles(yaw: float, pitch: float, roll: float) -> None:
    pose = head_pose_from_mesh(_synthetic_mesh(yaw, pitch, roll))
    assert pose.yaw == pytest.approx(yaw, abs=0.5)
    assert pose.pitch == pytest.approx(pitch, abs=0.5)
    assert pose.roll == pytest.approx(roll, abs=0.5)


def test_head_pose_of_a_mirror_image_flips_yaw_and_roll() -> None:
    mesh = _synthetic_mesh(20, 8, 6)
    mirrored = mesh.copy()
    mirrored[:, 0] = 800 - mirrored[:, 0]
    # a mirror image swaps the anatomical left/right landmark indices
    from verification.vision.head_pose import _PAIRS

    for left, right, *_ in _PAIRS:
        mirrored[[left, right]] = mirrored[[right, left]]
    a, b = head_pose_from_mesh(mesh), head_pose_from_mesh(mirrored)
    assert b.yaw == pytest.approx(-a.yaw, abs=0.5)
    assert b.roll == pytest.approx(-a.roll, abs=0.5)
    assert b.pitch == pytest.approx(a.pitch, abs=0.5)


def test_mesh_roi_and_landmarks_are_rotation_aware() -> None:
    mesh = _synthetic_mesh(0, 0, 30)
    roi = roi_from_mesh(mesh)
    assert np.degrees(roi.angle) == pytest.approx(30, abs=0.5)
    lms = landmarks5_from_mesh(np.nan_to_num(mesh))
    assert lms.shape == (5, 2)


def test_eye_crops_mirror_the_image_right_eye() -> None:
    mesh = np.zeros((468, 3))
    mesh[[33, 133, 362, 263], :2] = [[100, 200], [130, 200], [170, 200], [200, 200]]
    m = eye_crop_matrices(mesh)[0]
    assert m.shape == (2, 2, 3)
    # left eye: outer corner (33) on the crop's left; right eye mirrored: outer corner (263) on the left
    assert apply_affine(m[0], [100, 200])[0] < 32 < apply_affine(m[0], [130, 200])[0]
    assert apply_affine(m[1], [200, 200])[0] < 32 < apply_affine(m[1], [170, 200])[0]
    np.testing.assert_allclose(apply_affine(m[1], [185, 200]), [32, 32])
    # both crops are 2.3 eye widths wide
    assert abs(np.linalg.det(m[0][:, :2])) == pytest.approx((64 / (30 * 2.3)) ** 2)
