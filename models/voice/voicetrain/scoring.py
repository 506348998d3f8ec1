"""Utterance scores from cached test features with an exported ONNX model (as the detector does:
2 s windows every 0.5 s, calibrated log-odds averaged over the utterance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from verification.detectors.audio_features import normalize_window, window_frames

WINDOW = window_frames(2.0)
HOP = 50  # frames: 0.5 s


def windows(feats: np.ndarray) -> np.ndarray:
    feats = feats.astype(np.float32)
    if feats.shape[0] < WINDOW:
        feats = np.pad(feats, ((0, WINDOW - feats.shape[0]), (0, 0)), mode="edge")
    starts = range(0, feats.shape[0] - WINDOW + 1, HOP)
    return np.stack([normalize_window(feats[s:s + WINDOW]) for s in starts])


def utterance_scores(model: Path, feats: list[np.ndarray]) -> np.ndarray:
    """Mean calibrated log-odds per utterance."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    per = [windows(f) for f in feats]
    flat = np.concatenate(per)
    logits = np.concatenate([session.run(["logit"], {"features": flat[i:i + 256]})[0]
                             for i in range(0, flat.shape[0], 256)])
    bounds = np.cumsum([0] + [p.shape[0] for p in per])
    return np.array([logits[a:b].mean() for a, b in zip(bounds[:-1], bounds[1:])])
