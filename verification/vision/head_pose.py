"""Head pose (yaw, pitch, roll) from a face mesh by rigid 3D alignment to a frontal template.

The mesh gives x, y in pixels and z on the same scale, so under an orthographic camera the pose is
the rotation of the best scaled-rigid fit (Kabsch/Umeyama) of a frontal template to the mesh.
No camera intrinsics are needed, which suits screen captures of unknown call apps.
"""

from __future__ import annotations

import numpy as np

from verification.vision.types import HeadPose

# Frontal template: mesh index pairs (image-left, image-right) with the image-left point's x, y, z
# (mirrored for its partner), then midline points (index, y, z). Units: ROI side; x right, y down,
# z away from the camera. Measured as the median mesh of the London set's neutral faces and their
# mirror images, in the eye-aligned mesh ROI, then made exactly symmetric: a mirror image of a
# face gets the opposite yaw and roll.
_PAIRS: tuple[tuple[int, int, float, float, float], ...] = (
    (33, 263, -0.1865, -0.0779, -0.0122),
    (133, 362, -0.0718, -0.0737, -0.0345),
    (159, 386, -0.1358, -0.0972, -0.0462),
    (145, 374, -0.1323, -0.0626, -0.0430),
    (61, 291, -0.1040, 0.1945, -0.0650),
    (70, 300, -0.2356, -0.1387, -0.0023),
    (105, 334, -0.1699, -0.1797, -0.0627),
    (107, 336, -0.0604, -0.1750, -0.1003),
    (234, 454, -0.2861, 0.0083, 0.2113),
    (93, 323, -0.2832, 0.0667, 0.2086),
    (132, 361, -0.2748, 0.1294, 0.1939),
    (58, 288, -0.2564, 0.1946, 0.1643),
    (172, 397, -0.2305, 0.2462, 0.1186),
    (127, 356, -0.2893, -0.0500, 0.1961),
    (162, 389, -0.2853, -0.1124, 0.1580),
    (21, 251, -0.2721, -0.1637, 0.1079),
    (54, 284, -0.2460, -0.2129, 0.0603),
    (103, 332, -0.2058, -0.2525, 0.0081),
    (67, 297, -0.1445, -0.2791, -0.0362),
    (109, 338, -0.0783, -0.2915, -0.0625),
    (129, 358, -0.0852, 0.0700, -0.0861),
    (50, 280, -0.2010, 0.0556, -0.0453),
    (148, 377, -0.0525, 0.3683, -0.0572),
    (176, 400, -0.0929, 0.3549, -0.0360),
)
_MIDLINE: tuple[tuple[int, float, float], ...] = (
    (1, 0.0717, -0.1988),
    (4, 0.0441, -0.2066),
    (6, -0.0714, -0.1214),
    (10, -0.2941, -0.0680),
    (152, 0.3726, -0.0652),
    (168, -0.1026, -0.1011),
    (0, 0.1623, -0.1412),
    (17, 0.2339, -0.1259),
    (13, 0.1890, -0.1190),
    (14, 0.1957, -0.1181),
    (199, 0.3249, -0.1071),
    (9, -0.1698, -0.1031),
)


def _template() -> tuple[np.ndarray, np.ndarray]:
    idx: list[int] = []
    pts: list[tuple[float, float, float]] = []
    for left, right, x, y, z in _PAIRS:
        idx += [left, right]
        pts += [(x, y, z), (-x, y, z)]
    for i, y, z in _MIDLINE:
        idx.append(i)
        pts.append((0.0, y, z))
    arr = np.asarray(pts, dtype=np.float64)
    arr -= arr.mean(axis=0)
    index = np.asarray(idx, dtype=np.intp)
    arr.setflags(write=False)  # shared constants: read-only
    index.setflags(write=False)
    return index, arr


POSE_INDICES, POSE_TEMPLATE = _template()


def rotation_from_mesh(mesh: np.ndarray) -> np.ndarray:
    """3x3 rotation taking the frontal template's axes to the face's (proper rotation, det +1)."""
    p = mesh[POSE_INDICES].astype(np.float64)
    p -= p.mean(axis=0)
    u, _s, vt = np.linalg.svd(POSE_TEMPLATE.T @ p)
    d = np.sign(np.linalg.det(vt.T @ u.T)) or 1.0
    rot: np.ndarray = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return rot


def pose_from_rotation(rot: np.ndarray) -> HeadPose:
    """Angles of rot = Rz(roll) @ Rx(pitch) @ Ry(yaw): turn, then nod, then tilt in the image plane.

    This order makes a mirror image exactly (-yaw, pitch, -roll)."""
    down = rot @ np.array([0.0, 1.0, 0.0])  # the face's chin direction, unaffected by yaw
    roll = np.arctan2(-down[0], down[1])
    c, s = np.cos(roll), np.sin(roll)
    untilted = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]]) @ rot  # Rz(-roll) @ rot
    forward = untilted @ np.array([0.0, 0.0, -1.0])  # out of the face, towards the camera
    yaw = np.arctan2(forward[0], np.hypot(forward[1], forward[2]))
    pitch = np.arctan2(-forward[1], -forward[2])
    return HeadPose(yaw=float(np.degrees(yaw)), pitch=float(np.degrees(pitch)), roll=float(np.degrees(roll)))


def head_pose_from_mesh(mesh: np.ndarray) -> HeadPose:
    return pose_from_rotation(rotation_from_mesh(mesh))
