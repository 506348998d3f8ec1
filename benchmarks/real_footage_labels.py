"""Writes a labels CSV of every real recording in the shared data, for measuring false alarms.

Usage: python benchmarks/real_footage_labels.py OUT.csv [--no-fsdd] [--no-rppg]
then:  callshield eval verdict --data ../shared/data --labels OUT.csv --json fa.json
Every file is bona fide, so the summary's false-alarm rates at the shipped thresholds are the
numbers to publish; `source` is the corpus folder, `speaker` the person (bootstrap unit).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> int:
    out = Path(sys.argv[1])
    skip_fsdd = "--no-fsdd" in sys.argv
    skip_rppg = "--no-rppg" in sys.argv  # 2 h of close-up skin video with no whole face: slow, and judged `unknown`
    rows = list(csv.DictReader(open(DATA / "manifest.csv", newline="", encoding="utf-8")))
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label", "source", "speaker"])
        count = 0
        for row in rows:
            if row["kind"] not in ("speech", "video_talking_head", "video_rppg") or not row["label"].startswith("bonafide"):
                continue
            if skip_fsdd and "/fsdd/" in row["path"]:
                continue
            if skip_rppg and row["kind"] == "video_rppg":
                continue
            if not row["path"].endswith((".wav", ".flac", ".mpg", ".avi", ".mp4")):
                continue
            writer.writerow([row["path"], "bonafide", row["path"].split("/")[2], row["speaker_or_identity"]])
            count += 1
    print(f"{count} real recordings -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
