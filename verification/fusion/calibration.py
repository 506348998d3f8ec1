"""Per-detector calibration: raw score -> log-likelihood ratio (LLR) of spoof vs bona fide.

LLR = a * logit(score) + b, fitted by logistic regression (Platt scaling) on labelled development
data with `callshield calibrate`. Parameters live in `models/calibration.toml`, versioned, next
to the manifest. A detector without fitted parameters uses a = 1, b = 0: its score is read as a
probability at even prior odds, which is what detectors are trained to output.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from verification.errors import ConfigError

EPS = 1e-4


def logit(p: float) -> float:
    p = min(max(p, EPS), 1.0 - EPS)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Calibration:
    a: float = 1.0
    b: float = 0.0
    fitted_on: str = "uncalibrated: score read as a probability"

    def llr(self, score: float) -> float:
        return self.a * logit(score) + self.b

    def score_for_llr(self, llr: float) -> float:
        """The raw score whose LLR equals `llr` (for thresholds); a must be > 0."""
        x = (llr - self.b) / self.a
        return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class CalibrationSet:
    version: int = 0
    by_detector: dict[str, Calibration] = field(default_factory=dict)

    def for_detector(self, detector_id: str) -> Calibration:
        return self.by_detector.get(detector_id, Calibration())


def default_calibration_path() -> Path:
    return Path(__file__).resolve().parents[2] / "models" / "calibration.toml"


def load_calibration(path: Path | None = None) -> CalibrationSet:
    path = path or default_calibration_path()
    if not path.is_file():
        return CalibrationSet()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        by = {}
        for det_id, params in data.get("detectors", {}).items():
            a, b = float(params["a"]), float(params["b"])
            if not a > 0:
                raise ValueError(f"{det_id}: slope a must be positive (a higher score must mean more spoof)")
            by[det_id] = Calibration(a, b, str(params.get("fitted_on", "")))
        return CalibrationSet(int(data.get("version", 0)), by)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: malformed calibration ({exc})") from None


def fit_platt(scores: np.ndarray, labels: np.ndarray, iterations: int = 50) -> Calibration:
    """Logistic regression of label on logit(score), Newton's method, with a weak ridge so that
    perfectly separated development data cannot produce an unbounded slope."""
    x = np.array([logit(float(s)) for s in scores])
    y = np.asarray(labels, dtype=np.float64)
    # balance the classes: calibrated LLRs must not carry the development set's class prior
    w = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * len(y)
    a, b, ridge = 1.0, 0.0, 1e-2
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a * x + b)))
        g = np.array([np.sum(w * (p - y) * x) + ridge * (a - 1.0), np.sum(w * (p - y))])
        h_diag = w * p * (1 - p)
        hess = np.array([[np.sum(h_diag * x * x) + ridge, np.sum(h_diag * x)],
                         [np.sum(h_diag * x), np.sum(h_diag) + 1e-9]])
        step = np.linalg.solve(hess, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return Calibration(max(float(a), 1e-3), float(b), f"{int((y == 0).sum())} bona fide, {int(y.sum())} spoof")
