"""Labels CSV for `callshield eval voice_synthetic` over the shared speech files of the neural-family
evaluation: real speech of test speakers only (never trained on), and the published synthetic clips.
Columns: path,label,source,system,speaker (source = real corpus or "published", system = family)."""

from __future__ import annotations

import csv
from pathlib import Path

from voicetrain.corpus import speaker_splits
from voicetrain.modern import load_splits


def write_labels(data_dir: Path, out: Path, seed: int) -> int:
    with open(data_dir / "manifest.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    modern_split = load_splits(rows, seed)
    libri = [r for r in rows if r["path"].startswith("speech/real/librispeech_resemblyzer/")]
    libri_split = speaker_splits(sorted({r["speaker_or_identity"] for r in libri}), seed)
    lines = []
    for r in libri:
        if libri_split[r["speaker_or_identity"]] == "test":
            lines.append((r["path"], "bonafide", "librispeech", "bonafide", r["speaker_or_identity"]))
    for r in rows:
        if not r["path"].startswith(("speech/spoof_modern/", "speech/real_more/")):
            continue
        folder = r["path"].split("/")[2]
        if r["label"] == "bonafide":
            if modern_split[r["speaker_or_identity"]] == "test":
                lines.append((r["path"], "bonafide", folder, "bonafide", r["speaker_or_identity"]))
        else:
            lines.append((r["path"], "spoof", "published", folder, r["speaker_or_identity"]))
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "label", "source", "system", "speaker"])
        writer.writerows(lines)
    return len(lines)
