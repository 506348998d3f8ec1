"""Development set for calibrating `face_synthetic`: GRID talking-head clips, as they are and with
self-made swaps (models/face/swap_video.py), written to a cache folder with labels CSVs.

Clips are split in two halves by a seeded hash of their name: `cal` for fitting, `check` for the
video time-to-alert benchmark and for checking the fit. Real clips are re-encoded exactly as the
swapped ones, so the encoder is never what separates the classes. Caveat: the shared GRID clips
are few and mostly one speaker; the halves are clip-disjoint, not identity-disjoint.
"""

from __future__ import annotations

import csv
from pathlib import Path

from swap_video import KINDS, donor_face, join_clips, write
from voice_dev_set import half_of


def grid_halves(grid: Path, seed: int) -> dict[str, list[Path]]:
    halves: dict[str, list[Path]] = {"cal": [], "check": []}
    for clip in sorted(grid.glob("*.mpg")):
        halves[half_of(clip.stem, seed)].append(clip)
    return halves


def write_dev_set(data_dir: Path, out: Path, seed: int, pipeline) -> dict[str, Path]:
    grid = data_dir / "video" / "talking_heads" / "grid"
    donor = donor_face(pipeline, data_dir / "faces" / "london_set" / "neutral")
    csvs = {}
    for which, clips in grid_halves(grid, seed).items():
        (out / which).mkdir(parents=True, exist_ok=True)
        rows = []
        for clip in clips:
            for kind in ("real", *KINDS):
                frames, audio, rate, _ = join_clips([clip], 0 if kind != "real" else 1, pipeline, kind, donor)
                rel = Path(which) / f"{clip.stem}_{kind}.mkv"
                write(out / rel, frames, audio, rate)
                rows.append([str(rel), "bonafide" if kind == "real" else "spoof", "grid", clip.stem, kind])
        path = out / f"{which}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["path", "label", "source", "identity", "system"])
            writer.writerows(rows)
        csvs[which] = path
    return csvs
