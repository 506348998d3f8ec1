"""Writes a labels CSV of every real recording in the shared data, for measuring false alarms.

Usage: python benchmarks/real_footage_labels.py OUT.csv [--no-fsdd] [--no-rppg]
then:  callshield eval verdict --data ../shared/data --labels OUT.csv --json fa.json
Every file is bona fide, so the summary's false-alarm rates at the shipped thresholds are the
numbers to publish; `source` is the corpus folder, `speaker` the person (bootstrap unit), and
`system` says whether the voice model trained on that speaker (its seeded speaker split): a
new caller is a speaker it never heard, so that group is the rate to expect.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "models" / "voice"))  # the recipe's speaker split, `voicetrain` as top level
from voicetrain.corpus import speaker_splits  # noqa: E402

_SPLIT_NAMES = {"train": "voice training speakers", "val": "voice validation speakers",
                "test": "voice test speakers (never trained on)"}


def voice_groups(rows: list[dict[str, str]]) -> dict[str, str]:
    """Speaker -> which part of the voice recipe heard them (LibriSpeech and FSDD are split by
    speaker; every other corpus is held out of training whole)."""
    groups: dict[str, str] = {}
    for corpus in ("librispeech_resemblyzer", "fsdd"):
        speakers = sorted({r["speaker_or_identity"] for r in rows if f"/{corpus}/" in r["path"]})
        for speaker, split in speaker_splits(speakers, seed=0).items():
            groups[speaker] = _SPLIT_NAMES[split]
    return groups


def main() -> int:
    out = Path(sys.argv[1])
    skip_fsdd = "--no-fsdd" in sys.argv
    skip_rppg = "--no-rppg" in sys.argv  # 2 h of close-up skin video with no whole face: slow, and judged `unknown`
    rows = list(csv.DictReader(open(DATA / "manifest.csv", newline="", encoding="utf-8")))
    groups = voice_groups(rows)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label", "source", "speaker", "system"])
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
            speaker = row["speaker_or_identity"]
            writer.writerow([row["path"], "bonafide", row["path"].split("/")[2], speaker,
                             groups.get(speaker, "never in voice training")])
            count += 1
    print(f"{count} real recordings -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
