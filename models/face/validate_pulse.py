"""Heart-rate error of `callshield pulse --whole-frame` on the shared rPPG skin videos.

    .venv/bin/python models/face/validate_pulse.py

Ground truth: the mean heart rate of each subject (manifest label gt_mean_hr_bpm). Prints and
writes validation_pulse.json: MAE over all videos, per ROI, and the MAE of always answering
75 bpm (what a method that reads no pulse at all would score on this narrow 66-85 bpm range).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from verification.commands.pulse import whole_frame_pulse  # noqa: E402

DATA = HERE.parents[2] / "shared" / "data"


def main() -> int:
    truth: dict[str, float] = {}
    with (DATA / "manifest.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["path"].startswith("video/rppg/") and "gt_mean_hr_bpm=" in row["label"]:
                truth[row["path"]] = float(row["label"].split("gt_mean_hr_bpm=")[1].split(";")[0])
    rows = []
    for rel, gt in sorted(truth.items()):
        out = whole_frame_pulse(DATA / rel)
        rows.append({"video": rel, "gt_bpm": gt, "hr_bpm": out["hr_bpm"], "snr_db": out["snr_db"],
                     "abs_error": None if out["hr_bpm"] is None else round(abs(out["hr_bpm"] - gt), 2)})
        print(f"{rel}: {out['hr_bpm']} bpm (truth {gt:.1f})", flush=True)
    err = np.array([r["abs_error"] for r in rows if r["abs_error"] is not None])
    gts = np.array([r["gt_bpm"] for r in rows])
    by_roi = {roi: round(float(np.mean([r["abs_error"] for r in rows if roi in r["video"]])), 2)
              for roi in ("forehead", "leftcheek", "rightcheek")}
    report = {"videos": len(rows), "mae_bpm": round(float(err.mean()), 2), "median_abs_error_bpm": round(float(np.median(err)), 2),
              "within_5_bpm": round(float(np.mean(err <= 5)), 3), "mae_by_roi": by_roi,
              "constant_75_bpm_mae": round(float(np.mean(np.abs(gts - 75.0))), 2), "per_video": rows}
    (HERE / "validation_pulse.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "per_video"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
