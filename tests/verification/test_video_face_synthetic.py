"""face_synthetic: the committed classifier through the manifest (sha256-checked), real talking
heads stay low, self-made swaps of held-out identities score higher than their sources, and the
"cannot judge" paths."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from tests.verification.test_video_support import grid_clip, grid_paths, observe_once, run, still_frames
from tests.verification.test_vision_support import data_or_skip
from verification.detectors.face_classifier import CROP, MODEL_ID, FaceClassifier, face_crop
from verification.detectors.face_cues import TemporalCues, boundary_step, cue_crop, resolution_gap
from verification.detectors.face_synthetic import FaceSyntheticDetector, create, frame_score
from verification.errors import ModelError
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest
from verification.vision.types import HeadPose

MODELS = Path(__file__).resolve().parents[2] / "models"
FACE_DIR = MODELS / "face"


@pytest.fixture(scope="module")
def classifier() -> FaceClassifier:
    return FaceClassifier(ort.InferenceSession(str(FACE_DIR / "face_synthetic.onnx"),
                                               providers=["CPUExecutionProvider"]))


def test_factory_loads_the_manifest_model_and_refuses_a_tampered_one(tmp_path: Path) -> None:
    manifest = load_manifest()
    entry = manifest.entry(MODEL_ID)
    shutil.copy(FACE_DIR / "face_synthetic.onnx", tmp_path / entry.file)
    detector = create(ModelLoader(manifest, tmp_path, threads=1))
    assert isinstance(detector, FaceSyntheticDetector) and detector.models == (MODEL_ID,)
    data = bytearray((tmp_path / entry.file).read_bytes())
    data[-1] ^= 1
    (tmp_path / entry.file).write_bytes(bytes(data))
    with pytest.raises(ModelError):
        create(ModelLoader(manifest, tmp_path, threads=1))
    with pytest.raises(ModelError):
        create(None)


def test_classifier_contract(classifier: FaceClassifier) -> None:
    crops = np.zeros((3, CROP, CROP, 3), np.uint8)
    p = classifier.predict(crops)
    assert p.shape == (3,) and np.all((p >= 0) & (p <= 1))


@pytest.mark.slow
def test_real_talking_heads_stay_below_elevated(classifier: FaceClassifier) -> None:
    for path in grid_paths():
        clip = grid_clip(path.name)
        result = run(FaceSyntheticDetector(classifier), clip.frames, clip.faces)
        assert result.status == "ok", path.name
        assert (result.score or 0) < 0.5, (path.name, result.details)
        assert max(w.score or 0 for w in result.windows) < 0.8, path.name  # no window drives "high" live
        assert {"classifier", "resolution_gap", "boundary_step", "inner_jitter"} <= set(result.details)


def _auc(neg: np.ndarray, pos: np.ndarray) -> float:
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum())
                 / (len(neg) * len(pos)))


@pytest.mark.slow
def test_self_made_swaps_of_held_out_identities_score_above_their_sources(classifier: FaceClassifier) -> None:
    data_or_skip("manifest.csv")  # the face crops are listed there
    sys.path.insert(0, str(FACE_DIR))
    from face_data import load_faces, split  # models/face: identity-disjoint split
    from swaps import lowres_swap, warp_swap

    _train, test = split(load_faces())
    test = test[:: max(1, len(test) // 24)][:24]
    images = [cv2.imread(str(f.path)) for f in test]
    meshes = [observe_once(cv2.resize(img, (512, 512))).mesh / 2.0 for img in images]

    def score(img: np.ndarray, lm: np.ndarray) -> float:
        p = float(classifier.predict(face_crop(img, lm)[None])[0])
        crop = cue_crop(img, lm)
        return frame_score(p, resolution_gap(crop), boundary_step(crop), float("nan"))

    real = np.array([score(img, f.landmarks5) for img, f in zip(images, test)])
    warped = np.array([score(warp_swap(images[(k + 5) % len(images)], meshes[(k + 5) % len(images)],
                                       images[k], meshes[k]), test[k].landmarks5) for k in range(len(images))])
    soft = np.array([score(lowres_swap(images[k], meshes[k]), test[k].landmarks5) for k in range(len(images))])
    assert _auc(real, soft) >= 0.9
    assert _auc(real, warped) >= 0.75  # 0.85 with the shipped model; 0.74 before warp-like training blends
    assert np.percentile(real, 90) < 0.8


def test_temporal_cues_see_inner_face_jitter() -> None:
    clip = grid_clip("lbax4n.mpg")
    steady, shaky = TemporalCues(), TemporalCues()
    rng = np.random.default_rng(0)
    for obs in clip.faces:
        mesh = obs[0].mesh
        steady.update(mesh)
        moved = mesh.copy()
        moved[list(TemporalCues.INNER), :2] += rng.normal(0, 3.0, (len(TemporalCues.INNER), 2))
        shaky.update(moved)
    assert steady.inner_jitter() < 0.02 < shaky.inner_jitter()


def test_not_applicable_paths(classifier: FaceClassifier) -> None:
    clip = grid_clip("lbax4n.mpg")
    nobody = run(FaceSyntheticDetector(classifier), clip.frames, [[] for _ in clip.frames])
    assert nobody.reason == "no face in view"
    profile = [[dataclasses.replace(o[0], head_pose=HeadPose(70.0, 0.0, 0.0))] for o in clip.faces]
    turned = run(FaceSyntheticDetector(classifier), clip.frames, profile)
    assert turned.reason == "face turned too far from the camera to judge"
    small = [[dataclasses.replace(o[0], box=np.array([0, 0, 40, 50], np.float32))] for o in clip.faces]
    tiny = run(FaceSyntheticDetector(classifier), clip.frames, small)
    assert "too small" in (tiny.reason or "")
    frames = still_frames(clip.frames[0].image, 0.3)
    short = run(FaceSyntheticDetector(classifier), frames, [[clip.faces[0][0]] for _ in frames])
    assert short.status == "not_applicable" and (short.reason or "").startswith("too short")
