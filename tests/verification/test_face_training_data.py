"""face_synthetic training pictures (models/face): mesh-fitted cross-identity blends change the
inner face only and carry the donor's texture there; an epoch's pictures are the same whether one
process or several make them; the mesh cache is keyed inside the data folder."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.verification.test_video_support import observe_once
from tests.verification.test_vision_support import data_or_skip

FACE_DIR = Path(__file__).resolve().parents[2] / "models" / "face"


@pytest.fixture(scope="module")
def faces() -> list:
    """Six shared training faces with their meshes (from the project's face pipeline)."""
    data_or_skip("manifest.csv")
    sys.path.insert(0, str(FACE_DIR))
    from face_data import load_faces, split

    train, _test = split(load_faces())
    picked = [f for f in train if "london_set/neutral" in str(f.path)][:6]
    out = []
    for f in picked:
        img = cv2.imread(str(f.path))
        out.append((f, img, observe_once(cv2.resize(img, (512, 512))).mesh / 2.0))
    return out


def test_fitted_cross_blend_changes_only_the_inner_face(faces: list) -> None:
    from fitted_cross import fitted_cross
    from mesh_masks import eye_distance

    (_f, dst, dst_mesh), (_g, src, src_mesh) = faces[0], faces[1]
    rng = np.random.default_rng(0)
    for _ in range(6):
        fake = fitted_cross(dst, dst_mesh, src, src_mesh, rng)
        assert fake.shape == dst.shape and fake.dtype == np.uint8
        diff = np.abs(fake.astype(np.int16) - dst.astype(np.int16)).max(axis=2)
        # Off the face (beyond the widest mask growth and its feathering) nothing moves but a
        # rounding step where the feathered mask's tail is a hair above zero.
        pts = dst_mesh[:, :2]
        ys, xs = np.mgrid[0:dst.shape[0], 0:dst.shape[1]]
        near = np.min(np.hypot(xs[..., None] - pts[:, 0], ys[..., None] - pts[:, 1]), axis=2)
        far = near > 0.8 * eye_distance(dst_mesh)
        assert diff[far].max() <= 1
        # Between the eyes and the mouth the donor's texture replaced the target's.
        centre = np.round(pts[[1, 6, 168]].mean(axis=0)).astype(int)
        patch = (slice(centre[1] - 12, centre[1] + 12), slice(centre[0] - 12, centre[0] + 12))
        assert diff[patch].mean() > 3


def test_epoch_pictures_do_not_depend_on_the_number_of_workers(faces: list) -> None:
    from training_data import EpochMaker, Pool

    pool = Pool([f for f, _i, _m in faces], [i for _f, i, _m in faces], [m for _f, _i, m in faces])
    mix = {"sbi": 0.3, "self_warp": 0.2, "cross": 0.2, "fitted": 0.3}
    alone = EpochMaker(pool, mix, seed=5)
    x1, y1 = alone.epoch(2)
    two = EpochMaker(pool, mix, seed=5, workers=2)
    try:
        x2, y2 = two.epoch(2)
        assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
        x3, _ = two.epoch(3)  # the prefetched next epoch is another one
        assert not np.array_equal(x1, x3)
    finally:
        two.close()
    assert x1.shape == (2 * len(faces), 3, 96, 96) and y1.tolist() == [0.0, 1.0] * len(faces)


def test_mesh_cache_keys_travel_with_the_data_folder(tmp_path: Path) -> None:
    sys.path.insert(0, str(FACE_DIR))
    from face_data import DATA
    from face_meshes import cache_key

    assert cache_key(DATA / "faces" / "canada_set" / "x.jpg") == "faces/canada_set/x.jpg"
    assert cache_key(tmp_path / "y.jpg") == str(tmp_path / "y.jpg")  # outside the data folder: whole path
