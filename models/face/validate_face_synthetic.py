"""Measures `face_synthetic` on self-made swaps of held-out identities (model card numbers).

    .venv/bin/python models/face/validate_face_synthetic.py [--model models/face/face_synthetic.onnx]

For every test-split face B: a warp swap (another test identity's face warped onto B's mesh and
Poisson-blended) and a low-resolution swap (B's inner face re-rendered at 48 px). AUC of each
score, swaps against their unaltered sources, both as saved (JPEG 90) and after call-like JPEG 60.
Writes validation_face_synthetic.json next to this file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from dev_check import jpeg  # noqa: E402
from face_data import load_faces, split  # noqa: E402
from face_meshes import meshes_for  # noqa: E402
from swaps import lowres_swap, warp_swap  # noqa: E402
from train_face_synthetic import auc  # noqa: E402

from verification.detectors.face_classifier import FaceClassifier, face_crop  # noqa: E402
from verification.detectors.face_cues import boundary_step, cue_crop, resolution_gap  # noqa: E402
from verification.detectors.face_synthetic import frame_score  # noqa: E402


def scores(clf: FaceClassifier, imgs: list[np.ndarray], lms: list[np.ndarray]) -> dict[str, np.ndarray]:
    p = clf.predict(np.stack([face_crop(i, lm) for i, lm in zip(imgs, lms)]))
    crops = [cue_crop(i, lm) for i, lm in zip(imgs, lms)]
    gap = np.array([resolution_gap(c) for c in crops])
    step = np.array([boundary_step(c) for c in crops])
    combined = np.array([frame_score(float(a), float(b), float(c), float("nan")) for a, b, c in zip(p, gap, step)])
    return {"classifier": p, "resolution_gap": gap, "boundary_step": step, "detector": combined}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(HERE / "face_synthetic.onnx"))
    args = ap.parse_args()
    clf = FaceClassifier(ort.InferenceSession(args.model, providers=["CPUExecutionProvider"]))
    _train, test = split(load_faces())
    imgs = [cv2.imread(str(f.path)) for f in test]
    meshes = meshes_for([f.path for f in test], imgs)
    keep = [k for k, m in enumerate(meshes) if m is not None]
    real, warped, soft, lms, pairs = [], [], [], [], 0
    for n, k in enumerate(keep):
        donor = keep[(n + 7) % len(keep)]
        if test[donor].identity == test[k].identity:
            donor = keep[(n + 8) % len(keep)]
        real.append(imgs[k])
        warped.append(warp_swap(imgs[donor], meshes[donor], imgs[k], meshes[k]))
        soft.append(lowres_swap(imgs[k], meshes[k]))
        lms.append(test[k].landmarks5)
        pairs += 1
    report: dict[str, object] = {"test_faces": len(test), "swaps_per_kind": pairs,
                                 "test_identities": len({test[k].identity for k in keep})}
    for quality in (None, 60):
        tag = "as_saved" if quality is None else f"jpeg{quality}"
        prep = (lambda x: x) if quality is None else (lambda x, q=quality: jpeg(x, q))
        s_real = scores(clf, [prep(i) for i in real], lms)
        for kind, fakes in (("warp_swap", warped), ("lowres_swap", soft)):
            s_fake = scores(clf, [prep(i) for i in fakes], lms)
            for name in s_real:
                y = np.r_[np.zeros(len(real)), np.ones(len(fakes))]
                report[f"auc_{kind}_{tag}_{name}"] = round(auc(np.r_[s_real[name], s_fake[name]], y), 4)
        report[f"real_{tag}_detector_p95"] = round(float(np.percentile(s_real["detector"], 95)), 4)
        report[f"real_{tag}_detector_max"] = round(float(np.max(s_real["detector"])), 4)
    (HERE / "validation_face_synthetic.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
