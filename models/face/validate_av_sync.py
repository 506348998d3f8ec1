"""av_sync on the GRID clips: real audio, audio shifted by known amounts, another clip's audio.

    .venv/bin/python models/face/validate_av_sync.py

Runs the face pipeline and the `av_sync` detector on each clip (15 analysed fps, as the engine)
with the clip's own voice delayed by 0, +-200, +-300, +500 ms and with the next clip's voice.
Writes validation_av_sync.json: AUC of the call-level score, real vs each manipulation and pooled
(offsets >= 200 ms and swapped voices), and the offset error on real and shifted clips.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.verification.test_video_support import audio_reader, grid_clip, grid_paths, run  # noqa: E402
from verification.detectors.av_sync import create  # noqa: E402

SHIFTS = (0.2, -0.2, 0.3, -0.3, 0.5)


def auc(neg: list[float], pos: list[float]) -> float:
    n, p = np.asarray(neg), np.asarray(pos)
    return float(((p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()) / (len(n) * len(p)))


def main() -> int:
    names = [p.name for p in grid_paths()]
    real: list[float] = []
    fake: dict[str, list[float]] = {f"{s:+.1f}s": [] for s in SHIFTS} | {"swapped": []}
    offset_err: dict[str, list[float]] = {"real": [], **{f"{s:+.1f}s": [] for s in SHIFTS}}
    for i, name in enumerate(names):
        clip = grid_clip(name)
        r = run(create(None), clip.frames, clip.faces, audio_reader(clip.audio))
        real.append(r.score or 0.0)
        offset_err["real"].append(abs(r.details.get("offset_ms", np.nan)))
        for s in SHIFTS:
            r = run(create(None), clip.frames, clip.faces, audio_reader(clip.audio, s))
            fake[f"{s:+.1f}s"].append(r.score or 0.0)
            offset_err[f"{s:+.1f}s"].append(abs(r.details.get("offset_ms", np.nan) - 1000 * s))
        other = grid_clip(names[(i + 1) % len(names)]).audio
        fake["swapped"].append(run(create(None), clip.frames, clip.faces, audio_reader(other)).score or 0.0)
        print(name, "real", round(real[-1], 3), flush=True)
    pooled = [v for vals in fake.values() for v in vals]
    report = {"clips": len(names), "auc_pooled": round(auc(real, pooled), 4),
              **{f"auc_{k}": round(auc(real, v), 4) for k, v in fake.items()},
              "auc_shifts_only": round(auc(real, [v for k, vals in fake.items() if k != "swapped" for v in vals]), 4),
              "real_score_max": round(max(real), 4),
              "median_offset_error_ms": {k: round(float(np.nanmedian(v)), 1) for k, v in offset_err.items()}}
    (HERE / "validation_av_sync.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
